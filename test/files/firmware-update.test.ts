import { randomBytes } from 'node:crypto';
import { createReadStream, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FirmwareUpdate } from '../../src/api/contract.js';
import type { CommonFaults } from '../../src/sim/create.js';
import { http } from '../helpers/http.js';
import { OCPP_VERSIONS, startServer, tempDir, type TestServer } from '../helpers/server.js';

/** A firmware image the simulators recognise: its first line names the version it installs. */
function image(dir: string, version: string, size = 400_000): { path: string; size: number } {
  const path = join(dir, `fw-${version}-${randomBytes(3).toString('hex')}.bin`);
  const content = Buffer.concat([Buffer.from(`DYNAMO-SIM-FIRMWARE ${version}\n`), randomBytes(size)]);
  writeFileSync(path, content);
  return { path, size: content.length };
}

describe.each(OCPP_VERSIONS)('firmware update from the laptop, OCPP %s', (ocpp) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer({ ocppPort: 0, ocppHost: '127.0.0.1', firmware: { rebootWaitMs: 3000 } });
  });
  afterAll(async () => t.stop());

  let n = 0;
  async function update(faults: CommonFaults, expected: string, imageVersion = expected, extra: { signature?: string } = {}) {
    const id = `CP-FW-${ocpp}-${(n += 1)}`;
    const logs: string[] = [];
    const station = await t.station(id, ocpp, { firmwareVersion: '1.4.2', firmwareStepMs: 20, faults });
    station.on('log', (line) => logs.push(line));
    const file = image(t.dataDir, imageVersion);
    const uploaded = await t.client.putFirmware({ stream: createReadStream(file.path), size: file.size });
    expect(uploaded.size).toBe(file.size);
    const started = await t.client.startFirmwareUpdate(id, { firmware_id: uploaded.firmware_id, expected_version: expected, ...extra });
    expect(started.state).toBe('running');
    let last: FirmwareUpdate = started;
    for (const until = Date.now() + 20_000; last.state === 'running' && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 50));
      last = await t.client.firmwareUpdate(id);
    }
    const events = (await t.client.chargePointEvents(id, 'firmware')).events.map((e) => e.message);
    return { id, last, events, logs, file, station };
  }

  test('downloads from its one-time URL, installs, reboots and comes back with the expected version', async () => {
    const { id, last, events, file, station } = await update({}, '2.0.0');
    expect(last).toMatchObject({ state: 'installed', status: 'Installed', reported_version: '2.0.0', expected_version: '2.0.0', size: file.size });
    expect(last.bytes_served).toBe(file.size);
    // A station whose clock took the boot answer's time a little late sees "now" a few ms ahead,
    // and first says DownloadScheduled, as a real one may: the rest must be as listed.
    const statuses = events.filter((m) => m.startsWith('FirmwareStatusNotification')).map((m) => /: (\w+)/.exec(m)![1]).filter((s, i) => !(i === 0 && s === 'DownloadScheduled'));
    expect(statuses).toEqual(ocpp === '1.6' ? ['Downloading', 'Downloaded', 'Installing', 'Installed'] : ['Downloading', 'Downloaded', 'InstallRebooting', 'Installing', 'Installed']);
    expect(events.some((m) => m.startsWith('Rebooted: BootNotification with firmware 2.0.0'))).toBe(true);
    expect(events.at(-1)).toBe('Firmware update done: installed: firmware 2.0.0');
    // The URL is logged without its token, and is dead once the update is over.
    expect(events[0]).toMatch(/from http:\/\/127\.0\.0\.1:\d+\/files\/…$/);
    expect(t.server.files.grants.size).toBe(0);
    expect((await t.client.diagnostics(id)).firmware.version).toBe('2.0.0');
    expect(station.isBooted).toBe(true);
  });

  test('a download cut half-way is resumed with a byte range', async () => {
    const { last, logs } = await update({ firmwareDropAtBytes: 100_000 }, '2.1.0');
    expect(last.state).toBe('installed');
    expect(logs.filter((l) => l.includes('firmware downloaded'))).toEqual([expect.stringMatching(/^firmware downloaded: \d+ bytes in 2 request\(s\)$/)]);
    expect(last.bytes_served).toBeGreaterThanOrEqual(last.size);
  });

  const failures: [string, CommonFaults, RegExp][] = [
    ['a failed download', { firmwareFailure: 'download' }, /reported DownloadFailed/],
    ['a checksum that does not match', { firmwareFailure: 'checksum' }, /reported DownloadFailed/],
    ['a failed installation', { firmwareFailure: 'install' }, /reported InstallationFailed/],
    ['a reboot into the old version', { firmwareFailure: 'old-version' }, /came back with firmware 1\.4\.2, not 3\.0\.0/],
  ];
  if (ocpp === '2.0.1') failures.push(['a signature the station refuses', { firmwareFailure: 'signature' }, /reported InvalidSignature/]);
  test.each(failures)('%s fails the update and says why', async (_what, faults, why) => {
    const { last, events } = await update(faults, '3.0.0');
    expect(last.state).toBe('failed');
    expect(last.detail).toMatch(why);
    expect(events.at(-1)).toMatch(/^Firmware update failed: /);
    expect(t.server.files.grants.size).toBe(0);
  });

  test('an image that installs another version than expected fails', async () => {
    const { last } = await update({}, '9.9.9', '2.0.0');
    expect(last).toMatchObject({ state: 'failed', reported_version: '2.0.0' });
    expect(last.detail).toBe('it came back with firmware 2.0.0, not 9.9.9');
  });

  test('refusals: an unknown image, a charger not connected, an update already running, a session during one, a bad body', async () => {
    const id = `CP-FW-${ocpp}-refusals`;
    await t.addChargePoint(id);
    const file = image(t.dataDir, '2.0.0');
    const uploaded = await t.client.putFirmware({ stream: createReadStream(file.path), size: file.size });
    await expect(t.client.startFirmwareUpdate(id, { firmware_id: 'fw_0000000000000000' })).rejects.toMatchObject({ status: 404 });
    await expect(t.client.startFirmwareUpdate(id, { firmware_id: uploaded.firmware_id })).rejects.toMatchObject({ code: 'not_connected' });
    await t.station(id, ocpp, { firmwareStepMs: 2000 });
    await t.client.startFirmwareUpdate(id, { firmware_id: uploaded.firmware_id });
    await expect(t.client.startFirmwareUpdate(id, { firmware_id: uploaded.firmware_id })).rejects.toMatchObject({ status: 409 });
    // A session started meanwhile would fail for the update's reboot: it waits for the update.
    await expect(t.client.start(id, {})).rejects.toMatchObject({ status: 409, code: 'invalid_session_state', message: expect.stringMatching(/a firmware update \(fwu_\w+\) is under way on CP-FW-.*; start the session once it has ended/) });
    await expect(t.client.restart(id)).rejects.toMatchObject({ status: 409, code: 'invalid_session_state' });
    await expect(t.client.applyTemplate(id, 'tpl_standard_ac_22kw')).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/under way on CP-FW-.*; apply the template once it has ended/) });
    const bad = await http(t.server.apiUrl, 'POST', `/api/v1/local/charge-points/${id}/firmware-update`, { token: t.token, body: { firmware_id: uploaded.firmware_id, expected_versio: 'x' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('expected_versio');
    const noToken = await http(t.server.apiUrl, 'POST', '/api/v1/local/firmware', { raw: 'x' });
    expect(noToken.status).toBe(401);
  });

  test('an update asked for while a commissioning session runs is refused: its reboot would fail the session', async () => {
    const id = `CP-FW-${ocpp}-busy`;
    const file = image(t.dataDir, '2.0.0');
    const uploaded = await t.client.putFirmware({ stream: createReadStream(file.path), size: file.size });
    // Slow answers keep the session running while the update is asked for.
    await t.station(id, ocpp, { faults: { slowResponsesMs: 1500 } });
    await t.client.start(id, { skip_test_transaction: true });
    await expect(t.client.startFirmwareUpdate(id, { firmware_id: uploaded.firmware_id })).rejects.toMatchObject({ status: 409, code: 'session_already_running', message: expect.stringContaining(`a commissioning session is running on ${id}`) });
    await t.client.stop(id);
    expect(t.server.store.firmware.latestUpdate(id) ?? null).toBeNull();
  });
});

