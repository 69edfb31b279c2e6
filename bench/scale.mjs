// Scale: 1,000 simulated charge points (in separate processes) connect, boot and run a full
// commissioning, test transaction included, at once against one local server on this laptop.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addTemplate, fleetIds, loggedInClient, median, peakRssMb, percentile, registerChargePoints, report, ROOT, saveResult, startFleets, startLocalUp, stop, tempDir } from './lib.mjs';

const COUNT = Number(process.env.BENCH_CHARGE_POINTS ?? 1000);
const FLEETS = Number(process.env.BENCH_FLEETS ?? 4);
const PASSWORD = 'scale-benchmark-password';

/** The standard AC commissioning, with the test transaction shortened to 5 s. */
function scaleTemplate() {
  const ac = JSON.parse(readFileSync(join(ROOT, 'templates', 'tpl_standard_ac_22kw.json'), 'utf8'));
  return { ...ac, template_id: 'tpl_bench_scale', name: 'Benchmark: AC, short test transaction', test_transaction: { ...ac.test_transaction, duration_seconds: 5 } };
}

export async function run() {
  const dataDir = tempDir();
  addTemplate(dataDir, scaleTemplate());
  // Verifying each charge point's password at connect is part of the measurement; hashing them
  // at setup is not.
  const ids = fleetIds(COUNT);
  await registerChargePoints(dataDir, ids, PASSWORD);

  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0'], {}, { stderr: 'inherit' });
  const client = await loggedInClient(server.apiUrl, dataDir, { timeoutMs: 120_000 });

  const t0 = Date.now();
  const fleets = startFleets(server.ocppUrl, PASSWORD, COUNT, Math.ceil(COUNT / FLEETS));
  const booted = await Promise.all(fleets.map((f) => f.first));
  const connectedMs = Date.now() - t0;
  await Promise.all(ids.map((id) => client.start(id, { template_id: 'tpl_bench_scale' })));
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
  const failures = all.filter((s) => s.result !== 'passed').slice(0, 3).map((s) => s.steps.find((x) => x.status === 'failed')?.detail ?? s.failure_reason ?? s.status);
  await client.close();
  for (const f of fleets) await stop(f.child);
  await stop(server.child);

  console.log(`Scale: ${COUNT} charge points in ${fleets.length} simulator processes, one local server`);
  report('all connected and booted after', connectedMs / 1000, 's');
  report('all sessions started after', startedMs / 1000, 's');
  report('wall time, connect to last session end', wallMs / 1000, 's', undefined, undefined, { text: '< 60 s', met: (v) => v < 60 });
  report('sessions passed', passed.length, `of ${COUNT}`, undefined, undefined, { text: 'all', met: (v) => v === COUNT });
  report('session duration p50 / p99', median(durations) / 1000, `s / ${(percentile(durations, 99) / 1000).toFixed(1)} s`);
  report('server peak RSS', rssMb, 'MB', undefined, undefined, { text: '< 500 MB', met: (v) => v < 500 });
  if (failures.length > 0) console.log(`  first failures: ${failures.join(' | ')}`);
  return saveResult('scale', {
    charge_points: COUNT,
    simulator_processes: fleets.length,
    booted: booted.reduce((n, b) => n + b.booted, 0),
    connected_s: connectedMs / 1000,
    started_s: startedMs / 1000,
    wall_s: wallMs / 1000,
    passed: passed.length,
    session_p50_s: median(durations) / 1000,
    session_p99_s: percentile(durations, 99) / 1000,
    server_peak_rss_mb: rssMb,
    failures,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
