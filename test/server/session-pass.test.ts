import { afterEach, expect, test } from 'vitest';
import { startServer, waitForEnd, type TestServer } from '../helpers/server.js';

/** What differs between the versions in a passed session; everything else is one expectation. */
const VERSIONS = [
  {
    ocpp: '1.6',
    subprotocol: 'ocpp1.6',
    configuration: { detail: '11 of 12 configuration keys applied; rejected: ReserveConnectorZeroSupported', warnings: ['ReserveConnectorZeroSupported not applied: not supported by firmware'] },
    warnLines: ["Key 'ReserveConnectorZeroSupported' not supported by firmware — skipped"],
    transactionId: '\\d+',
  },
  {
    ocpp: '2.0.1',
    subprotocol: 'ocpp2.0.1',
    // StopTxOnEVSideDisconnect is read-only on the simulated station, and already true.
    configuration: { detail: 'All 13 variables applied' },
    warnLines: [],
    transactionId: '[0-9a-f-]{36}',
  },
] as const;

let t: TestServer;
afterEach(async () => t?.stop());

test.each(VERSIONS)('OCPP $ocpp: a full session against a simulated charge point passes, in the reference shapes', async (v) => {
  t = await startServer();
  await t.station('CP-SITE42-001', v.ocpp, { connectors: 2, vendor: 'ABB', model: 'Terra AC W22-G5', firmwareVersion: '3.8.2' });
  const start = await t.client.start('CP-SITE42-001', { template_id: 'tpl_standard_ac_22kw', skip_test_transaction: false });
  expect(start).toEqual({
    charge_point_id: 'CP-SITE42-001',
    session_id: expect.stringMatching(/^comm_[0-9a-f]{16}$/),
    status: 'running',
    started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    estimated_duration_seconds: expect.any(Number),
    steps: [
      { name: 'connectivity', status: 'pending' },
      { name: 'heartbeat', status: 'pending' },
      { name: 'configuration', status: 'pending' },
      { name: 'test_transaction', status: 'pending' },
    ],
    // Local-server additions: which template, and why that one.
    template_id: 'tpl_standard_ac_22kw',
    template_choice: 'given',
  });

  const end = await waitForEnd(t.client, 'CP-SITE42-001');
  expect(end).toEqual({
    charge_point_id: 'CP-SITE42-001',
    session_id: start.session_id,
    status: 'completed',
    result: 'passed',
    started_at: start.started_at,
    completed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    template_id: 'tpl_standard_ac_22kw',
    steps: [
      {
        name: 'connectivity',
        status: 'passed',
        duration_ms: expect.any(Number),
        detail: `WebSocket connected from 127.0.0.1 (${v.subprotocol}); BootNotification accepted: ABB Terra AC W22-G5, firmware 3.8.2`,
      },
      { name: 'heartbeat', status: 'passed', duration_ms: expect.any(Number), detail: expect.stringMatching(/^Heartbeat received in \d+ ms$/) },
      { name: 'configuration', status: 'passed', duration_ms: expect.any(Number), ...v.configuration },
      {
        name: 'test_transaction',
        status: 'passed',
        duration_ms: expect.any(Number),
        detail: expect.stringMatching(new RegExp(`^Test transaction ${v.transactionId} completed, [\\d.]+ kWh delivered \\(\\d+ Wh, \\d+ meter readings?\\)$`)),
      },
    ],
  });
  expect(end.steps[3]!.duration_ms).toBeGreaterThanOrEqual(1000);

  // The charge point really got the template's values, and charged: the simulator says so.
  const diag = await t.client.diagnostics('CP-SITE42-001');
  expect(diag).toMatchObject({ firmware: { version: '3.8.2', vendor: 'ABB' }, hardware: { connectors: 2 } });
  const warns = await t.client.logs('CP-SITE42-001', { level: 'warn' });
  expect(warns.logs.map((l) => l.message)).toEqual(v.warnLines);
});

test('the start estimate is what the latest passed sessions of that template took here, once there are three', async () => {
  t = await startServer();
  const ids = ['CP-EST-1', 'CP-EST-2', 'CP-EST-3'];
  for (const id of ids) await t.station(id, '1.6');
  const first = await t.client.start(ids[0]!);
  // No history yet: reckoned from the template (its steps' typical times and the charge).
  expect(first.estimated_duration_seconds).toBeGreaterThan(30);
  await waitForEnd(t.client, ids[0]!);
  await Promise.all(ids.slice(1).map((id) => t.client.start(id)));
  const ended = await Promise.all(ids.slice(1).map((id) => waitForEnd(t.client, id)));
  expect(ended.every((s) => s.result === 'passed')).toBe(true);
  const took = ids.map((id) => t.server.store.sessions.latest(id)!).map((s) => (Date.parse(s.completedAt!) - Date.parse(s.startedAt)) / 1000);
  const next = await t.client.start(ids[0]!);
  expect(next.estimated_duration_seconds).toBeGreaterThanOrEqual(Math.floor(Math.min(...took)));
  expect(next.estimated_duration_seconds).toBeLessThanOrEqual(Math.ceil(Math.max(...took)) + 1);
  expect(next.estimated_duration_seconds).toBeLessThan(first.estimated_duration_seconds);
});
