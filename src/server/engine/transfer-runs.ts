import type { LogLevel } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { clip } from '../../common/clip.js';
import { isoSeconds } from '../../common/time.js';
import type { AnyChargePoint } from '../../ocpp/csms/charge-point.js';
import type { CsmsServer } from '../../ocpp/csms/server.js';
import type { Offer } from '../files/site-files.js';
import type { Store } from '../store/store.js';
import { chargerLog } from './charger-log.js';

/** What every transfer's stored record has: whose it is, and how it stands. */
export interface TransferRecord {
  charge_point_id: string;
  state: string;
  detail: string | null;
  finished_at: string | null;
}

export interface TransferRun<R extends TransferRecord> {
  readonly record: R;
  /** The one-time URL the charger fetches from or uploads to; revoked when the run ends. */
  readonly offer: Offer;
  /** Ends the run as failed when nothing more is heard in time. */
  readonly deadline: NodeJS.Timeout;
  /** A shorter wait for one last thing (the file's arrival, the reboot); the next replaces it. */
  wait: NodeJS.Timeout | null;
}

export interface TransferKind<R extends TransferRecord> {
  /** The charge point's log it writes to, and how the API names one run: `firmware update`. */
  log: 'firmware' | 'diagnostics';
  noun: string;
  /** The URL that dies with the server: `download`, `upload`. */
  url: string;
  idOf(record: R): string;
  save(store: Store, record: R): void;
  /** Stored records still running, and a charge point's latest. */
  running(store: Store): R[];
  latest(store: Store, chargePointId: string): R | null | undefined;
}

/**
 * The life of file transfers between the laptop and its chargers, firmware out and diagnostics
 * in, whatever the OCPP version: at most one run per charge point; each a stored record saved at
 * every change, with its steps in the charge point's own log, a one-time URL revoked at its end,
 * and timers that end it when the charger goes quiet. A run ends once: a late timer or
 * notification after its end is ignored.
 */
export abstract class TransferRuns<R extends TransferRecord, Run extends TransferRun<R>> {
  protected readonly runs = new Map<string, Run>();

  protected constructor(
    protected readonly store: Store,
    protected readonly csms: CsmsServer,
    private readonly kind: TransferKind<R>,
  ) {}

  /** What is under way on the charge point, said for whoever must wait for it; null when nothing is. */
  underWay(chargePointId: string): string | null {
    const running = this.runs.get(chargePointId);
    return running ? `a ${this.kind.noun} (${this.kind.idOf(running.record)}) is under way` : null;
  }

  /** Runs a previous process left running have failed: their URLs died with it. */
  recoverInterrupted(): void {
    const detail = `The server stopped during this ${this.kind.noun} (its ${this.kind.url} URL ended with it)`;
    for (const record of this.kind.running(this.store)) {
      this.store.write(() => this.kind.save(this.store, { ...record, state: 'failed', detail, finished_at: isoSeconds() }));
      this.log(record, 'error', `${this.capitalNoun} failed: ${detail}`);
    }
  }

  shutdown(): void {
    for (const run of [...this.runs.values()]) this.finish(run, 'failed', `The local server was shut down during this ${this.kind.noun}`);
  }

  /** Ends `run` with `detail` said in the charge point's log; a run that has ended already stays as it was. */
  protected abstract finish(run: Run, state: R['state'], detail: string): void;

  /**
   * Under way once its record is written (`write`, a plain save unless given). A write that fails
   * (a full disk) leaves nothing behind: no run that would refuse the next try for half an hour,
   * no URL a charger could still use.
   */
  protected begin(run: Run, write: () => void = () => this.kind.save(this.store, run.record)): void {
    try {
      this.store.write(write);
    } catch (err) {
      clearTimeout(run.deadline);
      run.offer.revoke();
      throw err;
    }
    this.runs.set(run.record.charge_point_id, run);
  }

  /** The charge point a new run starts on: known, connected, and with no run of this kind. */
  protected connectedFree(chargePointId: string): AnyChargePoint {
    this.known(chargePointId);
    const cp = this.csms.chargePoint(chargePointId);
    if (!cp) throw new ApiError('not_connected', `${chargePointId} is not connected over OCPP`);
    const running = this.underWay(chargePointId);
    if (running) throw new ApiError('invalid_session_state', `${running} on ${chargePointId} already`);
    return cp;
  }

  protected known(chargePointId: string): void {
    if (!this.store.chargePoints.get(chargePointId)) throw new ApiError('not_found', `charge point ${chargePointId} not found`);
  }

  /** The running record, else the latest stored one. */
  protected latestRecord(chargePointId: string): R {
    this.known(chargePointId);
    const record = this.runs.get(chargePointId)?.record ?? this.kind.latest(this.store, chargePointId);
    if (!record) throw new ApiError('not_found', `no ${this.kind.noun} for ${chargePointId} yet`);
    return record;
  }

  /** A timer that fails the charge point's run, if it still has one, with what `why` says then. */
  protected deadline(chargePointId: string, ms: number, why: (record: R) => string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const run = this.runs.get(chargePointId);
      if (run) this.finish(run, 'failed', why(run.record));
    }, ms);
    timer.unref();
    return timer;
  }

  protected waitThen(run: Run, ms: number, then: () => void): void {
    if (run.wait) clearTimeout(run.wait);
    run.wait = setTimeout(then, ms);
    run.wait.unref();
  }

  /** The common part of `finish`: false when the run had ended already. */
  protected end(run: Run, state: R['state'], detail: string): boolean {
    const id = run.record.charge_point_id;
    if (this.runs.get(id) !== run) return false;
    this.runs.delete(id);
    clearTimeout(run.deadline);
    if (run.wait) clearTimeout(run.wait);
    run.offer.revoke();
    // A detail may carry a charger's or an OS's text: bounded, as everything stored from outside is.
    Object.assign(run.record, { state, detail: clip(detail, 500), finished_at: isoSeconds() });
    this.save(run);
    return true;
  }

  protected save(run: Run): void {
    this.store.write(() => this.kind.save(this.store, run.record));
  }

  protected log(record: R, level: LogLevel, message: string): void {
    chargerLog(this.store, this.kind.log)(record.charge_point_id, this.kind.idOf(record), level, message);
  }

  private get capitalNoun(): string {
    return this.kind.noun[0]!.toUpperCase() + this.kind.noun.slice(1);
  }
}
