import type { ApiClient } from '../api/client.js';
import { NetworkError } from '../api/client-errors.js';
import type { StatusResponse } from '../api/contract.js';
import { isFinished } from './session-format.js';

/**
 * How often to poll: every second while things change, backing off while nothing does, and
 * further while the server cannot be reached (a site on one bar of 4G must not be hammered).
 */
export class PollSchedule {
  private delay: number;

  constructor(
    readonly minMs = 1000,
    readonly maxIdleMs = 5000,
    readonly maxFailingMs = 30_000,
  ) {
    this.delay = minMs;
  }

  next(outcome: 'changed' | 'unchanged' | 'failed'): number {
    if (outcome === 'changed') this.delay = this.minMs;
    else if (outcome === 'unchanged') this.delay = Math.min(this.maxIdleMs, Math.round(this.delay * 1.5));
    else this.delay = Math.min(this.maxFailingMs, Math.max(this.minMs * 2, this.delay * 2));
    return this.delay;
  }
}

export type WatchEvent = { kind: 'status'; status: StatusResponse; changed: boolean } | { kind: 'offline'; error: Error; retryInMs: number };

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Polls a charge point's status until its session ends (or `signal` aborts), yielding every
 * snapshot and every failed poll. Gives up with the network error after `maxOutageMs` of
 * consecutive failures.
 */
export async function* watchStatus(
  client: ApiClient,
  chargePointId: string,
  options: { schedule?: PollSchedule; signal?: AbortSignal; maxOutageMs?: number; first?: StatusResponse } = {},
): AsyncGenerator<WatchEvent> {
  const schedule = options.schedule ?? new PollSchedule();
  const maxOutage = options.maxOutageMs ?? 10 * 60_000;
  let last = options.first ? JSON.stringify(options.first) : '';
  let failingSince: number | null = null;
  let delay = 0;
  for (;;) {
    if (options.signal?.aborted) return;
    await sleep(delay, options.signal);
    if (options.signal?.aborted) return;
    try {
      const status = await client.status(chargePointId);
      failingSince = null;
      const text = JSON.stringify(status);
      const changed = text !== last;
      last = text;
      yield { kind: 'status', status, changed };
      if (isFinished(status)) return;
      delay = schedule.next(changed ? 'changed' : 'unchanged');
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > maxOutage) throw err;
      delay = schedule.next('failed');
      yield { kind: 'offline', error: err, retryInMs: delay };
    }
  }
}
