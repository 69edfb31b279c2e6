// Log queries on a session of a million lines (BENCH_LOG_LINES), against a local server in its own
// process: a query by level (warn, limit 5000) from deep in the session and a plain page at the
// same depth, while a charge point sends heartbeats back to back. The figures are the queries'
// times, the heartbeats' worst round trip during them beside the same charge point's with no query
// running (the ratio says whether a query holds the server up), and the server's memory.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loggedInClient, ROOT, median, peakRssMb, percentile, report, saveResult, startLocalUp, stop, tempDir, timed } from './lib.mjs';

const LINES = Number(process.env.BENCH_LOG_LINES ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_LOG_QUERIES ?? 5);
const SESSION = 'comm_bench_million';
const CHARGE_POINT = 'CP-LOGS';

/** Writes the session straight into the store, as a long run of the engine would have. */
async function fill(dataDir) {
  const { Store } = await import('../dist/server/store/store.js');
  const store = Store.open(dataDir);
  store.write(() => {
    store.chargePoints.add(CHARGE_POINT, null);
    store.sessions.create(
      { id: SESSION, chargePointId: CHARGE_POINT, templateId: 'tpl_standard_ac_22kw', skipTestTransaction: false, status: 'completed', result: 'passed', startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T01:00:00Z', pausedAt: null, pausedAtStep: null, resumedAt: null, estimatedDurationSeconds: 0, failureReason: null, supersededBy: null, origin: 'local' },
      ['connectivity'],
    );
  });
  const frame = JSON.stringify([2, randomUUID(), 'MeterValues', { connectorId: 1, transactionId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00Z', sampledValue: [{ value: '1250000', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] }]);
  for (let i = 1; i <= LINES; i += 1) {
    // One warning every 200 lines, an info line every 20: the frames are the rest.
    const level = i % 200 === 0 ? 'warn' : i % 20 === 0 ? 'info' : 'debug';
    store.logs.append(SESSION, CHARGE_POINT, level, 'test_transaction', level === 'debug' ? `received ${frame}` : `line ${i}: a ${level} line of the engine`);
    if (i % 100_000 === 0) store.logs.barrier();
  }
  await store.close();
}

/** The heartbeat probe in its own process (bench/heartbeat-probe.mjs), so that parsing the answers here does not count. */
async function heartbeats(ocppUrl) {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'heartbeat-probe.mjs'), ocppUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));
  await next();
  return {
    take() {
      const answer = next();
      child.stdin.write('take\n');
      return answer;
    },
    async stop() {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function run() {
  const dataDir = tempDir();
  const filling = performance.now();
  await fill(dataDir);
  const fillS = (performance.now() - filling) / 1000;
  const server = await startLocalUp(dataDir, ['--open', '--port', '0', '--ocpp-port', '0'], {}, { stderr: 'inherit' });
  const client = await loggedInClient(server.apiUrl, dataDir, { timeoutMs: 600_000 });
  const beats = await heartbeats(server.ocppUrl);
  try {
    await beats.take();
    await new Promise((r) => setTimeout(r, 2000));
    const idle = await beats.take();
    const deep = Math.floor(LINES / 200 / 2);
    const filtered = [];
    const plain = [];
    const duringQueries = [];
    for (let i = 0; i < QUERIES; i += 1) {
      await beats.take();
      filtered.push(await timed(() => client.logs(CHARGE_POINT, { session_id: SESSION, level: 'warn', limit: 5000, offset: deep })));
      plain.push(await timed(() => client.logs(CHARGE_POINT, { session_id: SESSION, limit: 5000, offset: Math.floor(LINES / 2) })));
      duringQueries.push(...(await beats.take()));
    }
    const rssMb = peakRssMb(server.child.pid);
    const idleWorst = Math.max(...idle);
    const busyWorst = Math.max(...duringQueries);
    console.log(`Log queries: a session of ${LINES} lines (written in ${fillS.toFixed(1)} s), one local server`);
    report('level=warn, 5000 lines, half-way', median(filtered), 'ms', median(plain), 'plain page at the same depth');
    // A heartbeat held up for tens of milliseconds changes nothing; the 2.4 s of a whole-session
    // decode did. The goal is on the worst round trip, whatever the idle one.
    report('heartbeat worst round trip, queries', busyWorst, 'ms', idleWorst, 'with no query', { text: '< 100 ms', met: (v) => v < 100 });
    report('heartbeat p99 during queries', percentile(duringQueries, 99), 'ms');
    report('server peak RSS', rssMb, 'MB', undefined, undefined, { text: '< 300 MB', met: (v) => v < 300 });
    return saveResult('log-query', {
      lines: LINES,
      fill_s: fillS,
      warn_query_ms: { median: median(filtered), all: filtered },
      plain_query_ms: { median: median(plain), all: plain },
      heartbeat_ms: { idle_worst: idleWorst, during_queries_worst: busyWorst, during_queries_p99: percentile(duringQueries, 99), samples: duringQueries.length },
      server_peak_rss_mb: rssMb,
    });
  } finally {
    await beats.stop();
    await client.close();
    await stop(server.child);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
