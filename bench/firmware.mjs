// Firmware: 100 simulated chargers (in separate processes) update from one laptop at once:
// the image served by the local server's file server at a one-time URL each, downloaded, installed,
// rebooted into the new version. Throughput served and the server's RSS, against a plain
// node:http server sending the same file to as many downloads at once, measured in the same run.
import { randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchVersions, fleetIds, loggedInClient, peakRssMb, registerChargePoints, report, ROOT, saveResult, startFleets, startJsonProcess, startLocalUp, stop, tempDir } from './lib.mjs';

const COUNT = Number(process.env.BENCH_FIRMWARE_CHARGE_POINTS ?? 100);
const IMAGE_MB = Number(process.env.BENCH_FIRMWARE_MB ?? 8);
const FLEETS = Number(process.env.BENCH_FLEETS ?? 4);
const PER_PROCESS = Math.ceil(COUNT / FLEETS);
const PASSWORD = 'firmware-benchmark-password';

function image() {
  const path = join(tempDir(), 'fw.bin');
  writeFileSync(path, Buffer.concat([Buffer.from('DYNAMO-SIM-FIRMWARE 9.9.9\n'), randomBytes(IMAGE_MB * 1024 * 1024)]));
  return path;
}

/** The same downloads from a plain server: bytes per second, and that server's peak RSS. */
async function baseline(file) {
  const server = startJsonProcess([join(ROOT, 'bench', 'file-server.mjs'), file]);
  const { url } = await server.first;
  const fleets = Array.from({ length: Math.ceil(COUNT / PER_PROCESS) }, (_, i) => startJsonProcess([join(ROOT, 'bench', 'download-fleet.mjs'), url, String(Math.min(PER_PROCESS, COUNT - i * PER_PROCESS))]));
  const results = await Promise.all(fleets.map((f) => f.first));
  const bytes = results.reduce((n, r) => n + r.bytes, 0);
  const ms = Math.max(...results.map((r) => r.ms));
  const rss = peakRssMb(server.child.pid);
  await stop(server.child);
  return { mb_per_s: bytes / 1e6 / (ms / 1000), peak_rss_mb: rss };
}

async function update(ocpp, file) {
  const dataDir = tempDir();
  const ids = fleetIds(COUNT);
  await registerChargePoints(dataDir, ids, PASSWORD);
  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0'], {}, { stderr: 'inherit' });
  const client = await loggedInClient(server.apiUrl, dataDir, { timeoutMs: 120_000 });
  const fleets = startFleets(server.ocppUrl, PASSWORD, COUNT, PER_PROCESS, ocpp);
  await Promise.all(fleets.map((f) => f.first));
  const { size } = await import('node:fs').then((fs) => fs.statSync(file));
  const fw = await client.putFirmware({ stream: createReadStream(file), size });
  const t0 = Date.now();
  await Promise.all(ids.map((id) => client.startFirmwareUpdate(id, { firmware_id: fw.firmware_id, expected_version: '9.9.9' })));
  let servedMs = null;
  let updates = [];
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    updates = await Promise.all(ids.map((id) => client.firmwareUpdate(id)));
    if (servedMs === null && updates.every((u) => u.bytes_served >= u.size || u.state !== 'running')) servedMs = Date.now() - t0;
    if (updates.every((u) => u.state !== 'running') || Date.now() - t0 > 600_000) break;
  }
  const wallMs = Date.now() - t0;
  const served = updates.reduce((n, u) => n + u.bytes_served, 0);
  const rss = peakRssMb(server.child.pid);
  await client.close();
  for (const f of fleets) await stop(f.child);
  await stop(server.child);
  return {
    served_mb: served / 1e6,
    served_s: (servedMs ?? wallMs) / 1000,
    mb_per_s: served / 1e6 / ((servedMs ?? wallMs) / 1000),
    wall_s: wallMs / 1000,
    installed: updates.filter((u) => u.state === 'installed' && u.reported_version === '9.9.9').length,
    server_peak_rss_mb: rss,
    failures: updates.filter((u) => u.state !== 'installed').slice(0, 3).map((u) => `${u.charge_point_id}: ${u.detail}`),
  };
}

export async function run() {
  const file = image();
  const base = await baseline(file);
  const byVersion = {};
  for (const ocpp of benchVersions()) byVersion[ocpp] = await update(ocpp, file);
  console.log(`Firmware: ${COUNT} chargers updating at once from one local server, a ${IMAGE_MB} MB image, ${Math.ceil(COUNT / PER_PROCESS)} simulator processes`);
  for (const [ocpp, r] of Object.entries(byVersion)) {
    console.log(`  OCPP ${ocpp}`);
    report('served, until every charger had the image', r.mb_per_s, 'MB/s', base.mb_per_s, 'plain node:http, no bound:');
    report('chargers installed and back on 9.9.9', r.installed, `of ${COUNT}`, undefined, undefined, { text: 'all', met: (v) => v === COUNT });
    report('wall time, UpdateFirmware to the last reboot', r.wall_s, 's');
    report('server peak RSS', r.server_peak_rss_mb, 'MB', base.peak_rss_mb, 'plain server:');
    if (r.failures.length > 0) console.log(`  first failures: ${r.failures.join(' | ')}`);
  }
  return saveResult('firmware', { charge_points: COUNT, image_mb: IMAGE_MB, baseline: base, versions: byVersion });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
