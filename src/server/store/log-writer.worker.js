// Writes session log lines in its own thread, so the OCPP server's thread spends its time on
// OCPP. Plain JavaScript, not TypeScript: the same file runs from src/ under the tests and from
// dist/ in the build. Protocol (see logs.ts): { id, rows, owners } batches in; once a batch is committed,
// control[0] = id and Atomics.notify; on failure also control[1] = 1 and an error message out.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, outbox, control: buffer } = workerData;
const control = new Int32Array(buffer);
const db = new Database(file);
// A later state change (synchronous=FULL on the main connection) fsyncs these pages too; until
// then log lines survive a killed process, and may be lost to a power cut with nothing after them.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');

const insertChunk = db.prepare('INSERT INTO log_chunks (session_id, from_seq, to_seq, line_count, lines) VALUES (?, ?, ?, ?, ?)');
const insertOutbox = db.prepare("INSERT INTO outbox (kind, ref, charge_point_id, payload, created_at) VALUES ('logs', ?, ?, ?, ?)");

/**
 * Rows are [sessionId, seq, at, level, step, message]; owners maps a session to its charge point.
 * A session's rows in one batch are consecutive in seq: they become one chunk, stored as
 * [seq, at, level, step, message] each.
 */
const write = db.transaction((rows, owners) => {
  const chunks = new Map();
  for (const [sessionId, seq, at, level, step, message] of rows) {
    let chunk = chunks.get(sessionId);
    if (!chunk) chunks.set(sessionId, (chunk = { chargePointId: owners[sessionId], from: seq, to: seq, lines: [] }));
    chunk.to = seq;
    chunk.lines.push([seq, at, level, step, message]);
  }
  const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const [sessionId, c] of chunks) {
    insertChunk.run(sessionId, c.from, c.to, c.lines.length, JSON.stringify(c.lines));
    if (outbox) insertOutbox.run(sessionId, c.chargePointId, JSON.stringify({ from_seq: c.from, to_seq: c.to }), created);
  }
});

parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  try {
    write(message.rows, message.owners);
  } catch (err) {
    Atomics.store(control, 1, 1);
    parentPort.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
  Atomics.store(control, 0, message.id);
  Atomics.notify(control, 0);
});
