// Writes session log lines in its own thread, so the OCPP server's thread spends its time on
// OCPP. Plain JavaScript, not TypeScript: the same file runs from src/ under the tests and from
// dist/ in the build. Protocol (see logs.ts): { id, batch } in; once a batch is committed,
// control[0] = id and Atomics.notify; on failure also control[1] = 1 and an error message out.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { INSERT_CHUNK_SQL, chunkRow, toChunks } from './log-chunks.js';

const { file, outbox, control: buffer, levels, steps } = workerData;
const control = new Int32Array(buffer);
const db = new Database(file);
// A later state change (synchronous=FULL on the main connection) fsyncs these pages too; until
// then log lines survive a killed process, and may be lost to a power cut with nothing after them.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');

const insertChunk = db.prepare(INSERT_CHUNK_SQL);
const insertOutbox = db.prepare("INSERT INTO outbox (kind, ref, charge_point_id, payload, created_at) VALUES ('logs', ?, ?, ?, ?)");

// A batch carries indexes into these (LOG_LEVELS and STEP_NAMES, handed over by logs.ts).
const LEVELS = levels;
const STEPS = [null, ...steps];

/**
 * A batch comes by column (see Batch in logs.ts). A session's lines in one batch are consecutive
 * in seq: they are stored as log-chunks.js lays them out, with an outbox entry per group.
 */
const write = db.transaction((b) => {
  const bySession = b.sessions.map(() => []);
  for (let i = 0; i < b.message.length; i += 1) {
    bySession[b.session[i]].push([b.seq[i], b.at[i], LEVELS[b.level[i]], STEPS[b.step[i]], b.message[i]]);
  }
  const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  bySession.forEach((lines, s) => {
    for (const group of toChunks(lines)) {
      for (const chunk of group.chunks) insertChunk.run(...chunkRow(b.sessions[s], chunk));
      if (outbox) insertOutbox.run(b.sessions[s], b.owners[s], JSON.stringify({ from_seq: group.from, to_seq: group.to }), created);
    }
  });
});

parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  try {
    write(message.batch);
  } catch (err) {
    Atomics.store(control, 1, 1);
    parentPort.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
  Atomics.store(control, 0, message.id);
  Atomics.notify(control, 0);
});
