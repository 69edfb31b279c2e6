import type * as T from '../ocpp16.js';
import type { CpCalls16, CsmsCalls16 } from '../ocpp16.js';
import type { RpcConnection } from '../rpc.js';
import { type ChargePointRegistry, type ChargePointState, MAX_CONNECTORS } from './registry.js';

export interface CentralSystemPolicy {
  /** Heartbeat interval sent in the BootNotification answer, in seconds. */
  heartbeatIntervalS: number;
  /** Decides an idTag for Authorize, StartTransaction and StopTransaction. */
  authorizeIdTag(chargePointId: string, idTag: string): T.AuthorizeResponse['idTagInfo']['status'];
  /** A transaction id unique within this Central System. */
  nextTransactionId(chargePointId: string): number;
}

/** A counter seeded from the clock, so ids stay unique across restarts of a small site server. */
export function clockSeededTransactionIds(): () => number {
  let next = Math.floor(Date.now() / 1000) - 1_700_000_000;
  return () => {
    next = next >= 2_147_483_647 ? 1 : next + 1;
    return next;
  };
}

const now = (): string => new Date().toISOString();

/**
 * Answers every call a 1.6 charge point initiates. The answers are the Central System's side of
 * the protocol only; what the calls mean for commissioning is for whoever listens to the
 * server's events.
 */
export function installCentralSystemHandlers(
  rpc: RpcConnection<CsmsCalls16, CpCalls16>,
  state: ChargePointState,
  policy: CentralSystemPolicy,
  registry: ChargePointRegistry,
  onProblem: (message: string) => void,
): void {
  let toldTooMany = false;
  const id = state.id;
  rpc.handle('BootNotification', (req) => {
    state.boot = req;
    state.bootedAt = new Date();
    state.bootedThisConnection = true;
    return { status: 'Accepted', currentTime: now(), interval: policy.heartbeatIntervalS };
  });
  rpc.handle('Heartbeat', () => {
    state.lastHeartbeatMs = Date.now();
    return { currentTime: now() };
  });
  rpc.handle('StatusNotification', (req) => {
    // Answered all the same: a charge point holds its queue until a notification is answered.
    if (!registry.recordStatus(state, req) && !toldTooMany) {
      toldTooMany = true;
      onProblem(`reports more than ${MAX_CONNECTORS} connector ids (latest ${req.connectorId}); statuses of further ones are not kept`);
    }
    return {};
  });
  rpc.handle('Authorize', (req) => ({ idTagInfo: { status: policy.authorizeIdTag(id, req.idTag) } }));
  rpc.handle('StartTransaction', (req) => ({
    transactionId: policy.nextTransactionId(id),
    idTagInfo: { status: policy.authorizeIdTag(id, req.idTag) },
  }));
  // Always answered, even for a transaction we never saw: a charge point retries an
  // unanswered StopTransaction and holds its queue until it gets one.
  rpc.handle('StopTransaction', (req) =>
    req.idTag ? { idTagInfo: { status: policy.authorizeIdTag(id, req.idTag) } } : {},
  );
  rpc.handle('MeterValues', () => ({}));
  rpc.handle('DataTransfer', () => ({ status: 'UnknownVendorId' }));
  rpc.handle('DiagnosticsStatusNotification', () => ({}));
  rpc.handle('FirmwareStatusNotification', () => ({}));
  rpc.handle('LogStatusNotification', () => ({}));
  rpc.handle('SecurityEventNotification', () => ({}));
  rpc.handle('SignedFirmwareStatusNotification', () => ({}));
  rpc.handle('SignCertificate', () => ({ status: 'Rejected' }));
}
