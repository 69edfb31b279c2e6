// Scale: 1,000 simulated charge points (in separate processes) connect, boot and run a full
// commissioning, test transaction included, at once against one local server on this laptop.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, median, peakRssMb, percentile, report, ROOT, saveResult, startJsonProcess, stop, tempDir } from './lib.mjs';

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
  mkdirSync(join(dataDir, 'templates'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, 'templates', 'tpl_bench_scale.json'), JSON.stringify(scaleTemplate()));
  // Register the charge points as `local cp add` would, but straight into the store: one
  // hash shared by all, so setup does not take a thousand scrypt runs. Verifying them at
  // connect is part of the measurement.
  const { Store } = await import('../dist/server/store/store.js');
  const { hashPassword } = await import('../dist/common/password.js');
  const store = Store.open(dataDir);
  const hash = await hashPassword(PASSWORD);
  store.write(() => {
    for (let i = 1; i <= COUNT; i += 1) store.chargePoints.add(`SCALE-${String(i).padStart(4, '0')}`, hash);
  });
  await store.close();

  const server = startJsonProcess([BIN, 'local', 'up', '--json', '--port', '0', '--ocpp-port', '0'], { DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: tempDir() });
  const info = await server.first;
  const ocppUrl = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')).ocpp_url;
  const { ApiClient } = await import('../dist/api/client.js');
  const client = new ApiClient(info.api_url, { timeoutMs: 120_000 });
  const credentials = JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8'));
  client.setToken((await client.login(credentials.email, credentials.password)).access_token);

  const t0 = Date.now();
  const per = Math.ceil(COUNT / FLEETS);
  const fleets = [];
  for (let f = 0; f < FLEETS; f += 1) {
    const first = f * per + 1;
    const count = Math.min(per, COUNT - first + 1);
    if (count > 0) fleets.push(startJsonProcess([join(ROOT, 'bench', 'sim-fleet.mjs'), ocppUrl, PASSWORD, String(first), String(count)]));
  }
  const booted = await Promise.all(fleets.map((f) => f.first));
  const connectedMs = Date.now() - t0;
  const ids = Array.from({ length: COUNT }, (_, i) => `SCALE-${String(i + 1).padStart(4, '0')}`);
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
