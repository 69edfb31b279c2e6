/**
 * Fetches what a commissioning report is made of, through the installer API client only: each
 * charge point's status, diagnostics, issues and its session's log lines above debug.
 */
import type { ApiClient } from '../../api/client.js';
import { ApiRequestError } from '../../api/client-errors.js';
import { LOG_LEVELS, type LogEntry, type LogLevel } from '../../api/contract.js';
import { mapLimit } from '../../common/map-limit.js';
import type { ChargePointAnswers } from './model.js';

/** Requests in flight at once: a site's worth of charge points without queueing a thousand sockets. */
const CONCURRENCY = 8;
/** The API's largest page of log lines. */
const PAGE = 5000;
/** A session's lines of one level read at most (the engine's own budget keeps them far below). */
const MAX_LINES_PER_LEVEL = 20_000;

const REPORTED_LEVELS = LOG_LEVELS.filter((l): l is Exclude<LogLevel, 'debug'> => l !== 'debug');

const notFound = (err: unknown): boolean => err instanceof ApiRequestError && err.status === 404;

/** A line's identity: its `seq` where the server gives one (ours do; the reference shows none). */
const keyOf = (l: LogEntry): string => (typeof l.seq === 'number' ? `#${l.seq}` : `${l.timestamp}\u0000${l.level}\u0000${l.step}\u0000${l.message}`);

async function sessionLogs(client: ApiClient, chargePointId: string, sessionId: string): Promise<LogEntry[]> {
  const byKey = new Map<string, LogEntry>();
  const read = async (level: LogLevel): Promise<void> => {
    for (let offset = 0; offset < MAX_LINES_PER_LEVEL; offset += PAGE) {
      const page = await client.logs(chargePointId, { session_id: sessionId, level, limit: PAGE, offset });
      // A server that reads `level` as "this and above" gives lines twice: once is enough.
      for (const line of page.logs) if (line.level !== 'debug') byKey.set(keyOf(line), line);
      if (page.logs.length < PAGE || offset + PAGE >= page.total) break;
    }
  };
  await Promise.all(REPORTED_LEVELS.map(read));
  return [...byKey.values()].sort((a, b) => (typeof a.seq === 'number' && typeof b.seq === 'number' ? a.seq - b.seq : a.timestamp.localeCompare(b.timestamp)));
}

async function answersFor(client: ApiClient, chargePointId: string, commissioned: boolean | null): Promise<ChargePointAnswers> {
  // Diagnostics first: a charge point the server does not know is a 404 there, and ends the report.
  const diagnostics = await client.diagnostics(chargePointId);
  const [status, issues] = await Promise.all([
    client.status(chargePointId).catch((err: unknown) => {
      if (notFound(err)) return null;
      throw err;
    }),
    client.issues(chargePointId),
  ]);
  const logs = status ? await sessionLogs(client, chargePointId, status.session_id) : [];
  return { charge_point_id: chargePointId, status, diagnostics, logs, issues: issues.issues, commissioned };
}

/** Each charge point's answers, in the order given, a few at a time. */
export function collect(client: ApiClient, ids: readonly string[], commissioned: ReadonlyMap<string, boolean> | null): Promise<ChargePointAnswers[]> {
  return mapLimit(ids, CONCURRENCY, (id) => answersFor(client, id, commissioned?.get(id) ?? null));
}
