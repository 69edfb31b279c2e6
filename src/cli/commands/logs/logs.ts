import type { ApiClient } from '../../../api/client.js';
import type { LogEntry, LogLevel, LogsQuery } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { logLine } from '../../log-format.js';
import { PollSchedule } from '../../poll.js';
import { isFinished } from '../../session-format.js';

export interface LogsOptions {
  chargePointId: string;
  sessionId?: string | undefined;
  level?: LogLevel | undefined;
  follow: boolean;
  limit?: number | undefined;
}

const PAGE = 1000;

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
    if (o.follow && ctx.interactive) {
      const { runLogViewer } = await import('../../ui/log-viewer.js');
      return await runLogViewer(ctx, client, o.chargePointId, o.sessionId ?? null, o.level ?? null);
    }
    const query: LogsQuery = {};
    if (o.level) query.level = o.level;
    // Pin the session, so --follow does not jump to a newer one half-way.
    const head = await client.logs(o.chargePointId, { ...query, ...(o.sessionId && { session_id: o.sessionId }), limit: 1 });
    query.session_id = head.session_id ?? o.sessionId;
    let offset = o.limit !== undefined ? Math.max(0, head.total - o.limit) : 0;
    const print = (entries: LogEntry[]): void => {
      for (const entry of entries) {
        if (ctx.out.json && o.follow) ctx.out.ndjson(entry);
        else if (!ctx.out.json) ctx.out.line(logLine(ctx.theme, entry));
      }
    };
    const first = await fetchFrom(client, o.chargePointId, query, offset);
    if (ctx.out.json && !o.follow) {
      ctx.out.document({ charge_point_id: o.chargePointId, session_id: first.sessionId, logs: first.logs, total: first.total });
      return 0;
    }
    print(first.logs);
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
