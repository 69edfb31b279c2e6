import type { RegistrationStatus, StationIdentity } from './registry.js';

/** The authorisation statuses both versions have, for the tokens a charge point presents. */
export type TokenStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';

/** What the Central System decides when a charge point asks; the rest of its answers are the protocol's. */
export interface CentralSystemPolicy {
  /** Heartbeat interval sent in the BootNotification answer, in seconds. */
  heartbeatIntervalS: number;
  /** Decides an id token (1.6 idTag) for Authorize and for the transaction messages. */
  authorizeIdTag(chargePointId: string, idTag: string): TokenStatus;
  /** 1.6: a transaction id unique within this Central System (2.0.1 stations make their own). */
  nextTransactionId(chargePointId: string): number;
  /**
   * How a BootNotification is answered: Pending keeps a station waiting (it may then only send
   * what it is asked for) while it is configured. Accepted unless the operator asks otherwise.
   */
  registration(chargePointId: string, identity: StationIdentity): RegistrationStatus;
  /**
   * Where a station stands when it connects, before any BootNotification on this connection (a
   * 2.0.1 station that was registered may reconnect without booting): Pending keeps it behind
   * the same gate as a Pending boot would, so reconnecting is no way around it; null when it
   * counts as registered.
   */
  registrationOnConnect(chargePointId: string): RegistrationStatus | null;
  /** The wait, in seconds, before a station answered Pending boots again. */
  pendingRetryS: number;
}

/** A counter seeded from the clock, so ids stay unique across restarts of a small site server. */
export function clockSeededTransactionIds(): () => number {
  let next = Math.floor(Date.now() / 1000) - 1_700_000_000;
  return () => {
    next = next >= 2_147_483_647 ? 1 : next + 1;
    return next;
  };
}

export const DEFAULT_POLICY: CentralSystemPolicy = {
  heartbeatIntervalS: 300,
  authorizeIdTag: () => 'Accepted',
  nextTransactionId: clockSeededTransactionIds(),
  registration: () => 'Accepted',
  registrationOnConnect: () => null,
  pendingRetryS: 30,
};

export const isoNow = (): string => new Date().toISOString();
