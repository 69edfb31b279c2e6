import { Worker } from 'node:worker_threads';
import { LOG_LEVELS, STEP_NAMES, type LogEntry, type LogLevel, type StepName } from '../../api/contract.js';
import type { Db } from './db.js';
import { INSERT_CHUNK_SQL, chunkRow, toChunks } from './log-chunks.js';

export interface LogPage {
  logs: LogEntry[];
  total: number;
}

/**
 * A batch on its way to the writer thread, by column: copying it to the other thread then costs
 * one string per line (the message) and a few numbers, not an array and five strings.
 */
interface Batch {
  /** Session ids and their charge points; `session` below indexes these. */
  sessions: string[];
  owners: string[];
  session: number[];
  seq: number[];
  at: number[];
  /** Index into LOG_LEVELS. */
  level: number[];
  /** Index into STEP_NAMES plus one; 0 for no step. */
  step: number[];
  message: string[];
}

const emptyBatch = (): Batch => ({ sessions: [], owners: [], session: [], seq: [], at: [], level: [], step: [], message: [] });
const LEVEL_INDEX = new Map(LOG_LEVELS.map((l, i) => [l, i]));
const STEP_INDEX = new Map(STEP_NAMES.map((s, i) => [s, i + 1]));

/** [seq, at, level, step, message]: one line as stored inside a chunk. */
type Line = [number, number, LogLevel, StepName | null, string];

const toEntry = ([seq, at, level, step, message]: Line): LogEntry => ({ seq, timestamp: new Date(at).toISOString(), level, step, message });

/** What a page query walks: a level's chunk (from_seq set), or a whole group (from_seq null). */
interface Span {
  grp: number;
  from_seq: number | null;
  n: number;
}

/** A group's chunks hold its levels apart: put its lines back in the order they were logged. */
const bySeq = (lines: Line[]): Line[] => lines.sort((a, b) => a[0] - b[0]);

/** The column that counts a level's lines in a chunk (migration 3). */
const LEVEL_COUNT: Record<LogLevel, string> = { debug: 'n_debug', info: 'n_info', warn: 'n_warn', error: 'n_error' };

/** A page query gives the event loop back after this much work. */
const YIELD_AFTER_MS = 8;

/** How long a barrier waits for the writer before it gives up (a writer that died). */
const BARRIER_TIMEOUT_MS = 30_000;

/**
 * Session logs. Lines are numbered per session (`seq`), buffered briefly, and written by a
 * worker thread with its own connection, in one transaction per batch together with the outbox
 * entry that announces them. Every frame of a session is a line, so on a busy server this is
 * most of the writing: it stays off the thread that answers charge points, and a session's lines
 * of one batch are stored as a few chunks (one per level, log-chunks.js) rather than a row each.
 * Reads decode only the chunks they need; they are rare next to writes.
 *
 * `barrier()` makes everything appended so far durable before returning: Store.write calls it
 * before any state change (a step never appears finished without the lines that led to it), and
 * so does every read.
 */
