import type { ApiClient } from '../../api/client.js';
import { ApiRequestError, NetworkError } from '../../api/client-errors.js';
import type { StartRequest, StatusResponse } from '../../api/contract.js';
import { mapLimit } from '../../common/map-limit.js';
import { PollSchedule } from '../poll.js';
import { isFinished } from '../session-format.js';
import { READ_CONCURRENCY, type SiteTarget } from './targets.js';

export type RowState = 'queued' | 'starting' | 'running' | 'paused' | 'passed' | 'failed' | 'stopped' | 'offline' | 'error';

const FINAL: ReadonlySet<RowState> = new Set(['passed', 'failed', 'stopped', 'offline', 'error']);
export const isFinal = (state: RowState): boolean => FINAL.has(state);

export interface SiteRow extends SiteTarget {
  state: RowState;
  session: StatusResponse | null;
  /** Why it did not pass, or what the server answered when it would not start it. */
  reason: string | null;
  /** The API's error code when the server refused it (`not_connected`, …). */
  errorCode: string | null;
  /** Set when a session of it was already running and this run follows that one. */
  followed: boolean;
}

export interface SiteRunOptions {
  concurrency: number;
  templateId?: string | undefined;
  skipTestTransaction?: boolean;
  /** Fastest poll; tests lower it. */
  pollMs?: number;
  /** Give up (the network error) after this long without an answer. */
  maxOutageMs?: number;
}

export type RowAction = 'pause' | 'resume' | 'stop';

const stateOfSession = (s: StatusResponse): RowState => {
  if (s.status === 'running' || s.status === 'paused') return s.status;
  if (s.status === 'completed') return s.result === 'passed' ? 'passed' : 'failed';
  return s.status;
};

