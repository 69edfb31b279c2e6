import { type CentralSystemPolicy, isoNow } from './policy.js';
import { type ChargePointRegistry, type ChargePointState, type ConnectorReport, MAX_CONNECTORS, type StationIdentity } from './registry.js';

/**
 * What a Central System does the same whatever the version, for the handlers of each
 * (handlers16.ts, handlers201.ts): register a boot, note a heartbeat, keep a connector's status.
 */
export interface StationContext {
  state: ChargePointState;
  policy: CentralSystemPolicy;
  registry: ChargePointRegistry;
  onProblem: (message: string) => void;
}

export function commonAnswers({ state, policy, registry, onProblem }: StationContext) {
  let toldTooMany = false;
  return {
    boot(identity: StationIdentity) {
      const status = policy.registration(state.id, identity);
      state.boot = identity;
      state.bootedAt = new Date();
      state.registration = status;
      state.bootedThisConnection = status === 'Accepted';
      return { status, currentTime: isoNow(), interval: status === 'Accepted' ? policy.heartbeatIntervalS : policy.pendingRetryS };
    },
    heartbeat() {
      state.lastHeartbeatMs = Date.now();
      return { currentTime: isoNow() };
    },
    /** Answered all the same when not kept: a charge point holds its queue until a notification is answered. */
    status(report: Omit<ConnectorReport, 'receivedAt'>, described: string) {
      if (!registry.recordStatus(state, report) && !toldTooMany) {
        toldTooMany = true;
        onProblem(`reports more than ${MAX_CONNECTORS} connectors (latest ${described}); statuses of further ones are not kept`);
      }
      return {};
    },
  };
}