export class Logs {
  private batch = emptyBatch();
  private batchSessions = new Map<string, number>();
  private readonly nextSeq = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private worker: Worker | null = null;
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private posted = 0;
  private lastError: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly outbox: boolean,
    private readonly flushDelayMs = 50,
    private readonly maxBuffered = 5000,
  ) {}

  append(sessionId: string, chargePointId: string, level: LogLevel, step: StepName | null, message: string, at = Date.now()): void {
    const b = this.batch;
    let index = this.batchSessions.get(sessionId);
    if (index === undefined) {
      index = b.sessions.push(sessionId) - 1;
      b.owners.push(chargePointId);
      this.batchSessions.set(sessionId, index);
    }
    b.session.push(index);
    b.seq.push(this.allocateSeq(sessionId));
    b.at.push(at);
    b.level.push(LEVEL_INDEX.get(level)!);
    b.step.push(step === null ? 0 : STEP_INDEX.get(step)!);
    b.message.push(message);
    if (b.message.length >= this.maxBuffered) this.post();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.post(), this.flushDelayMs);
      this.timer.unref();
    }
  }

  /** Waits until every line appended so far is committed. */
  barrier(): void {
    this.post();
    if (Atomics.load(this.control, 0) >= this.posted) return this.check();
    const deadline = Date.now() + BARRIER_TIMEOUT_MS;
    for (;;) {
      const committed = Atomics.load(this.control, 0);
      if (committed >= this.posted) break;
      if (Date.now() > deadline) throw new Error('the log writer did not answer; log lines may be lost');
      Atomics.wait(this.control, 0, committed, 100);
    }
    this.check();
  }

  /**
   * A page of one session's lines, oldest first; `level` matches exactly that level. Counts say
   * where the page lies, so only what it spans is decoded, a chunk at a time, and the work
   * yields to the event loop every few milliseconds: a query over a session of a million lines
   * neither holds the server up nor holds the session in memory. By level, the chunks read are
   * that level's (log-chunks.js); without one, the groups the page spans, merged by seq.
   */
  async page(sessionId: string, options: { level?: LogLevel; limit: number; offset: number }): Promise<LogPage> {
    this.barrier();
    const { level, limit, offset } = options;
    const spans = level
      ? (this.db.prepare(`SELECT grp, from_seq, ${LEVEL_COUNT[level]} AS n FROM log_chunks WHERE session_id = ? AND ${LEVEL_COUNT[level]} > 0 ORDER BY grp, from_seq`).all(sessionId) as Span[])
      : (this.db.prepare('SELECT grp, NULL AS from_seq, sum(line_count) AS n FROM log_chunks WHERE session_id = ? GROUP BY grp ORDER BY grp').all(sessionId) as Span[]);
    const total = spans.reduce((sum, c) => sum + c.n, 0);
    const readChunk = this.db.prepare('SELECT lines FROM log_chunks WHERE session_id = ? AND from_seq = ?');
    const readGroup = this.db.prepare('SELECT lines FROM log_chunks WHERE session_id = ? AND grp = ?');
    const logs: LogEntry[] = [];
    let seen = 0;
    let slice = Date.now();
    for (const span of spans) {
      if (logs.length >= limit) break;
      if (seen + span.n <= offset) {
        seen += span.n;
        continue;
      }
      const rows = (span.from_seq === null ? readGroup.all(sessionId, span.grp) : [readChunk.get(sessionId, span.from_seq)]) as { lines: string }[];
      const lines = bySeq(this.decode(rows)).filter((l) => !level || l[2] === level);
      const from = Math.max(0, offset - seen);
      for (const line of lines.slice(from, from + limit - logs.length)) logs.push(toEntry(line));
      seen += span.n;
      if (Date.now() - slice > YIELD_AFTER_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = Date.now();
      }
    }
    return { logs, total };
  }

  /** Lines with seq in [from, to], for sync. */
  range(sessionId: string, from: number, to: number): LogEntry[] {
    this.barrier();
    return this.lines(sessionId, from, to)
      .filter((l) => l[0] >= from && l[0] <= to)
      .map(toEntry);
  }

  /** Sync, receiving side: stores lines it does not have yet; a (session, seq) it has is skipped. */
  receive(sessionId: string, entries: LogEntry[]): { accepted: number; duplicates: number } {
    if (entries.length === 0) return { accepted: 0, duplicates: 0 };
    const sorted = [...entries].sort((a, b) => a.seq - b.seq);
    const insert = this.db.prepare(INSERT_CHUNK_SQL);
    let accepted = 0;
    this.db.transaction(() => {
      const have = new Set(this.lines(sessionId, sorted[0]!.seq, sorted[sorted.length - 1]!.seq).map((l) => l[0]));
      let run: Line[] = [];
      const store = (): void => {
        for (const group of toChunks(run)) for (const chunk of group.chunks) insert.run(...chunkRow(sessionId, chunk));
        accepted += run.length;
        run = [];
      };
      for (const e of sorted) {
        if (have.has(e.seq)) {
          store();
          continue;
        }
        have.add(e.seq);
        if (run.length > 0 && run[run.length - 1]![0] !== e.seq - 1) store();
        run.push([e.seq, Date.parse(e.timestamp), e.level, e.step, e.message]);
      }
      store();
    })();
    return { accepted, duplicates: entries.length - accepted };
  }

  /** A session's lines in seq order; only the chunks that overlap [from, to] when given. */
  private lines(sessionId: string, from = 0, to = Number.MAX_SAFE_INTEGER): Line[] {
    const rows = this.db
      .prepare('SELECT lines FROM log_chunks WHERE session_id = ? AND to_seq >= ? AND from_seq <= ?')
      .all(sessionId, from, to) as { lines: string }[];
    return bySeq(this.decode(rows));
  }

  private decode(rows: { lines: string }[]): Line[] {
    return rows.flatMap((r) => JSON.parse(r.lines) as Line[]);
  }

  /** Forgets the per-session counter of a session that will log no more. */
  release(sessionId: string): void {
    this.nextSeq.delete(sessionId);
  }

  /** Writes what is left and stops the writer thread. */
  async close(): Promise<void> {
    this.barrier();
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    // Unref'd while it runs; held now so the process waits for its last commit.
    worker.ref();
    await new Promise<void>((resolve) => {
      worker.once('message', () => resolve());
      worker.once('exit', () => resolve());
      worker.postMessage({ close: true });
    });
    await worker.terminate();
  }

  private allocateSeq(sessionId: string): number {
    let next = this.nextSeq.get(sessionId);
    if (next === undefined) {
      // First line of this session in this process: continue after what is already stored.
      this.barrier();
      const row = this.db.prepare('SELECT max(to_seq) AS s FROM log_chunks WHERE session_id = ?').get(sessionId) as { s: number | null };
      next = (row.s ?? 0) + 1;
    }
    this.nextSeq.set(sessionId, next + 1);
    return next;
  }

  private post(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.batch.message.length === 0) return;
    const batch = this.batch;
    this.batch = emptyBatch();
    this.batchSessions = new Map();
    this.posted += 1;
    this.writer().postMessage({ id: this.posted, batch });
  }

  private writer(): Worker {
    if (!this.worker) {
      this.worker = new Worker(new URL('./log-writer.worker.js', import.meta.url), {
        workerData: { file: this.db.name, outbox: this.outbox, control: this.control.buffer, levels: LOG_LEVELS, steps: STEP_NAMES },
      });
      this.worker.on('message', (m: { error?: string }) => {
        if (m.error) this.lastError = m.error;
      });
      this.worker.on('error', (err) => {
        this.lastError = err.message;
        Atomics.store(this.control, 1, 1);
      });
      // The writer must not keep a finished command alive; close() ends it properly.
      this.worker.unref();
    }
    return this.worker;
  }

  private check(): void {
    if (Atomics.load(this.control, 1) === 0) return;
    Atomics.store(this.control, 1, 0);
    throw new Error(`the log writer failed: ${this.lastError ?? 'unknown error'}`);
  }
}
