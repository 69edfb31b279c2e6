import type * as T from '../../ocpp/ocpp201.js';
import type { Evse, Evses } from './evses.js';
import type { Timers } from './timers.js';

export interface ResetDeps {
  evses: Evses;
  timers: Timers;
  /** B11.FR.06: a firmware installation cannot be interrupted. */
  installing(): boolean;
  reboot(reason: T.BootReasonEnumType): void;
  /** Ends the EVSE's transaction at once, the EV gone (B12.FR.04/08). */
  endNow(evse: Evse): void;
  statusChanged(): void;
  rebootDelayMs: number;
}

/**
 * Reset (B11, B12) of the station or of one EVSE, now (Immediate) or once its transactions have
 * ended (OnIdle: Scheduled, B12.FR.01), and whatever else waits for the station to be idle.
 */
export class Resets {
  private whenIdle: (() => void) | null = null;
  private readonly evseResets = new Set<Evse>();

  constructor(private readonly deps: ResetDeps) {}

  request(request: T.ResetRequest): T.ResetResponse {
    const { evses, timers } = this.deps;
    if (this.deps.installing()) return { status: 'Rejected', statusInfo: { reasonCode: 'FwUpdateInProgress' } };
    if (request.evseId !== undefined) {
      const evse = evses.evse(request.evseId);
      if (!evse) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
      if (request.type === 'OnIdle' && evse.transaction) {
        this.evseResets.add(evse);
        evse.resetPending = true;
        return { status: 'Scheduled' };
      }
      timers.afterReply(() => this.resetEvse(evse));
      return { status: 'Accepted' };
    }
    if (request.type === 'OnIdle' && evses.all.some((e) => e.transaction)) {
      // The reboot that waited for the transactions boots with reason ScheduledReset (OCTT TC_B_21).
      this.runWhenIdle(() => this.deps.reboot('ScheduledReset'));
      return { status: 'Scheduled' };
    }
    timers.afterReply(() => this.deps.reboot('RemoteReset'));
    return { status: 'Accepted' };
  }

  /** Runs `fn` once no transaction runs; until then free EVSEs take no new one (B12 3a). */
  runWhenIdle(fn: () => void): void {
    const { evses } = this.deps;
    if (!evses.all.some((e) => e.transaction)) {
      fn();
      return;
    }
    this.whenIdle = fn;
    for (const evse of evses.all) evse.resetPending = true;
    this.deps.statusChanged();
  }

  /** A transaction ended: run what waited for it. */
  transactionEnded(): void {
    for (const evse of [...this.evseResets]) {
      if (!evse.transaction) {
        this.evseResets.delete(evse);
        this.resetEvse(evse);
      }
    }
    if (this.whenIdle && !this.deps.evses.all.some((e) => e.transaction)) {
      const fn = this.whenIdle;
      this.whenIdle = null;
      fn();
    }
  }

  /** B11.FR.08, B12.FR.08: one EVSE resets; the station stays up. */
  private resetEvse(evse: Evse): void {
    this.deps.endNow(evse);
    evse.resetPending = true;
    this.deps.statusChanged();
    this.deps.timers.later(this.deps.rebootDelayMs, () => {
      evse.resetPending = false;
      this.deps.statusChanged();
    });
  }
}
