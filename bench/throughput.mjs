// OCPP throughput: N connections sending Heartbeats back to back against the local server
// (strict validation both ways, and in one configuration every frame logged into a running
// commissioning session), in each OCPP version, beside a plain ws echo server driven by the same
// load generator in the same run.
import { join } from 'node:path';
import { addTemplate, benchVersions, loggedInClient, median, ROOT, report, saveResult, startJsonProcess, startLocalUp, stop, tempDir } from './lib.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
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

/** One load generator run: its result line, or why it died without one (a CALLERROR to its boot, say). */
async function generate(url, mode, { hold = false, ocpp = '1.6', beforeLoad } = {}) {
  const gen = startJsonProcess([GENERATOR, url, mode, String(CONNECTIONS), String(SECONDS), hold ? 'yes' : 'no', ocpp], {}, { stderr: 'pipe' });
  // 'close' comes after the last stdout line has been read.
  const closed = new Promise((r) => gen.child.once('close', r));
  await gen.first;
  let result = null;
  gen.lines.once('line', (l) => (result = JSON.parse(l)));
  await beforeLoad?.();
  const code = await closed;
  if (!result) throw new Error(`load generator (${ocpp} ${mode}) exited ${code} without a result: ${gen.stderr()}`);
  return result;
}

async function localServer() {
  const dataDir = tempDir();
  addTemplate(dataDir, HOLD_TEMPLATE);
  const server = await startLocalUp(dataDir, ['--open', '--port', '0', '--ocpp-port', '0', '--heartbeat-interval', '3600'], {}, { stderr: 'inherit' });
  return { ...server, dataDir };
}

async function echoRun() {
  const echo = startJsonProcess([join(ROOT, 'bench', 'echo-server.mjs')]);
  const result = await generate((await echo.first).url, 'echo');
  await stop(echo.child);
  return result;
}

async function validationOnlyRun(ocpp) {
  const server = await localServer();
  const result = await generate(server.ocppUrl, 'ocpp', { ocpp });
  await stop(server.child);
  return result;
}

/** Every connection inside a commissioning session; also says how many lines one session's debug log held. */
async function framesLoggedRun(ocpp) {
  const server = await localServer();
  const client = await loggedInClient(server.apiUrl, server.dataDir);
  const result = await generate(server.ocppUrl, 'ocpp', {
    ocpp,
    hold: true,
    beforeLoad: async () => {
      for (let i = 1; i <= CONNECTIONS; i += 1) await client.start(`BENCH-${String(i).padStart(4, '0')}`, { template_id: 'tpl_bench_hold' });
    },
  });
  result.frame_lines_in_one_session = (await client.logs('BENCH-0001', { level: 'debug', limit: 1 })).total;
  await client.close();
  await stop(server.child);
  return result;
}

const summary = (runs) => Object.fromEntries(['per_second', 'p50_ms', 'p99_ms'].map((k) => [k, median(runs.map((r) => r[k]))]));
const callErrors = (runs) => runs.reduce((n, r) => n + r.call_errors, 0);

/** Several rounds of runs, every configuration interleaved in each, so noise hits all alike. */
export async function run() {
  const versions = benchVersions();
  const runs = { echo: [], ...Object.fromEntries(versions.map((v) => [v, { validation_only: [], frames_logged: [] }])) };
  for (let round = 0; round < ROUNDS; round += 1) {
    runs.echo.push(await echoRun());
    for (const v of versions) {
      runs[v].validation_only.push(await validationOnlyRun(v));
      runs[v].frames_logged.push(await framesLoggedRun(v));
    }
  }
  const echo = summary(runs.echo);
  const dynamo = {};
  for (const v of versions) {
    const validationOnly = summary(runs[v].validation_only);
    const framesLogged = summary(runs[v].frames_logged);
    dynamo[v] = {
      validation_only: validationOnly,
      frames_logged: framesLogged,
      ratio_validation_only_to_echo: validationOnly.per_second / echo.per_second,
      ratio_frames_logged_to_echo: framesLogged.per_second / echo.per_second,
      // Heartbeats the server refused: valid frames, so anything but 0 is a server bug.
      call_errors: callErrors(runs[v].validation_only) + callErrors(runs[v].frames_logged),
      frame_lines_in_one_session: runs[v].frames_logged.at(-1).frame_lines_in_one_session,
    };
  }

  console.log(`OCPP throughput (${CONNECTIONS} connections, ${SECONDS} s per run, median of ${ROUNDS} interleaved rounds; load generator in its own process)`);
  report('echo server: messages/s', echo.per_second, 'msg/s');
  for (const v of versions) {
    report(`dynamo ${v}, validation only: messages/s`, dynamo[v].validation_only.per_second, 'msg/s', echo.per_second, 'echo');
    report(`dynamo ${v}, frames logged: messages/s`, dynamo[v].frames_logged.per_second, 'msg/s', echo.per_second, 'echo', { text: '≥ 60% of echo', met: (_v, r) => r >= 0.6 });
  }
  const both = dynamo['1.6'] && dynamo['2.0.1'];
  const ratio201 = both ? dynamo['2.0.1'].frames_logged.per_second / dynamo['1.6'].frames_logged.per_second : null;
  if (both) report('frames logged, 2.0.1 ÷ 1.6', ratio201, '×');
  report('echo server: p50 / p99 round trip', echo.p50_ms, `ms / ${echo.p99_ms.toFixed(2)} ms`);
  for (const v of versions) report(`dynamo ${v}, frames logged: p50 / p99`, dynamo[v].frames_logged.p50_ms, `ms / ${dynamo[v].frames_logged.p99_ms.toFixed(2)} ms`);
  for (const v of versions) {
    console.log(`  (${v}: one session's debug log held ${dynamo[v].frame_lines_in_one_session} frame lines at the end of its run)`);
    if (dynamo[v].call_errors > 0) console.log(`  ${v}: the server answered ${dynamo[v].call_errors} Heartbeats with a CALLERROR`);
  }
  return saveResult('throughput', { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, runs, echo, dynamo, ratio_frames_logged_201_to_16: ratio201 });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
