import { ApiClient } from '../../api/client.js';
import { backoffDelay } from '../../common/backoff.js';
import type { Store } from '../store/store.js';
import { OutboxSync, SyncUnauthorized, SyncUnavailable } from './outbox-sync.js';

export interface BackgroundSyncOptions {
  store: Store;
  /** The hosted API. */
  url: string;
  /** The token for it, read again before every attempt (a login meanwhile is picked up). */
  token: () => string | null;
  log: (message: string) => void;
  /** How often to look at the outbox when all is sent. */
  idleMs?: number;
  /** Back-off while the hosted API cannot be reached: from base, doubling to max, with jitter. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** On stop, how long a request under way may still take before it is cut (its record stays pending). */
  stopGraceMs?: number;
}

/**
 * Sends the outbox whenever the hosted API answers: a cheap GET /healthz first, then a sync
 * pass. While offline it backs off with jitter; it never blocks the engine (everything here is
 * asynchronous and the store calls are short). Returns a function that stops it.
 */
export function startBackgroundSync(options: BackgroundSyncOptions): () => Promise<void> {
  const { store, url, log } = options;
  const idleMs = options.idleMs ?? 5000;
  let stopped = false;
  let wake: (() => void) | null = null;
  let current: ApiClient | null = null;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async (): Promise<void> => {
    let attempt = 0;
    let told = '';
    const say = (message: string): void => {
      if (message !== told) log(message);
      told = message;
    };
    const backoff = (): number => backoffDelay(attempt++, options.backoffBaseMs ?? 2000, options.backoffMaxMs ?? 300_000);
    while (!stopped) {
      if (store.outbox.counts().pending === 0) {
        await sleep(idleMs);
        continue;
      }
      const token = options.token();
      if (!token) {
        say(`sync to ${url} is waiting for a login: dynamo login --api-url ${url}`);
        await sleep(30_000);
        continue;
      }
      const client = new ApiClient(url, { token, maxRetries: 0, timeoutMs: 30_000 });
      current = client;
      try {
        await client.health();
        if (stopped) break;
        const report = await new OutboxSync(store, client, { stopped: () => stopped }).run();
        attempt = 0;
        const parts = [
          report.issues && `${report.issues} issue(s)`,
          report.sessions && `${report.sessions} session(s)`,
          report.logLines && `${report.logLines} log line(s)`,
          report.commissions && `${report.commissions} commissioning(s)`,
          report.events && `${report.events} charge point log line(s)`,
        ].filter(Boolean);
        if (parts.length > 0) say(`synced to ${url}: ${parts.join(', ')}`);
        if (report.parked > 0) say(`${report.parked} record(s) parked by ${url}; see dynamo sync --status`);
        // What is left waits for a parked record (a commissioning on its session): not a reason to spin.
        if (parts.length === 0 && report.parked === 0) await sleep(idleMs);
      } catch (err) {
        // Cut by the stop below: nothing to say, the record stays pending.
        if (stopped) break;
        if (err instanceof SyncUnauthorized) {
          say(`sync to ${url} stopped: ${err.message}; run dynamo login --api-url ${url}`);
          await sleep(30_000);
        } else {
          const delay = backoff();
          say(`${url} not reachable (${err instanceof SyncUnavailable ? err.message : (err as Error).message}); retrying with back-off`);
          await sleep(delay);
        }
      } finally {
        await client.close().catch(() => undefined);
      }
    }
  };
  const running = loop();
  return async () => {
    stopped = true;
    wake?.();
    // A pass under way ends at its next record; a request stuck on a slow site link is cut after a
    // grace, so `local up` shuts down in seconds. A record cut in flight is sent again later, and
    // the hosted API's idempotency keeps it single.
    const cut = setTimeout(() => void current?.destroy().catch(() => undefined), options.stopGraceMs ?? 5000);
    try {
      await running;
    } finally {
      clearTimeout(cut);
    }
  };
}
