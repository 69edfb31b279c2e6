import { backoffDelay } from '../../../common/backoff.js';
import type { OutboxEntry } from '../../../server/store/outbox.js';
import type { SyncProgress, SyncReport } from '../../../server/sync/outbox-sync.js';
import { CliContext } from '../../context.js';
import { AuthRequired, OfflineError, UsageError } from '../../errors.js';
import { tildify } from '../../paths.js';
import { table } from '../../table.js';
import { visible } from '../../visible.js';

export interface SyncOptions {
  status: boolean;
  retryParked: boolean;
  to?: string | undefined;
  dataDir?: string | undefined;
  /** Give up after this long without reaching the hosted API. */
  maxWaitS: number;
  logBatch: number;
}

/**
 * Sends what the local server recorded offline to the hosted API. It opens the data directory
 * itself, so it works whether or not `local up` is running.
 */
export async function run(parent: CliContext, o: SyncOptions): Promise<number> {
  if (parent.options.local) throw new UsageError('sync sends from the local server to the hosted API: drop --local (use --to <hosted URL>)');
  const dataDir = o.dataDir ?? parent.dataDir;
  const { Store } = await import('../../../server/store/store.js');
  const store = Store.open(dataDir);
  try {
    if (o.status) return status(parent, store.outbox.counts(), store.outbox.list('pending', 100_000), store.outbox.list('parked'), dataDir);
    if (o.retryParked) parent.out.info(`${store.outbox.unpark()} parked record(s) back in line`);
    const url = o.to ?? parent.apiUrl();
    const ctx = new CliContext({ ...parent.options, apiUrl: url }, parent.streams, parent.env);
    // --max-wait is a deadline: no request, however slowly it is answered, outlives it.
    const deadline = Date.now() + o.maxWaitS * 1000;
    const client = await ctx.client({ deadline });
    const { OutboxSync, SyncUnauthorized, SyncUnavailable } = await import('../../../server/sync/outbox-sync.js');
    const bar = progressBar(ctx);
    const sync = new OutboxSync(store, client, { onProgress: bar.update, logBatch: o.logBatch });
    try {
      let unavailable: Error | null = null;
      for (let attempt = 0; ; attempt += 1) {
        if (unavailable && Date.now() >= deadline) {
          throw new OfflineError(`${unavailable.message}; ${store.outbox.counts().pending} record(s) still pending`, 'nothing is lost: run dynamo sync again when online (or keep local up --sync-to running)');
        }
        try {
          const report = await sync.run();
          bar.done();
          summary(ctx, url, report, store.outbox.counts().pending);
          return 0;
        } catch (err) {
          bar.done();
          if (err instanceof SyncUnauthorized) throw new AuthRequired(err.message, `run dynamo login --api-url ${url}`);
          if (!(err instanceof SyncUnavailable)) throw err;
          // A request not sent for want of time says nothing new: the reason before it stands.
          if (!unavailable || !err.message.includes('the deadline has passed')) unavailable = err;
          if (Date.now() >= deadline) continue;
          const pending = store.outbox.counts().pending;
          const delay = Math.min(backoffDelay(attempt, 1000, 30_000), Math.max(0, deadline - Date.now()));
          if (ctx.out.json) ctx.out.ndjson({ type: 'retry', reason: err.message, pending, retry_in_ms: delay });
          else ctx.out.warn(`${visible(err.message)}; ${pending} record(s) pending, retrying in ${Math.round(delay / 1000)} s`);
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    } finally {
      await client.close();
    }
  } finally {
    await store.close();
  }
}

function summary(ctx: CliContext, url: string, r: SyncReport, pending: number): void {
  if (ctx.out.json) {
    ctx.out.ndjson({ type: 'done', to: url, issues: r.issues, sessions: r.sessions, log_lines: r.logLines, parked: r.parked, pending });
    return;
  }
  ctx.out.info(ctx.theme.ok(`Synced to ${url}: ${r.issues} issue(s), ${r.sessions} session(s), ${r.logLines} log line(s)`));
  if (r.parked > 0) ctx.out.warn(`warning: ${r.parked} record(s) parked by the hosted API; see dynamo sync --status, then dynamo sync --retry-parked`);
}

/** A bar redrawn in place on a terminal; NDJSON progress with --json; silence otherwise. */
function progressBar(ctx: CliContext): { update(p: SyncProgress): void; done(): void } {
  let drawn = false;
  return {
    update(p) {
      if (ctx.out.json) {
        ctx.out.ndjson({ type: 'progress', kind: p.kind, ref: p.ref, outcome: p.outcome, sent: p.sent, total: p.total, ...(p.message && { message: p.message }) });
      } else if (p.outcome === 'parked') {
        ctx.out.warn(`${drawn ? '\n' : ''}parked ${p.kind} ${p.ref}: ${visible(p.message ?? '')}`);
        drawn = false;
      } else if (ctx.streams.stdout.isTTY && !ctx.out.quiet) {
        const width = 30;
        const filled = p.total > 0 ? Math.round((p.sent / p.total) * width) : width;
        ctx.streams.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.sent}/${p.total} records`);
        drawn = true;
      }
    },
    done() {
      if (drawn) ctx.streams.stdout.write('\n');
      drawn = false;
    },
  };
}

function status(ctx: CliContext, counts: Record<string, number>, pending: OutboxEntry[], parked: OutboxEntry[], dataDir: string): number {
  const byKind = (entries: OutboxEntry[]): Record<string, number> =>
    entries.reduce<Record<string, number>>((acc, e) => {
      const n = e.kind === 'logs' ? Number(e.payload['to_seq']) - Number(e.payload['from_seq']) + 1 : 1;
      acc[e.kind] = (acc[e.kind] ?? 0) + n;
      return acc;
    }, {});
  const pendingRecords = byKind(pending);
  if (ctx.out.json) {
    ctx.out.document({
      data_dir: dataDir,
      pending: counts['pending'],
      sent: counts['sent'],
      parked: counts['parked'],
      pending_records: { issues: pendingRecords['issue'] ?? 0, sessions: pendingRecords['session'] ?? 0, log_lines: pendingRecords['logs'] ?? 0 },
      parked_records: parked.map((e) => ({ kind: e.kind, ref: e.ref, charge_point_id: e.chargePointId, attempts: e.attempts, reason: e.lastError })),
    });
    return 0;
  }
  ctx.out.line(`Outbox of ${tildify(dataDir)}: ${counts['pending']} pending, ${counts['sent']} sent, ${counts['parked']} parked`);
  ctx.out.line(`  pending: ${pendingRecords['issue'] ?? 0} issue(s), ${pendingRecords['session'] ?? 0} session(s), ${pendingRecords['logs'] ?? 0} log line(s)`);
  if (parked.length > 0) {
    ctx.out.line('');
    for (const line of table(ctx.theme, ['PARKED', 'RECORD', 'CHARGE POINT', 'REASON'], parked.map((e) => [e.kind, e.ref, e.chargePointId, visible(e.lastError ?? '')]))) ctx.out.line(`  ${line}`);
    ctx.out.line('  dynamo sync --retry-parked sends them again once the cause is fixed');
  }
  return 0;
}