test('OCPP 1.6 has no signed UpdateFirmware here: an update with a signature fails at once and says so', async () => {
  const t = await startServer({ ocppPort: 0, ocppHost: '127.0.0.1' });
  try {
    await t.station('CP-FW-SIGNED', '1.6');
    const file = image(t.dataDir, '2.0.0', 1000);
    const uploaded = await t.client.putFirmware({ stream: createReadStream(file.path), size: file.size });
    const started = await t.client.startFirmwareUpdate('CP-FW-SIGNED', { firmware_id: uploaded.firmware_id, signature: 'c2ln' });
    expect(started.state).toBe('failed');
    expect(started.detail).toMatch(/needs OCPP 2\.0\.1/);
  } finally {
    await t.stop();
  }
});

test('images are let go beyond the newest ones kept, never one a running update serves; a restart sweeps what a killed upload left', async () => {
  const t = await startServer({ ocppPort: 0, ocppHost: '127.0.0.1', firmware: { keepImages: 2 } });
  const dataDir = t.dataDir;
  const firmwareDir = t.server.files.firmwareDir;
  const upload = async (version: string) => {
    const file = image(dataDir, version, 1000);
    return t.client.putFirmware({ stream: createReadStream(file.path), size: file.size });
  };
  let restarted: TestServer | null = null;
  try {
    await t.station('CP-FW-KEEP', '1.6', { firmwareStepMs: 5000 });
    const served = await upload('2.0.0');
    expect((await t.client.startFirmwareUpdate('CP-FW-KEEP', { firmware_id: served.firmware_id })).state).toBe('running');
    const [old, newer, newest] = [await upload('2.0.1'), await upload('2.0.2'), await upload('2.0.3')];
    const held = readdirSync(firmwareDir).sort();
    expect(held).toEqual([served, newer, newest].map((i) => `${i!.firmware_id}.bin`).sort());
    expect(t.server.store.firmware.image(old!.firmware_id)).toBeUndefined();
    await t.addChargePoint('CP-FW-LATER');
    await expect(t.client.startFirmwareUpdate('CP-FW-LATER', { firmware_id: old!.firmware_id })).rejects.toMatchObject({ status: 404 });
    await t.stop(false);
    writeFileSync(join(firmwareDir, '.receiving-0123456789abcdef.part'), 'half an image');
    writeFileSync(join(firmwareDir, 'notes.txt'), 'not ours to delete');
    // Started again through another path to the same directory: the stored paths do not match it.
    const link = join(tempDir(), 'same-site');
    symlinkSync(dataDir, link);
    restarted = await startServer({ dataDir: link, ocppPort: 0, ocppHost: '127.0.0.1', firmware: { keepImages: 2 } });
    // The update the stop failed no longer holds its image; the newest two stay, whole.
    expect(readdirSync(firmwareDir).sort()).toEqual([...[newer, newest].map((i) => `${i!.firmware_id}.bin`), 'notes.txt'].sort());
    expect(restarted.server.store.firmware.image(newest!.firmware_id)).toMatchObject({ size: newest!.size });
  } finally {
    await (restarted ?? t).stop();
  }
});
