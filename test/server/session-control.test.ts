import { afterEach, describe, expect, test } from 'vitest';
import type { StatusResponse, StepName } from '../../src/api/contract.js';
import { until } from '../helpers/ocpp.js';
import { OCPP_VERSIONS, startServer, waitForEnd, type TestServer } from '../helpers/server.js';

let t: TestServer;
afterEach(async () => t?.stop());

async function statusWhen(cp: string, predicate: (s: StatusResponse) => boolean, timeoutMs = 10_000): Promise<StatusResponse> {
  const started = Date.now();
  for (;;) {
    const s = await t.client.status(cp);
    if (predicate(s)) return s;
    if (Date.now() - started > timeoutMs) throw new Error(`status never matched: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** apply-template of the DC template, with one setting refused, per version. */
const APPLY = {
  '1.6': { reject: 'ConnectionTimeOut', applied: 12, rejected: ['ConnectionTimeOut', 'ReserveConnectorZeroSupported'], changed: ['MinimumStatusDuration', '5'], noun: 'keys' },
  '2.0.1': { reject: 'TxCtrlr.EVConnectionTimeOut', applied: 12, rejected: ['TxCtrlr.EVConnectionTimeOut'], changed: ['SampledDataCtrlr.TxUpdatedInterval', '30'], noun: 'variables' },
} as const;

const running = (step: StepName) => (s: StatusResponse) => s.steps.some((x) => x.name === step && x.status === 'running');

/** OCPP calls the server sent in this session, counted from its debug log. */
async function callsSent(cp: string): Promise<number> {
  const debug = await t.client.logs(cp, { level: 'debug', limit: 5000 });
  return debug.logs.filter((l) => l.message.startsWith('sent [2,')).length;
}

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  test.each(['heartbeat', 'configuration', 'test_transaction'] as const)('pause during %s holds every further call, resume continues there and passes', async (stepName) => {
    t = await startServer({ engine: { testTransaction: { duration_seconds: 1 } } });
    await t.station('CP-1', ocpp, { faults: { slowResponsesMs: 80 } });
    await t.client.start('CP-1');
    await statusWhen('CP-1', running(stepName));
    const paused = await t.client.pause('CP-1');
    expect(paused).toEqual({ charge_point_id: 'CP-1', session_id: expect.any(String), status: 'paused', paused_at: expect.any(String), paused_at_step: stepName });
    const status = await t.client.status('CP-1');
    expect(status).toMatchObject({ status: 'paused', paused_at_step: stepName, result: null });

    await new Promise((r) => setTimeout(r, 400)); // the call in flight, if any, completes
    const before = await callsSent('CP-1');
    await new Promise((r) => setTimeout(r, 800));
    expect(await callsSent('CP-1')).toBe(before);
    expect((await t.client.status('CP-1')).status).toBe('paused');

    const resumed = await t.client.resume('CP-1');
    expect(resumed).toEqual({ charge_point_id: 'CP-1', session_id: paused.session_id, status: 'running', resumed_at: expect.any(String), resuming_at_step: stepName });
    const end = await waitForEnd(t.client, 'CP-1');
    expect(end).toMatchObject({ status: 'completed', result: 'passed' });
    expect(await callsSent('CP-1')).toBeGreaterThan(before);
  });

  test('pausing twice or resuming a running session is a 409 invalid_session_state', async () => {
    t = await startServer();
    await t.station('CP-1', ocpp, { faults: { slowResponsesMs: 200 } });
    await t.client.start('CP-1');
    await expect(t.client.resume('CP-1')).rejects.toMatchObject({ status: 409, code: 'invalid_session_state' });
    await t.client.pause('CP-1');
    await expect(t.client.pause('CP-1')).rejects.toMatchObject({ status: 409, code: 'invalid_session_state' });
    await t.client.stop('CP-1');
  });

  test('stop during the test transaction: stopped, result null, and the charge point stops charging', async () => {
    t = await startServer({ engine: { testTransaction: { duration_seconds: 30 } } });
    const sim = await t.station('CP-1', ocpp);
    await t.client.start('CP-1');
    await until(() => sim.transaction(1) !== null, 10_000, 'the test transaction to start');
    const stopped = await t.client.stop('CP-1');
    expect(stopped).toEqual({ charge_point_id: 'CP-1', session_id: expect.any(String), status: 'stopped', stopped_at: expect.any(String) });
    const status = await t.client.status('CP-1');
    expect(status).toMatchObject({ status: 'stopped', result: null });
    expect(status.steps.find((s) => s.name === 'test_transaction')).toEqual({ name: 'test_transaction', status: 'skipped', detail: 'Stopped by the installer' });
    await until(() => sim.transaction(1) === null, 5000, 'the clean-up stop of the transaction');
    await expect(t.client.stop('CP-1')).rejects.toMatchObject({ status: 409, code: 'no_active_session' });
  });

  test('during the test transaction the running step counts its seconds, and a pause holds the count', async () => {
    t = await startServer({ engine: { testTransaction: { duration_seconds: 30 } } });
    await t.station('CP-1', ocpp);
    await t.client.start('CP-1');
    const detail = (s: StatusResponse) => s.steps.find((x) => x.name === 'test_transaction' && x.status === 'running')?.detail ?? '';
    const counted = (s: StatusResponse) => Number(/^charging: (\d+) of 30 s(, [\d.]+ kWh so far)? \(transaction \S+\)$/.exec(detail(s))?.[1] ?? -1);
    const early = await statusWhen('CP-1', (s) => counted(s) >= 1, 15_000);
    await statusWhen('CP-1', (s) => counted(s) > counted(early), 5000);
    await t.client.pause('CP-1');
    const held = counted(await t.client.status('CP-1'));
    await new Promise((r) => setTimeout(r, 2500));
    expect(counted(await t.client.status('CP-1'))).toBeLessThanOrEqual(held + 1);
    await t.client.stop('CP-1');
  });

  test('restart with another template: a new session from the beginning; the old one is stopped', async () => {
    t = await startServer();
    await t.station('CP-1', ocpp, { connectors: 2, faults: { slowResponsesMs: 100 } });
    const first = await t.client.start('CP-1', { template_id: 'tpl_standard_ac_22kw' });
    await statusWhen('CP-1', running('configuration'));
    const second = await t.client.restart('CP-1', 'tpl_dc_rapid_50kw');
    expect(second.session_id).not.toBe(first.session_id);
    expect(second.status).toBe('running');
    expect(second.steps.map((s) => s.name)).toContain('connector_test');
    expect(second.steps.every((s) => s.status === 'pending')).toBe(true);
    const old = t.server.store.sessions.get(first.session_id)!;
    expect(old).toMatchObject({ status: 'stopped', supersededBy: second.session_id });
    const end = await waitForEnd(t.client, 'CP-1', 30_000);
    expect(end).toMatchObject({ session_id: second.session_id, template_id: 'tpl_dc_rapid_50kw', result: 'passed' });
    const oldLogs = await t.client.logs('CP-1', { session_id: first.session_id });
    expect(oldLogs.logs.at(-1)?.message).toContain(`the new session is ${second.session_id}`);
  });

  test('apply-template mid-session pushes the settings and reports applied and rejected from the real answers', async () => {
    const v = APPLY[ocpp];
    t = await startServer();
    const sim = await t.station('CP-1', ocpp, { faults: { rejectSettings: [v.reject] } });
    await t.client.start('CP-1', { skip_test_transaction: true });
    const applied = await t.client.applyTemplate('CP-1', 'tpl_dc_rapid_50kw');
    expect(applied).toEqual({
      charge_point_id: 'CP-1',
      template_id: 'tpl_dc_rapid_50kw',
      applied_keys: v.applied,
      rejected_keys: v.rejected,
      applied_at: expect.any(String),
    });
    expect(sim.setting(v.changed[0])).toBe(v.changed[1]);
    await waitForEnd(t.client, 'CP-1');
    const logs = await t.client.logs('CP-1', { level: 'info' });
    expect(logs.logs.some((l) => l.message.startsWith(`Template tpl_dc_rapid_50kw applied: ${v.applied} ${v.noun} applied`))).toBe(true);
  });
});

test('OCPP 1.6: pause during connectivity (a charge point that came back without booting)', async () => {
  t = await startServer();
  const sim = await t.simulator('CP-1', { faults: { silentReconnect: true, slowResponsesMs: 300 } });
  const back = new Promise<void>((resolve) => t.server.csms.once('connected', () => resolve()));
  sim.client.drop();
  await back;
  await t.client.start('CP-1', { skip_test_transaction: true });
  await statusWhen('CP-1', running('connectivity'));
  const paused = await t.client.pause('CP-1');
  expect(paused.paused_at_step).toBe('connectivity');
  await new Promise((r) => setTimeout(r, 500));
  expect((await t.client.status('CP-1')).status).toBe('paused');
  expect((await t.client.resume('CP-1')).resuming_at_step).toMatch(/connectivity|heartbeat/);
  const end = await waitForEnd(t.client, 'CP-1');
  expect(end.result).toBe('passed');
  const warns = await t.client.logs('CP-1', { level: 'warn' });
  expect(warns.logs.some((l) => l.message.includes('without a BootNotification'))).toBe(true);
});

test('OCPP 2.0.1: a station that came back without booting is not asked to (it need not boot again), and passes', async () => {
  t = await startServer();
  const sim = await t.station('CP-1', '2.0.1', { faults: { silentReconnect: true } });
  const back = new Promise<void>((resolve) => t.server.csms.once('connected', () => resolve()));
  sim.client.drop();
  await back;
  await t.client.start('CP-1', { skip_test_transaction: true });
  const end = await waitForEnd(t.client, 'CP-1');
  expect(end.result).toBe('passed');
  expect(end.steps[0]!.detail).toMatch(/reconnected without a BootNotification, as OCPP 2\.0\.1 stations may; identity from its boot of /);
  const debug = await t.client.logs('CP-1', { level: 'debug', limit: 5000 });
  expect(debug.logs.some((l) => l.message.includes('"TriggerMessage",{"requestedMessage":"BootNotification"'))).toBe(false);
});
