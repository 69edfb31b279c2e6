import { afterEach, expect, test } from 'vitest';
import { cli } from '../helpers/cli.js';
import { http, cpPath } from '../helpers/http.js';
import { OCPP_VERSIONS, startServer, waitForEnd, type TestServer } from '../helpers/server.js';
import { humanTime } from '../../src/cli/time-format.js';

let t: TestServer | undefined;
afterEach(async () => t?.stop());

/** What each version's report looks like: a read-write setting, and the write-only password. */
const V = {
  '1.6': { version: '1.6', features: ['Core', 'FirmwareManagement'], rw: { name: 'MeterValueSampleInterval', value: '60' }, password: 'AuthorizationKey', items: 20 },
  '2.0.1': { version: '2.0.1', features: ['AuthCtrlr', 'SampledDataCtrlr'], rw: { name: 'SampledDataCtrlr.TxUpdatedInterval', value: '60' }, password: 'SecurityCtrlr.BasicAuthPassword', items: 90 },
} as const;

test.each(OCPP_VERSIONS)('OCPP %s: diagnostics say what the station reported; --full adds every setting as the session read it, kept across a restart', async (ocpp) => {
  const v = V[ocpp];
  t = await startServer();
  await t.station('CP-1', ocpp, { connectors: 2, vendor: 'ABB', firmwareVersion: '3.8.2' });
  const session = await t.client.start('CP-1', { skip_test_transaction: true });
  await waitForEnd(t.client, 'CP-1');

  const d = await t.client.diagnostics('CP-1');
  expect(d).toMatchObject({ firmware: { version: '3.8.2', vendor: 'ABB' }, ocpp: { version: v.version }, hardware: { connectors: 2 }, network: { ip_address: '127.0.0.1', signal_strength: null } });
  expect(d.ocpp.supported_features).toEqual(expect.arrayContaining([...v.features]));
  expect(d.configuration_report).toBeUndefined();

  const full = await t.client.diagnostics('CP-1', { full: true });
  const report = full.configuration_report!;
  expect(report).toMatchObject({ protocol: `ocpp${v.version}`, session_id: session.session_id, taken_at: expect.any(String) });
  expect(report.items.length).toBeGreaterThan(v.items);
  expect(report.items.find((i) => i.name === v.rw.name)).toMatchObject({ value: v.rw.value, mutability: 'ReadWrite' });
  // The password is never in a report, whatever the firmware answers.
  const password = report.items.find((i) => i.name === v.password);
  if (password) expect(password.value).toBeNull();

  const bad = await http(t.server.apiUrl, 'GET', `${cpPath('CP-1', 'diagnostics')}?full=maybe`, { token: t.token });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.map((x: { field: string }) => x.field)).toEqual(['full']);

  // The CLI: the summary, then a table of every setting.
  const plain = await cli(['--api-url', t.server.apiUrl, 'diagnostics', 'CP-1', '--full'], { env: { DYNAMO_TOKEN: t.token, NO_COLOR: '1' } });
  expect(plain.code).toBe(0);
  expect(plain.stdout).toContain(`${report.items.length} settings over ocpp${v.version}, read ${humanTime(report.taken_at)} by session ${session.session_id}`);
  expect(plain.stdout).toMatch(/^SETTING +VALUE +MUTABILITY +UNIT$/m);
  expect(plain.stdout).toMatch(new RegExp(`^${v.rw.name.replace(/[.[\]]/g, '\\$&')} +60 +ReadWrite`, 'm'));
  const json = JSON.parse((await cli(['--api-url', t.server.apiUrl, 'diagnostics', 'CP-1', '--full', '--json'], { env: { DYNAMO_TOKEN: t.token } })).stdout);
  expect(json.configuration_report.items).toHaveLength(report.items.length);

  // The report is the station's configuration at commissioning time: it outlives the process.
  await t.stop(false);
  t = await startServer({ dataDir: t.dataDir });
  expect((await t.client.diagnostics('CP-1', { full: true })).configuration_report).toEqual(report);
});

test('a charge point no session has read yet: --full says so', async () => {
  t = await startServer();
  await t.addChargePoint('CP-NEW');
  expect((await t.client.diagnostics('CP-NEW', { full: true })).configuration_report).toBeNull();
  const plain = await cli(['--api-url', t.server.apiUrl, 'diagnostics', 'CP-NEW', '--full'], { env: { DYNAMO_TOKEN: t.token } });
  expect(plain.stdout).toContain('No configuration reported yet: a commissioning session reads it (its configuration step).');
});
