import type { BootNotificationRequest, StatusNotificationRequest } from '../ocpp16.js';

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
  boot: BootNotificationRequest | null;
  bootedAt: Date | null;
  /** Whether a BootNotification was accepted on the current connection. */
  bootedThisConnection: boolean;
  /** Epoch ms of the last Heartbeat. */
  lastHeartbeatMs: number | null;
  /** Latest StatusNotification per connector id (0 is the charge point itself). */
  connectors: Map<number, StatusNotificationRequest & { receivedAt: Date }>;
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

  connected(id: string, protocol: string, remoteAddress: string | null): ChargePointState {
    const state = this.states.get(id) ?? this.blank(id);
    state.connected = true;
    state.protocol = protocol;
    state.remoteAddress = remoteAddress;
    state.connectedAt = new Date();
    state.lastSeenMs = state.connectedAt.getTime();
    state.bootedThisConnection = false;
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
  recordStatus(state: ChargePointState, status: StatusNotificationRequest): boolean {
    if (!state.connectors.has(status.connectorId) && state.connectors.size >= MAX_CONNECTORS) return false;
    state.connectors.set(status.connectorId, { ...status, receivedAt: new Date() });
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
      lastHeartbeatMs: null,
      connectors: new Map(),
    };
  }
}
