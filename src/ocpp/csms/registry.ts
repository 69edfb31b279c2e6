/**
 * Who a charge point says it is, from its BootNotification, in the same words for every version
 * (1.6 chargePointVendor/Model/…, 2.0.1 chargingStation.vendorName/model/… and its modem).
 */
export interface StationIdentity {
  vendor: string;
  model: string;
  serialNumber: string | null;
  firmwareVersion: string | null;
  meterType: string | null;
  iccid: string | null;
  imsi: string | null;
}

/**
 * A connector's latest status. `key` is the version's own address of it (1.6 "2" for connector 2,
 * 2.0.1 "1/2" for EVSE 1 connector 2); `status` is in the version's own words.
 */
export interface ConnectorReport {
  key: string;
  evseId: number;
  /** 2.0.1 only: a 1.6 connector is its own EVSE. */
  connectorId: number | null;
  status: string;
  errorCode: string | null;
  receivedAt: Date;
}

/** The answer we gave the last BootNotification: a Pending station may send little (B02.FR.09). */
export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

/** What the Central System knows about one connected charge point (a replacing connection keeps it). */
export interface ChargePointState {
  id: string;
  connected: boolean;
  protocol: string | null;
  remoteAddress: string | null;
  connectedAt: Date | null;
  disconnectedAt: Date | null;
  /** Last frame or pong from the charge point, epoch ms (updated on every frame: no Date per frame). */
  lastSeenMs: number | null;
  boot: StationIdentity | null;
  bootedAt: Date | null;
  /** Whether a BootNotification was accepted on the current connection. */
  bootedThisConnection: boolean;
  /** What we answered its last BootNotification on this connection, if it sent one. */
  registration: RegistrationStatus | null;
  /** Epoch ms of the last Heartbeat. */
  lastHeartbeatMs: number | null;
  /** Latest StatusNotification per connector, by its key. */
  connectors: Map<string, ConnectorReport>;
}

/**
 * Connectors remembered per charge point. Real ones have one to a few dozen; a charge point that
 * reports thousands of connector ids (buggy or hostile firmware) must not grow the server's
 * memory with them.
 */
export const MAX_CONNECTORS = 64;

/**
 * Live knowledge of the charge points that are connected now. A charge point's entry goes when it
 * disconnects: what is history (its boot, when it was last seen) is for the caller to keep.
 */
export class ChargePointRegistry {
  private readonly states = new Map<string, ChargePointState>();

  get(id: string): ChargePointState | undefined {
    return this.states.get(id);
  }

  list(): ChargePointState[] {
    return [...this.states.values()];
  }

  connected(id: string, protocol: string, remoteAddress: string | null, registration: RegistrationStatus | null = null): ChargePointState {
    const state = this.states.get(id) ?? this.blank(id);
    state.connected = true;
    state.protocol = protocol;
    state.remoteAddress = remoteAddress;
    state.connectedAt = new Date();
    state.lastSeenMs = state.connectedAt.getTime();
    state.bootedThisConnection = false;
    state.registration = registration;
    this.states.set(id, state);
    return state;
  }

  disconnected(id: string): void {
    const state = this.states.get(id);
    if (!state) return;
    state.connected = false;
    state.disconnectedAt = new Date();
    state.bootedThisConnection = false;
  }

  /** Drops a disconnected charge point's entry (once its listeners have read it). */
  forget(id: string): void {
    if (this.states.get(id)?.connected === false) this.states.delete(id);
  }

  /** Keeps a connector's latest status; false when the charge point already reported too many. */
  recordStatus(state: ChargePointState, report: Omit<ConnectorReport, 'receivedAt'>): boolean {
    if (!state.connectors.has(report.key) && state.connectors.size >= MAX_CONNECTORS) return false;
    state.connectors.set(report.key, { ...report, receivedAt: new Date() });
    return true;
  }

  private blank(id: string): ChargePointState {
    return {
      id,
      connected: false,
      protocol: null,
      remoteAddress: null,
      connectedAt: null,
      disconnectedAt: null,
      lastSeenMs: null,
      boot: null,
      bootedAt: null,
      bootedThisConnection: false,
      registration: null,
      lastHeartbeatMs: null,
      connectors: new Map(),
    };
  }
}
