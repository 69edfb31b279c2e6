import type { ApiClient } from '../../../api/client.js';
import { type ChargePointEvent, LOG_LEVELS, type LogEntry, type LogLevel, type LogsQuery } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { logLine } from '../../log-format.js';
import { PollSchedule } from '../../poll.js';
import { isFinished } from '../../session-format.js';

export interface LogsOptions {
  chargePointId: string;
  /** The charge point's own log (firmware, diagnostics) rather than a session's. */
  topic?: ChargePointEvent['topic'];
  sessionId?: string | undefined;
  level?: LogLevel | undefined;
  /** This level and worse, filtered here: the API's `level` is an exact match. */
  minLevel?: LogLevel | undefined;
  follow: boolean;
  limit?: number | undefined;
}

const PAGE = 1000;

const lastOf = <T>(items: T[], n: number | undefined): T[] => (n === undefined ? items : items.slice(Math.max(0, items.length - n)));

/** Lines from `offset` to the end, paging through the API. */
export async function fetchFrom(client: ApiClient, chargePointId: string, query: LogsQuery, offset: number): Promise<{ sessionId: string | null; logs: LogEntry[]; total: number }> {
  const logs: LogEntry[] = [];
  for (;;) {
    const page = await client.logs(chargePointId, { ...query, offset: offset + logs.length, limit: PAGE });
    logs.push(...page.logs);
    if (page.logs.length < PAGE || offset + logs.length >= page.total) return { sessionId: page.session_id, logs, total: page.total };
  }
}

export async function run(ctx: CliContext, o: LogsOptions): Promise<number> {
  const client = await ctx.client();
  try {
    if (o.topic) return await ownLog(ctx, client, o.chargePointId, o.topic, o.level);
    if (o.follow && ctx.interactive) {
      const { runLogViewer } = await import('../../ui/log-viewer.js');
      const viewerLevel = o.minLevel === 'debug' ? null : o.minLevel === 'info' ? null : (o.minLevel ?? o.level ?? null);
      return await runLogViewer(ctx, client, o.chargePointId, o.sessionId ?? null, viewerLevel);
    }
    const query: LogsQuery = {};
    if (o.level) query.level = o.level;
    // Pin the session, so --follow does not jump to a newer one half-way.
    const head = await client.logs(o.chargePointId, { ...query, ...(o.sessionId && { session_id: o.sessionId }), limit: 1 });
    query.session_id = head.session_id ?? o.sessionId;
    // With --min-level the lines are filtered here, so --limit counts what is shown, not what was read.
    const shown = o.minLevel === undefined ? () => true : (e: LogEntry) => LOG_LEVELS.indexOf(e.level) >= LOG_LEVELS.indexOf(o.minLevel!);
    let offset = o.limit !== undefined && o.minLevel === undefined ? Math.max(0, head.total - o.limit) : 0;
    const print = (entries: LogEntry[]): void => {
      for (const entry of entries.filter(shown)) {
        if (ctx.out.json && o.follow) ctx.out.ndjson(entry, 'log');
        else if (!ctx.out.json) ctx.out.line(logLine(ctx.theme, entry));
      }
    };
    const first = await fetchFrom(client, o.chargePointId, query, offset);
    const firstShown = o.minLevel === undefined ? first.logs : lastOf(first.logs.filter(shown), o.limit);
    if (ctx.out.json && !o.follow) {
      ctx.out.document({ charge_point_id: o.chargePointId, session_id: first.sessionId, logs: firstShown, total: o.minLevel === undefined ? first.total : firstShown.length });
      return 0;
    }
    print(firstShown);
    offset += first.logs.length;
    if (!o.follow) return 0;
    const schedule = new PollSchedule();
    for (;;) {
      const status = await client.status(o.chargePointId);
      const ended = status.session_id !== query.session_id || isFinished(status);
      const next = await fetchFrom(client, o.chargePointId, query, offset);
      print(next.logs);
      offset += next.logs.length;
      if (ended) return 0;
      await new Promise((r) => setTimeout(r, schedule.next(next.logs.length > 0 ? 'changed' : 'unchanged')));
    }
  } finally {
    await client.close();
  }
}

/** A charge point's own log: every step of its firmware updates (or diagnostics fetches), whatever the session. */
async function ownLog(ctx: CliContext, client: ApiClient, chargePointId: string, topic: ChargePointEvent['topic'], level: LogLevel | undefined): Promise<number> {
  const events = (await client.chargePointEvents(chargePointId, topic)).events.filter((e) => !level || e.level === level);
  if (ctx.out.json) ctx.out.document({ charge_point_id: chargePointId, topic, events });
  else for (const e of events) ctx.out.line(logLine(ctx.theme, { seq: 0, timestamp: e.timestamp, level: e.level, step: null, message: e.message }));
  return 0;
}
