import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { MIGRATIONS } from '../../src/server/store/migrations.js';
import { Store } from '../../src/server/store/store.js';
import { until } from '../helpers/ocpp.js';
import { OCPP_VERSIONS, startServer, tempDir, type TestServer, waitForEnd } from '../helpers/server.js';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

test.each(OCPP_VERSIONS)('OCPP %s: a charge point flooding garbage mid-session: its log stays within budget and says what it dropped; the terminal gets a few lines', async (ocpp) => {
  const server = await startServer({ engine: { logBudget: { framesPerSession: 400, frameCharsPerSession: 1_000_000, problemsPerSession: 40 } } });
  t = server;
  const sim = await server.station('CP-FLOOD', ocpp);
  await server.client.start('CP-FLOOD');
  await server.client.pause('CP-FLOOD');
  let errors = 0;
  sim.client.on('frame', (direction, text) => {
    if (direction === 'in' && text.startsWith('[4,"-1"')) errors += 1;
  });
  const garbage = `not json ${'x'.repeat(4096)}`;
  // In bursts of 500 (2 MB): all at once, the simulator's own send buffer passes its 8 MiB
  // limit and it drops the link, as a real charge point's stack would.
  for (let i = 0; i < 3000; i += 1) {
    sim.client.sendRaw(garbage);
    if (i % 500 === 499) await until(() => errors > i - 100, 20_000, 'the burst to be answered');
  }
  await until(() => errors >= 3000, 20_000, 'every garbage frame to be answered');
  await server.client.resume('CP-FLOOD');
  expect((await waitForEnd(server.client, 'CP-FLOOD')).result).toBe('passed');

  const logs = await server.client.logs('CP-FLOOD', { limit: 5000 });
  // The budget, the engine's own lines, and two lines about the budget.
  expect(logs.total).toBeLessThan(400 + 40 + 60);
  for (const kind of ['frames', 'protocol problems and disconnections']) {
    expect(logs.logs.filter((l) => l.message.startsWith(`This session's log budget for ${kind} is spent`)), kind).toHaveLength(1);
  }
  const summary = logs.logs.find((l) => l.message.startsWith("Not logged, over this session's budget"));
  expect(summary?.message).toMatch(/: \d{4} frames \(\d+ characters\) and \d{4} protocol problem or disconnection lines$/);
  const dropped = Number(/: (\d+) frames/.exec(summary!.message)![1]);
  expect(dropped).toBeGreaterThan(5000);

  // The installer's terminal: the first five problems, then one line that sums the rest.
  server.server.engine.flushProblems();
  const terminal = server.lines.filter((l) => l.startsWith('CP-FLOOD: ') && /JSON|OCPP problems/.test(l));
  expect(terminal, terminal.join('\n')).toHaveLength(6);
  expect(terminal[5]).toMatch(/^CP-FLOOD: 2995 more OCPP problems in the last 60 s \(latest: message is not valid JSON\)$/);
});

test('a charge point that drops and returns in a loop mid-session: its log and the terminal stay bounded', async () => {
  const server = await startServer({ engine: { logBudget: { framesPerSession: 50_000, frameCharsPerSession: 1_000_000, problemsPerSession: 40 }, reconnectGraceS: 30 } });
  t = server;
  const sim = await server.simulator('CP-LOOP');
  await server.client.start('CP-LOOP');
  await server.client.pause('CP-LOOP');
  let drops = 0;
  server.server.csms.on('disconnected', () => (drops += 1));
  for (let i = 1; i <= 150; i += 1) {
    sim.client.drop(false);
    // Back once the server has seen it go: each drop is then a disconnection of the session's charge point.
    await until(() => drops === i, 5000, 'the server to see the drop');
    await sim.client.connect();
  }
  await server.client.stop('CP-LOOP');
  const logs = await server.client.logs('CP-LOOP', { limit: 5000 });
  const churn = logs.logs.filter((l) => /^Charge point (disconnected|reconnected)/.test(l.message));
  expect(churn.length).toBeGreaterThan(20);
  expect(churn.length).toBeLessThanOrEqual(40);
  expect(logs.logs.filter((l) => l.message.startsWith("This session's log budget for protocol problems and disconnections is spent"))).toHaveLength(1);

  server.server.engine.flushProblems();
  const terminal = server.lines.filter((l) => /^CP-LOOP: .*connect/.test(l));
  expect(terminal, terminal.join('\n')).toHaveLength(6);
  expect(terminal.at(-1)).toMatch(/^CP-LOOP: \d+ more connections and disconnections in the last 60 s/);
});

test('a query by level reads only the chunks that hold that level, and pages by their counts', async () => {
  const store = Store.open(tempDir());
  try {
    for (let i = 1; i <= 30_000; i += 1) store.logs.append('comm_big', 'CP-BIG', i % 100 === 0 ? 'warn' : i % 7 === 0 ? 'info' : 'debug', null, `line ${i} ${'y'.repeat(200)}`);
    store.logs.barrier();
    const chunks = store.db.prepare("SELECT count(*) AS n, sum(n_warn) AS warn, max(length(lines)) AS longest FROM log_chunks WHERE session_id = 'comm_big'").get() as { n: number; warn: number; longest: number };
    expect(chunks.warn).toBe(300);
    // Every warning is in a chunk of warnings: a query by level decodes nothing else.
    expect(store.db.prepare("SELECT sum(line_count) AS n FROM log_chunks WHERE session_id = 'comm_big' AND level = 'warn'").get()).toEqual({ n: 300 });
    // Chunks stay small enough to decode in a few milliseconds, whatever the batch size.
    expect(chunks.n).toBeGreaterThan(20);
    expect(chunks.longest).toBeLessThan(300 * 1024);
    const page = await store.logs.page('comm_big', { level: 'warn', limit: 50, offset: 30 });
    expect(page.total).toBe(300);
    expect(page.logs.map((l) => l.seq)).toEqual(Array.from({ length: 50 }, (_, i) => (31 + i) * 100));
    const all = await store.logs.page('comm_big', { limit: 3, offset: 29_998 });
    expect(all.total).toBe(30_000);
    expect(all.logs.map((l) => l.seq)).toEqual([29_999, 30_000]);
  } finally {
    await store.close();
  }
});

test('migration 3 counts the levels of the chunks an older dynamo wrote', async () => {
  const dir = tempDir();
  const db = new Database(join(dir, 'dynamo.db'));
  for (const sql of MIGRATIONS.slice(0, 2)) db.exec(sql);
  db.pragma('user_version = 2');
  const lines = [[1, Date.now(), 'info', null, 'a'], [2, Date.now(), 'warn', null, 'b'], [3, Date.now(), 'warn', null, 'c'], [4, Date.now(), 'debug', null, 'd']];
  db.prepare('INSERT INTO log_chunks (session_id, from_seq, to_seq, line_count, lines) VALUES (?, ?, ?, ?, ?)').run('comm_old', 1, 4, 4, JSON.stringify(lines));
  db.close();
  const store = Store.open(dir);
  try {
    const warn = await store.logs.page('comm_old', { level: 'warn', limit: 10, offset: 0 });
    expect(warn.total).toBe(2);
    expect(warn.logs.map((l) => l.message)).toEqual(['b', 'c']);
    expect((await store.logs.page('comm_old', { level: 'error', limit: 10, offset: 0 })).total).toBe(0);
  } finally {
    await store.close();
  }
});
