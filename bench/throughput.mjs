// OCPP throughput: N connections sending Heartbeats back to back against the local server
// (strict validation both ways, every frame logged into a running commissioning session), beside
// a plain ws echo server driven by the same load generator in the same run.
import { join } from 'node:path';
import { addTemplate, loggedInClient, median, ROOT, report, saveResult, startJsonProcess, startLocalUp, stop, tempDir } from './lib.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const GENERATOR = join(ROOT, 'bench', 'load-generator.mjs');

/** A template whose one step holds each session in its test transaction while the load runs. */
const HOLD_TEMPLATE = {
  template_id: 'tpl_bench_hold',
  name: 'Benchmark: hold a session open',
  description: 'A test transaction long enough to outlast the load',
  compatible_models: [],
  steps: ['test_transaction'],
  created_at: '2026-01-01T00:00:00Z',
  test_transaction: { connector_id: 1, id_tag: 'BENCH', duration_seconds: 3600, min_energy_wh: 0 },
  step_timeouts_seconds: { test_transaction: 3600 },
};

async function generate(url, mode, hold, beforeLoad) {
  const gen = startJsonProcess([GENERATOR, url, mode, String(CONNECTIONS), String(SECONDS), hold ? 'yes' : 'no']);
  await gen.first;
  await beforeLoad?.();
  const result = await new Promise((resolve) => gen.lines.once('line', (l) => resolve(JSON.parse(l))));
  await new Promise((r) => gen.child.once('exit', r));
  return result;
}

async function localServer() {
  const dataDir = tempDir();
  addTemplate(dataDir, HOLD_TEMPLATE);
  const server = await startLocalUp(dataDir, ['--open', '--port', '0', '--ocpp-port', '0', '--heartbeat-interval', '3600'], {}, { stderr: 'inherit' });
  return { ...server, dataDir };
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

/** Several rounds of runs, the three configurations interleaved in each, so noise hits all alike. */
export async function run() {
  const results = { echo: [], validationOnly: [], framesLogged: [] };
  let lines = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const echo = startJsonProcess([join(ROOT, 'bench', 'echo-server.mjs')]);
    results.echo.push(await generate((await echo.first).url, 'echo', false));
    await stop(echo.child);

    const plain = await localServer();
    results.validationOnly.push(await generate(plain.ocppUrl, 'ocpp', false));
    await stop(plain.child);

    const logged = await localServer();
    const client = await loggedInClient(logged.apiUrl, logged.dataDir);
    results.framesLogged.push(
      await generate(logged.ocppUrl, 'ocpp', true, async () => {
        for (let i = 1; i <= CONNECTIONS; i += 1) await client.start(`BENCH-${String(i).padStart(4, '0')}`, { template_id: 'tpl_bench_hold' });
      }),
    );
    lines = (await client.logs('BENCH-0001', { level: 'debug', limit: 1 })).total;
    await client.close();
    await stop(logged.child);
  }
  const mid = (runs, key) => median(runs.map((r) => r[key]));
  const echo = { per_second: mid(results.echo, 'per_second'), p50_ms: mid(results.echo, 'p50_ms'), p99_ms: mid(results.echo, 'p99_ms') };
  const plainRate = mid(results.validationOnly, 'per_second');
  const logged = { per_second: mid(results.framesLogged, 'per_second'), p50_ms: mid(results.framesLogged, 'p50_ms'), p99_ms: mid(results.framesLogged, 'p99_ms') };

  console.log(`OCPP throughput (${CONNECTIONS} connections, ${SECONDS} s per run, median of ${ROUNDS} interleaved rounds; load generator in its own process)`);
  report('echo server: messages/s', echo.per_second, 'msg/s');
  report('dynamo, validation only: messages/s', plainRate, 'msg/s', echo.per_second, 'echo');
  report('dynamo, frames logged: messages/s', logged.per_second, 'msg/s', echo.per_second, 'echo', { text: '≥ 60% of echo', met: (_v, r) => r >= 0.6 });
  report('echo server: p50 / p99 round trip', echo.p50_ms, `ms / ${echo.p99_ms.toFixed(2)} ms`);
  report('dynamo, frames logged: p50 / p99', logged.p50_ms, `ms / ${logged.p99_ms.toFixed(2)} ms`);
  console.log(`  (one session's debug log held ${lines} frame lines at the end of its run)`);
  return saveResult('throughput', {
    connections: CONNECTIONS,
    seconds: SECONDS,
    rounds: ROUNDS,
    runs: results,
    echo,
    dynamo_validation_only: { per_second: plainRate },
    dynamo_frames_logged: logged,
    ratio_frames_logged_to_echo: logged.per_second / echo.per_second,
    ratio_validation_only_to_echo: plainRate / echo.per_second,
    frame_lines_in_one_session: lines,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