/** Why a finished session did not pass, as `status` would say it. */
export function reasonOf(s: StatusResponse): string | null {
  if (s.status === 'completed' && s.result === 'passed') return null;
  if (s.status === 'stopped') return 'stopped';
  const step = s.steps.find((x) => x.status === 'failed');
  if (step) return `${step.name}: ${step.detail ?? 'failed'}`;
  return s.failure_reason ?? s.status;
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Commissions many charge points: starts sessions, at most `concurrency` running at once (the
 * next starts as one ends), and follows them by polling each running session once per
 * interval (PollSchedule: faster while things change, backing off while nothing does or the
 * server cannot be reached), a few requests in flight at a time. A charge point the server
 * will not start (not connected, commissioned, unknown) is a row that says why, never the
 * end of the run. Views and printers listen with `onChange`.
 */
export class SiteRun {
  readonly rows: SiteRow[];
  /** Set while the server cannot be reached: what the last poll got instead. */
  offline: string | null = null;
  private readonly listeners = new Set<(row: SiteRow | null) => void>();
  private cancelled = false;
  private wake: (() => void) | null = null;
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly client: ApiClient,
    targets: readonly SiteTarget[],
    private readonly options: SiteRunOptions,
  ) {
    this.rows = targets.map((t) => ({ ...t, state: 'queued', session: null, reason: null, errorCode: null, followed: false }));
  }

  /** Called with each row that changed, and with null when the run as a whole did (offline, ended). */
  onChange(listener: (row: SiteRow | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get done(): boolean {
    return this.rows.every((r) => isFinal(r.state) || (this.cancelled && r.state === 'queued'));
  }

  /** Runs until every row is final, or until cancel(); rejects after a long outage. */
  async run(): Promise<void> {
    const schedule = new PollSchedule(this.options.pollMs ?? 1000);
    const maxOutage = this.options.maxOutageMs ?? 10 * 60_000;
    let failingSince: number | null = null;
    while (!this.cancelled && !this.done) {
      const started = await this.fill();
      const polled = await this.poll();
      if (polled === 'failed') {
        failingSince ??= Date.now();
        if (Date.now() - failingSince > maxOutage) throw new NetworkError(this.client.baseUrl, new Error(this.offline ?? 'no answer'));
      } else failingSince = null;
      if (this.cancelled || this.done) break;
      await this.sleep(schedule.next(polled === 'failed' ? 'failed' : started || polled === 'changed' ? 'changed' : 'unchanged'));
    }
    this.emit(null);
  }

  /** No more sessions are started; those running go on without this run. */
  cancel(): void {
    this.cancelled = true;
    this.wake?.();
  }

  /** Pause, resume or stop one charge point's session; a queued one stopped is never started. */
  async act(id: string, action: RowAction): Promise<void> {
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new Error(`${id} is not in this run`);
    if (row.state === 'queued') {
      if (action !== 'stop') throw new Error(`${id} has not started yet`);
      this.update(row, { state: 'stopped', reason: 'stopped before it started' });
      return;
    }
    if (action === 'pause') await this.client.pause(id);
    else if (action === 'resume') await this.client.resume(id);
    else await this.client.stop(id);
    this.poke();
  }

  /** The same for every row it applies to: pause running ones, stop running, paused and queued ones. Returns the failures. */
  async actAll(action: 'pause' | 'stop'): Promise<string[]> {
    const wanted: RowState[] = action === 'pause' ? ['running'] : ['queued', 'starting', 'running', 'paused'];
    const rows = this.rows.filter((r) => wanted.includes(r.state));
    const failures = await mapLimit(rows, READ_CONCURRENCY, async (r) => {
      try {
        await this.act(r.id, action);
        return null;
      } catch (err) {
        return `${r.id}: ${describe(err)}`;
      }
    });
    return failures.filter((f): f is string => f !== null);
  }

  private emit(row: SiteRow | null): void {
    for (const listener of this.listeners) listener(row);
  }

  private update(row: SiteRow, change: Partial<SiteRow>): void {
    Object.assign(row, change);
    this.emit(row);
  }

  private poke(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Starts queued charge points while fewer than `concurrency` run; true if any was started. */
  private async fill(): Promise<boolean> {
    const active = this.rows.filter((r) => r.state === 'running' || r.state === 'paused').length;
    const next = this.rows.filter((r) => r.state === 'queued').slice(0, Math.max(0, this.options.concurrency - active));
    for (const row of next) this.update(row, { state: 'starting' });
    await mapLimit(next, READ_CONCURRENCY, (row) => this.startOne(row));
    return next.length > 0;
  }

  private async startOne(row: SiteRow): Promise<void> {
    const body: StartRequest = {};
    if (this.options.templateId) body.template_id = this.options.templateId;
    if (this.options.skipTestTransaction) body.skip_test_transaction = true;
    try {
      const started = await this.client.start(row.id, body);
      this.setSession(row, { ...started, result: null, completed_at: null });
    } catch (err) {
      if (err instanceof ApiRequestError && err.code === 'session_already_running') {
        // Started by someone else, or by a run that was quit: follow it rather than fail it.
        this.update(row, { state: 'running', followed: true });
        return;
      }
      const offline = err instanceof ApiRequestError && err.code === 'not_connected';
      this.update(row, {
        state: offline ? 'offline' : 'error',
        ...(offline && { connected: false }),
        reason: describe(err),
        errorCode: err instanceof ApiRequestError ? err.code : err instanceof NetworkError ? 'network' : 'cli_error',
      });
    }
  }

  /** One status request per running session; 'failed' when none could be answered. */
  private async poll(): Promise<'changed' | 'unchanged' | 'failed'> {
    const rows = this.rows.filter((r) => r.state === 'running' || r.state === 'paused');
    if (rows.length === 0) return 'unchanged';
    let changed = false;
    let networkErrors = 0;
    let lastError: string | null = null;
    await mapLimit(rows, READ_CONCURRENCY, async (row) => {
      if (!(row.state === 'running' || row.state === 'paused')) return;
      try {
        const status = await this.client.status(row.id);
        if (this.setSession(row, status)) changed = true;
      } catch (err) {
        if (err instanceof NetworkError) {
          networkErrors += 1;
          lastError = describe(err);
        } else {
          this.update(row, { state: 'error', reason: describe(err), errorCode: err instanceof ApiRequestError ? err.code : 'cli_error' });
          changed = true;
        }
      }
    });
    const offline = networkErrors === rows.length ? lastError : null;
    if (offline !== this.offline) {
      this.offline = offline;
      this.emit(null);
    }
    return offline ? 'failed' : changed ? 'changed' : 'unchanged';
  }

  /** Takes a snapshot of a row's session; true (and listeners told) when it changed. */
  private setSession(row: SiteRow, status: StatusResponse): boolean {
    const text = JSON.stringify(status);
    if (this.seen.get(row.id) === text && row.state !== 'starting') return false;
    this.seen.set(row.id, text);
    const state = stateOfSession(status);
    this.update(row, { session: status, state, reason: isFinished(status) ? reasonOf(status) : null, ...(row.connected === null && { connected: true }) });
    return true;
  }
}
