import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, expect, test } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createStation } from '../../src/sim/create.js';
import { killHard, SERVE_FIXTURE, spawnJson } from '../helpers/process.js';
import { OCPP_VERSIONS, startServer, tempDir, type TestServer } from '../helpers/server.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

test.each(OCPP_VERSIONS)('OCPP %s: a server killed during a firmware update and a diagnostics fetch fails both at its next start, in the record and the charger’s log', async (ocpp) => {
  const dataDir = tempDir();
  const { child, first } = await spawnJson<{ apiUrl: string; ocppUrl: string }>([SERVE_FIXTURE, dataDir]);
  const creds = JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')) as { email: string; password: string };
  const client = new ApiClient(first.apiUrl, { maxRetries: 0 });
  client.setToken((await client.login(creds.email, creds.password)).access_token);
  const sims: Awaited<ReturnType<typeof createStation>>[] = [];
  let updateId = '';
  let fetchId = '';
  try {
    for (const id of ['CP-FW', 'CP-DIAG']) {
      const { password } = await client.addLocalChargePoint({ id });
      // A minute between statuses: both transfers are still under way when the server dies.
      const sim = await createStation({ ocpp, url: first.ocppUrl, id, password: password!, reconnect: null, firmwareStepMs: 60_000 });
      sims.push(sim);
      await sim.start();
    }
    const content = Buffer.concat([Buffer.from('DYNAMO-SIM-FIRMWARE 2.0.0\n'), randomBytes(1000)]);
    const image = await client.putFirmware({ stream: Readable.from([content]), size: content.length });
    updateId = (await client.startFirmwareUpdate('CP-FW', { firmware_id: image.firmware_id })).update_id;
    fetchId = (await client.startDiagnosticsFetch('CP-DIAG')).fetch_id;
    for (const deadline = Date.now() + 10_000; (await client.firmwareUpdate('CP-FW')).status === 'Requested'; ) {
      if (Date.now() > deadline) throw new Error('the charger did not take up the update');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await client.diagnosticsFetch('CP-DIAG')).state).toBe('running');
  } finally {
    await killHard(child);
    for (const sim of sims) sim.stop();
    await client.close();
  }

  t = await startServer({ dataDir });
  expect(await t.client.firmwareUpdate('CP-FW')).toMatchObject({ update_id: updateId, state: 'failed', detail: 'The server stopped during this firmware update (its download URL ended with it)' });
  expect(await t.client.diagnosticsFetch('CP-DIAG')).toMatchObject({ fetch_id: fetchId, state: 'failed', detail: 'The server stopped during this diagnostics fetch (its upload URL ended with it)' });
  expect((await t.client.chargePointEvents('CP-FW', 'firmware')).events.at(-1)).toMatchObject({ level: 'error', message: 'Firmware update failed: The server stopped during this firmware update (its download URL ended with it)' });
  expect((await t.client.chargePointEvents('CP-DIAG', 'diagnostics')).events.at(-1)).toMatchObject({ level: 'error', message: 'Diagnostics fetch failed: The server stopped during this diagnostics fetch (its upload URL ended with it)' });
}, 60_000);

test.each(['firmware update', 'diagnostics fetch'] as const)('a %s whose record cannot be written (a full disk) leaves nothing under way: no open URL, and the next try starts', async (kind) => {
  t = await startServer({ ocppPort: 0, ocppHost: '127.0.0.1' });
  const server = t.server;
  await t.station('CP-FULL', '1.6', { firmwareStepMs: 20 });
  const content = Buffer.concat([Buffer.from('DYNAMO-SIM-FIRMWARE 2.0.0\n'), randomBytes(1000)]);
  const image = await t.client.putFirmware({ stream: Readable.from([content]), size: content.length });
  const start = () => (kind === 'firmware update' ? t!.client.startFirmwareUpdate('CP-FULL', { firmware_id: image.firmware_id }) : t!.client.startDiagnosticsFetch('CP-FULL'));
  const table = kind === 'firmware update' ? server.store.firmware : server.store.diagnosticsFetches;
  const method = kind === 'firmware update' ? 'addUpdate' : 'save';
  const real = (table as unknown as Record<string, unknown>)[method];
  (table as unknown as Record<string, unknown>)[method] = () => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  };
  try {
    await expect(start()).rejects.toMatchObject({ status: 500 });
  } finally {
    (table as unknown as Record<string, unknown>)[method] = real;
  }
  expect(server.files.grants.size).toBe(0);
  expect((await start()).state).toBe('running');
});
