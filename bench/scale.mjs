// Scale: 1,000 simulated charge points (in separate processes) connect, boot and run a full
// commissioning, test transaction included, at once against one local server on this laptop;
// once per OCPP version, one after the other in the same run, each against a fresh server.
import { addTemplate, benchVersions, fleetIds, loggedInClient, median, peakRssMb, percentile, registerChargePoints, report, saveResult, shortTemplate, startFleets, startLocalUp, stop, tempDir } from './lib.mjs';

const COUNT = Number(process.env.BENCH_CHARGE_POINTS ?? 1000);
const FLEETS = Number(process.env.BENCH_FLEETS ?? 4);
const PER_PROCESS = Math.ceil(COUNT / FLEETS);
const PROCESSES = Math.ceil(COUNT / PER_PROCESS);
const PASSWORD = 'scale-benchmark-password';

/** Why a session did not pass: its failed step and that step's detail, as `status` says. */
function failureOf(s) {
  const step = s.steps.find((x) => x.status === 'failed');
  return `${s.charge_point_id}: ${step ? `${step.name}: ${step.detail}` : (s.failure_reason ?? s.status)}`;
}

/** One commissioning of COUNT charge points speaking `ocpp`, from the first connect to the last session's end. */
async function commission(ocpp) {
  const dataDir = tempDir();
  addTemplate(dataDir, shortTemplate());
  // Verifying each charge point's password at connect is part of the measurement; hashing them
  // at setup is not.
  const ids = fleetIds(COUNT);
  await registerChargePoints(dataDir, ids, PASSWORD);

  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0'], {}, { stderr: 'inherit' });
  const client = await loggedInClient(server.apiUrl, dataDir, { timeoutMs: 120_000 });

  const t0 = Date.now();
  const fleets = startFleets(server.ocppUrl, PASSWORD, COUNT, PER_PROCESS, ocpp);
  const booted = await Promise.all(fleets.map((f) => f.first));
  const connectedMs = Date.now() - t0;
  // A hundred requests at a time, as the polling below: the API keeps at most 256 connections
  // (a site LAN cannot exhaust the laptop's sockets), and an installer's CLI never needs more.
  for (let i = 0; i < ids.length; i += 100) await Promise.all(ids.slice(i, i + 100).map((id) => client.start(id, { template_id: 'tpl_bench_scale' })));
  const startedMs = Date.now() - t0;

  // Poll until every session has ended, a slice of charge points at a time.
  const done = new Map();
  while (done.size < COUNT) {
    await new Promise((r) => setTimeout(r, 1000));
    const open = ids.filter((id) => !done.has(id));
    for (let i = 0; i < open.length; i += 100) {
      const statuses = await Promise.all(open.slice(i, i + 100).map((id) => client.status(id)));
      for (const s of statuses) if (s.status !== 'running' && s.status !== 'paused') done.set(s.charge_point_id, s);
    }
    if (Date.now() - t0 > 600_000) break;
  }
  const wallMs = Date.now() - t0;
  const rssMb = peakRssMb(server.child.pid);
  const all = [...done.values()];
  const passed = all.filter((s) => s.status === 'completed' && s.result === 'passed');
  const durations = all.map((s) => Date.parse(s.completed_at) - Date.parse(s.started_at));
  await client.close();
  for (const f of fleets) await stop(f.child);
  await stop(server.child);
  return {
    booted: booted.reduce((n, b) => n + b.booted, 0),
    connected_s: connectedMs / 1000,
    started_s: startedMs / 1000,
    wall_s: wallMs / 1000,
    passed: passed.length,
    session_p50_s: median(durations) / 1000,
    session_p99_s: percentile(durations, 99) / 1000,
    server_peak_rss_mb: rssMb,
    failures: all.filter((s) => s.result !== 'passed').slice(0, 3).map(failureOf),
  };
}

function print(ocpp, r) {
  console.log(`  OCPP ${ocpp}`);
  report('all connected and booted after', r.connected_s, 's');
  report('all sessions started after', r.started_s, 's');
  report('wall time, connect to last session end', r.wall_s, 's', undefined, undefined, { text: '< 60 s', met: (v) => v < 60 });
  report('sessions passed', r.passed, `of ${COUNT}`, undefined, undefined, { text: 'all', met: (v) => v === COUNT });
  report('session duration p50 / p99', r.session_p50_s, `s / ${r.session_p99_s.toFixed(1)} s`);
  report('server peak RSS', r.server_peak_rss_mb, 'MB', undefined, undefined, { text: '< 500 MB', met: (v) => v < 500 });
  if (r.failures.length > 0) console.log(`  first failures: ${r.failures.join(' | ')}`);
}

export async function run() {
  const byVersion = {};
  for (const ocpp of benchVersions()) byVersion[ocpp] = await commission(ocpp);

  console.log(`Scale: ${COUNT} charge points in ${PROCESSES} simulator processes, one local server per OCPP version, run one after the other`);
  for (const [ocpp, r] of Object.entries(byVersion)) print(ocpp, r);
  const both = byVersion['1.6'] && byVersion['2.0.1'];
  const ratio = both ? byVersion['2.0.1'].wall_s / byVersion['1.6'].wall_s : null;
  if (both) report('wall time, 2.0.1 ÷ 1.6', ratio, '×');
  return saveResult('scale', {
    charge_points: COUNT,
    simulator_processes: PROCESSES,
    versions: byVersion,
    ratio_wall_201_to_16: ratio,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
