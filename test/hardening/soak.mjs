// Soak (npm run soak; a short run is in npm test): 200 simulated charge points heartbeating every
// second against `dynamo local up`, with commissioning sessions running one after another on some
// of them, for 10 minutes. Samples the server's RSS, heap and open handles (GET /healthz) and
// checks they stay flat, and that every session started finishes and passes.
import { fleetIds, loggedInClient, registerChargePoints, startFleets, startLocalUp, stop, tempDir } from '../../bench/lib.mjs';
import { CLIENT_OPTIONS, entry } from './lib.mjs';

const PASSWORD = 'soak-test-password-01';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const avg = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function main({
  seconds = Number(process.env.SOAK_SECONDS ?? 600),
  chargePoints = Number(process.env.SOAK_CHARGE_POINTS ?? 200),
  withSessions = Number(process.env.SOAK_SESSIONS ?? 20),
  sampleEveryS = Number(process.env.SOAK_SAMPLE_S ?? 10),
} = {}) {
  const dataDir = tempDir();
  const ids = fleetIds(chargePoints);
  await registerChargePoints(dataDir, ids, PASSWORD);

  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0', '--heartbeat-interval', '1']);
  const fleets = startFleets(server.ocppUrl, PASSWORD, chargePoints, 100);
  await Promise.all(fleets.map((f) => f.first));
  const client = await loggedInClient(server.apiUrl, dataDir, CLIENT_OPTIONS);
  const samples = [];
  const started = new Set();
  const ended = new Map();
  const deadline = Date.now() + seconds * 1000;
  try {
    const sample = async () => {
      const h = await client.health();
      samples.push({ t: Math.round((Date.now() - (deadline - seconds * 1000)) / 1000), rss_mb: h.rss_mb, heap_used_mb: h.heap_used_mb, active_handles: h.active_handles });
    };
    await sample();
    let nextSample = Date.now() + sampleEveryS * 1000;
    const busy = ids.slice(0, withSessions);
    while (Date.now() < deadline) {
      for (const cp of busy) {
        const status = await client.status(cp).catch(() => null);
        if (status && started.has(status.session_id) && status.status !== 'running' && status.status !== 'paused') ended.set(status.session_id, status);
        if (!status || status.status !== 'running') {
          const s = await client.start(cp, { skip_test_transaction: Math.random() < 0.5 }).catch(() => null);
          if (s) started.add(s.session_id);
        }
      }
      if (Date.now() >= nextSample) {
        await sample();
        nextSample += sampleEveryS * 1000;
      }
      await sleep(500);
    }
    // Let every session started finish.
    for (let i = 0; i < 120 && ended.size < started.size; i += 1) {
      for (const cp of busy) {
        const status = await client.status(cp);
        if (started.has(status.session_id) && status.status !== 'running' && status.status !== 'paused') ended.set(status.session_id, status);
      }
      await sleep(500);
    }
    await sample();
    const warm = samples.slice(Math.min(2, samples.length - 1));
    const quarter = Math.max(1, Math.floor(warm.length / 4));
    const early = warm.slice(0, quarter);
    const late = warm.slice(-quarter);
    const growth = (key) => avg(late.map((s) => s[key])) / Math.max(1, avg(early.map((s) => s[key])));
    const passed = [...ended.values()].filter((s) => s.result === 'passed').length;
    const failedSessions = [...ended.values()].filter((s) => s.result !== 'passed').map((s) => s.steps.find((x) => x.status === 'failed')?.detail ?? s.failure_reason);
    const handlesStart = early[0]?.active_handles ?? 0;
    const handlesEnd = late[late.length - 1]?.active_handles ?? 0;
    const report = {
      seconds,
      charge_points: chargePoints,
      sessions_started: started.size,
      sessions_finished: ended.size,
      sessions_passed: passed,
      failed_sessions: failedSessions.slice(0, 5),
      rss_mb: { start: samples[0].rss_mb, end: samples.at(-1).rss_mb, max: Math.max(...samples.map((s) => s.rss_mb)), late_over_early: Number(growth('rss_mb').toFixed(2)) },
      heap_used_mb: { start: samples[0].heap_used_mb, end: samples.at(-1).heap_used_mb, max: Math.max(...samples.map((s) => s.heap_used_mb)), late_over_early: Number(growth('heap_used_mb').toFixed(2)) },
      active_handles: { start: handlesStart, end: handlesEnd },
      samples,
      server_crashed: server.child.exitCode !== null,
    };
    report.ok =
      !report.server_crashed &&
      started.size > 0 &&
      ended.size === started.size &&
      passed === started.size &&
      report.rss_mb.late_over_early < 1.25 &&
      report.heap_used_mb.late_over_early < 1.5 &&
      handlesEnd <= handlesStart + 10;
    return report;
  } finally {
    await client.close();
    for (const f of fleets) await stop(f.child);
    await stop(server.child);
  }
}

await entry(import.meta.url, main);
