import { backoffDelay } from '../../../common/backoff.js';
import type { OutboxState } from '../../../server/store/outbox.js';
import type { Store } from '../../../server/store/store.js';
import type { SyncKind, SyncProgress, SyncReport } from '../../../server/sync/outbox-sync.js';
import { CliContext } from '../../context.js';
import { AuthRequired, OfflineError, UsageError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { assertDataDir } from '../../local-runtime.js';
import { tildify } from '../../paths.js';
import { shellWord } from '../../../common/shell-word.js';
import { table } from '../../table.js';
import { visible } from '../../visible.js';

export interface SyncOptions {
  status: boolean;
  retryParked: boolean;
  to?: string | undefined;
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
  const dataDir = parent.dataDir;
  assertDataDir(dataDir);
  const { Store } = await import('../../../server/store/store.js');
  const store = Store.open(dataDir);
  try {
    if (o.status) return status(parent, store, dataDir);
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
          throw new OfflineError(`${unavailable.message}; ${store.outbox.counts().pending} record(s) still pending`, (c) => `nothing is lost: run ${c('sync', { server: false })} again when online (or keep local up --sync-to running)`);
        }
        try {
          const report = await sync.run();
          bar.done();
          summary(ctx, url, report, store.outbox.summary());
          // Something the hosted API refused needs a person: a script must not take it for done.
          return store.outbox.counts().parked > 0 ? EXIT.parked : EXIT.ok;
        } catch (err) {
          bar.done();
          if (err instanceof SyncUnauthorized) throw new AuthRequired(err.message, `run dynamo login --api-url ${shellWord(url)}`);
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

/** People's words for a number of records of one kind. */
const NOUNS: Record<SyncKind, string> = { issue: 'issue', session: 'session', logs: 'log line', commission: 'commissioning', event: 'charge point log line' };
const records = (kind: SyncKind, n: number): string => `${n} ${NOUNS[kind]}${n === 1 ? '' : 's'}`;

const KINDS: readonly SyncKind[] = ['issue', 'session', 'logs', 'commission', 'event'];

/** What each charge point's records did: sent in this pass, still pending (and why, when held back), parked. */
function summary(ctx: CliContext, url: string, r: SyncReport, outbox: ReturnType<Store['outbox']['summary']>): void {
  const pendingOf = (cp: string, kind: SyncKind): number => outbox.find((row) => row.chargePointId === cp && row.kind === kind && row.state === 'pending')?.records ?? 0;
  const ids = [...new Set([...r.byChargePoint.keys(), ...outbox.filter((row) => row.state === 'pending').map((row) => row.chargePointId)])].sort();
  const pending = outbox.filter((row) => row.state === 'pending').reduce((n, row) => n + row.records, 0);
  const per = ids.map((id) => {
    const mine = r.byChargePoint.get(id);
    return {
      charge_point_id: id,
      sent: { issues: mine?.sent.issue ?? 0, sessions: mine?.sent.session ?? 0, log_lines: mine?.sent.logs ?? 0, commissions: mine?.sent.commission ?? 0 },
      pending: { issues: pendingOf(id, 'issue'), sessions: pendingOf(id, 'session'), log_lines: pendingOf(id, 'logs'), commissions: pendingOf(id, 'commission') },
      waiting: mine?.waiting ?? [],
      parked: mine?.parked ?? [],
    };
  });
  if (ctx.out.json) {
    ctx.out.ndjson({ type: 'done', to: url, issues: r.issues, sessions: r.sessions, log_lines: r.logLines, commissions: r.commissions, charge_point_log_lines: r.events, parked: r.parked, pending, charge_points: per });
    return;
  }
  const total = KINDS.map((k) => records(k, { issue: r.issues, session: r.sessions, logs: r.logLines, commission: r.commissions, event: r.events }[k])).join(', ');
  ctx.out.info(ctx.theme.ok(`Synced to ${url}: ${total}`));
  for (const id of ids) {
    const mine = r.byChargePoint.get(id);
    const sent = KINDS.filter((k) => (mine?.sent[k] ?? 0) > 0).map((k) => records(k, mine!.sent[k]));
    const waiting = KINDS.filter((k) => pendingOf(id, k) > 0).map((k) => records(k, pendingOf(id, k)));
    const why = (mine?.waiting ?? []).map((w) => w.reason);
    ctx.out.line(`  ${visible(id)}`);
    if (sent.length > 0) ctx.out.line(`    sent           ${sent.join(', ')}`);
    if (waiting.length > 0) ctx.out.line(`    still pending  ${waiting.join(', ')}${why.length > 0 ? ` (${visible(why.join('; '))})` : ''}`);
    for (const p of mine?.parked ?? []) ctx.out.line(`    parked         ${p.kind} ${p.ref}: ${visible(p.reason)}`);
  }
  if (r.parked > 0) ctx.out.warn(`warning: ${r.parked} record(s) parked by the hosted API; see ${ctx.command('sync --status', { server: false })}, then ${ctx.command('sync --retry-parked', { server: false })}`);
}

/** A bar redrawn in place on a terminal; NDJSON progress with --json; silence otherwise. */
function progressBar(ctx: CliContext): { update(p: SyncProgress): void; done(): void } {
  let drawn = false;
  return {
    update(p) {
      if (ctx.out.json) {
        ctx.out.ndjson({ type: 'progress', kind: p.kind, ref: p.ref, outcome: p.outcome, sent: p.sent, total: p.total, ...(p.message && { message: p.message }) });
      } else if (p.outcome === 'waiting') {
        // Said per charge point at the end.
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

/** The outbox by charge point and record kind, every count in records (a log line is one). */
function status(ctx: CliContext, store: Store, dataDir: string): number {
  const rows = store.outbox.summary();
  const totals = { pending: 0, sent: 0, parked: 0 };
  for (const row of rows) totals[row.state] += row.records;
  const ids = [...new Set(rows.map((row) => row.chargePointId))];
  const count = (cp: string, kind: SyncKind, state: OutboxState): number => rows.find((row) => row.chargePointId === cp && row.kind === kind && row.state === state)?.records ?? 0;
  // A parked session's log is parked batch by batch: one line per record it stands for.
  const parked = new Map<string, { kind: SyncKind; ref: string; chargePointId: string; records: number; attempts: number; reason: string | null }>();
  for (const e of store.outbox.list('parked', 100_000)) {
    const key = `${e.kind}\n${e.ref}`;
    const n = e.kind === 'logs' ? Number(e.payload['to_seq']) - Number(e.payload['from_seq']) + 1 : 1;
    const seen = parked.get(key);
    if (seen) seen.records += n;
    else parked.set(key, { kind: e.kind, ref: e.ref, chargePointId: e.chargePointId, records: n, attempts: e.attempts, reason: e.lastError });
  }
  if (ctx.out.json) {
    ctx.out.document({
      data_dir: dataDir,
      unit: 'records',
      ...totals,
      charge_points: ids.map((id) => ({
        charge_point_id: id,
        ...Object.fromEntries(KINDS.map((k) => [k === 'logs' ? 'log_lines' : k === 'event' ? 'charge_point_log_lines' : `${k}s`, { pending: count(id, k, 'pending'), sent: count(id, k, 'sent'), parked: count(id, k, 'parked') }])),
      })),
      parked_records: [...parked.values()].map((p) => ({ kind: p.kind, ref: p.ref, charge_point_id: p.chargePointId, records: p.records, attempts: p.attempts, reason: p.reason })),
    });
    return 0;
  }
  ctx.out.line(`Outbox of ${tildify(dataDir)}, in records: ${totals.pending} pending, ${totals.sent} sent, ${totals.parked} parked`);
  const lines = ids.flatMap((id) =>
    KINDS.filter((k) => rows.some((row) => row.chargePointId === id && row.kind === k)).map((k) => [visible(id), `${NOUNS[k]}s`, String(count(id, k, 'pending')), String(count(id, k, 'sent')), String(count(id, k, 'parked'))]),
  );
  if (lines.length > 0) for (const line of table(ctx.theme, ['CHARGE POINT', 'RECORDS', 'PENDING', 'SENT', 'PARKED'], lines)) ctx.out.line(`  ${line}`);
  if (parked.size > 0) {
    ctx.out.line('');
    const parkedRows = [...parked.values()].map((p) => [visible(p.chargePointId), records(p.kind, p.records), p.ref, visible(p.reason ?? '')]);
    for (const line of table(ctx.theme, ['CHARGE POINT', 'PARKED', 'RECORD', 'REASON'], parkedRows)) ctx.out.line(`  ${line}`);
    ctx.out.line(`  ${ctx.command('sync --retry-parked', { server: false })} sends them again once the cause is fixed`);
  }
  return 0;
}
