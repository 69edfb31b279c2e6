import type { LogEntry, LogLevel, StepName } from '../../api/contract.js';
import { isoMillis } from '../../common/time.js';
import type { Db } from './db.js';
import type { Outbox } from './outbox.js';

interface Pending extends LogEntry {
  sessionId: string;
  chargePointId: string;
}

export interface LogPage {
  logs: LogEntry[];
  total: number;
}

/**
 * Session logs. Lines are numbered per session (`seq`) and buffered briefly, then written in one
 * transaction per batch, with one outbox entry per session and batch. Any state change flushes
 * the buffer first (Store.write), so a step never appears finished without its log lines.
 */
export class Logs {
  private buffer: Pending[] = [];
  private readonly nextSeq = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly flushDelayMs = 25,
    private readonly maxBuffered = 500,
  ) {}

  append(sessionId: string, chargePointId: string, level: LogLevel, step: StepName | null, message: string, at = new Date()): LogEntry {
    const seq = this.allocateSeq(sessionId);
    const entry: Pending = { sessionId, chargePointId, seq, timestamp: isoMillis(at), level, step, message };
    this.buffer.push(entry);
    if (this.buffer.length >= this.maxBuffered) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushDelayMs);
      this.timer.unref();
    }
    return entry;
  }

  /** Writes buffered lines now; inside an open transaction it joins that transaction. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const insert = this.db.prepare('INSERT INTO logs (session_id, seq, timestamp, level, step, message) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      const ranges = new Map<string, { chargePointId: string; from: number; to: number }>();
      for (const e of batch) {
        insert.run(e.sessionId, e.seq, e.timestamp, e.level, e.step, e.message);
        const range = ranges.get(e.sessionId);
        if (range) range.to = e.seq;
        else ranges.set(e.sessionId, { chargePointId: e.chargePointId, from: e.seq, to: e.seq });
      }
      for (const [sessionId, r] of ranges) this.outbox.add('logs', sessionId, r.chargePointId, { from_seq: r.from, to_seq: r.to });
    })();
  }

  /** A page of one session's lines, oldest first; `level` matches exactly that level. */
  page(sessionId: string, options: { level?: LogLevel; limit: number; offset: number }): LogPage {
    this.flush();
    const where = options.level ? 'session_id = ? AND level = ?' : 'session_id = ?';
    const args: unknown[] = options.level ? [sessionId, options.level] : [sessionId];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM logs WHERE ${where}`).get(...args) as { n: number }).n;
    const logs = this.db
      .prepare(`SELECT seq, timestamp, level, step, message FROM logs WHERE ${where} ORDER BY seq LIMIT ? OFFSET ?`)
      .all(...args, options.limit, options.offset) as LogEntry[];
    return { logs, total };
  }

  /** Lines with seq in [from, to], for sync. */
  range(sessionId: string, from: number, to: number): LogEntry[] {
    this.flush();
    return this.db
      .prepare('SELECT seq, timestamp, level, step, message FROM logs WHERE session_id = ? AND seq BETWEEN ? AND ? ORDER BY seq')
      .all(sessionId, from, to) as LogEntry[];
  }

  /** Sync, receiving side: stores lines it does not have yet; a (session, seq) it has is skipped. */
  receive(sessionId: string, entries: LogEntry[]): { accepted: number; duplicates: number } {
    const insert = this.db.prepare(
      'INSERT INTO logs (session_id, seq, timestamp, level, step, message) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    let accepted = 0;
    this.db.transaction(() => {
      for (const e of entries) accepted += insert.run(sessionId, e.seq, e.timestamp, e.level, e.step, e.message).changes;
    })();
    return { accepted, duplicates: entries.length - accepted };
  }

  private allocateSeq(sessionId: string): number {
    let next = this.nextSeq.get(sessionId);
    if (next === undefined) {
      const row = this.db.prepare('SELECT max(seq) AS s FROM logs WHERE session_id = ?').get(sessionId) as { s: number | null };
      const buffered = this.buffer.filter((e) => e.sessionId === sessionId).length;
      next = (row.s ?? 0) + buffered + 1;
    }
    this.nextSeq.set(sessionId, next + 1);
    return next;
  }

  /** Forgets the per-session counter of a session that will log no more. */
  release(sessionId: string): void {
    this.nextSeq.delete(sessionId);
  }
}
