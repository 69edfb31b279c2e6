import { afterEach, describe, expect, test } from 'vitest';
import type { SimulatedStation } from '../../src/sim/station.js';
import { OCPP_VERSIONS, startServer, waitForEnd, writeTemplate, type TestServer } from '../helpers/server.js';

let t: TestServer;
afterEach(async () => t?.stop());

const step = (status: Awaited<ReturnType<typeof waitForEnd>>, name: string) => status.steps.find((s) => s.name === name)!;

/**
 * What each outcome looks like in each version's words. The behaviours are the same; the
 * names of settings, the messages and the charge point's answers are the version's own.
 */
const V = {
  '1.6': {
    sampleInterval: 'MeterValueSampleInterval',
    timeout: 'ConnectionTimeOut',
    rejectedRequired: {
      detail: 'Required key not applied: MeterValueSampleInterval (Rejected). 10 of 12 configuration keys applied; rejected: MeterValueSampleInterval, ReserveConnectorZeroSupported',
      warns: ["Key 'MeterValueSampleInterval' was not applied: ChangeConfiguration answered Rejected", "Key 'ReserveConnectorZeroSupported' not supported by firmware — skipped"],
    },
    ignored: {
      detail: "Required key not applied: MeterValueSampleInterval (reads back '60'). 1 of 2 configuration keys applied; rejected: MeterValueSampleInterval",
      warn: "Key 'MeterValueSampleInterval' was accepted but reads back '60' (expected '30')",
    },
    rebootDetail: '11 of 12 configuration keys applied; rejected: ReserveConnectorZeroSupported',
    refusedStart: 'RemoteStartTransaction answered Rejected by the charge point',
    dcConnectors: '2 connectors usable (1: Available, 2: Available); Inoperative → Operative round-trip confirmed on each',
  },
  '2.0.1': {
    sampleInterval: 'SampledDataCtrlr.TxUpdatedInterval',
    timeout: 'TxCtrlr.EVConnectionTimeOut',
    rejectedRequired: {
      // The station's reason code, as it gave it.
      detail: 'Required variable not applied: SampledDataCtrlr.TxUpdatedInterval (Rejected, Unspecified: SampledDataCtrlr.TxUpdatedInterval cannot be set). 12 of 13 variables applied; rejected: SampledDataCtrlr.TxUpdatedInterval',
      warns: ['Variable SampledDataCtrlr.TxUpdatedInterval was not applied: SetVariables answered Rejected, Unspecified: SampledDataCtrlr.TxUpdatedInterval cannot be set'],
    },
    ignored: {
      detail: "Required variable not applied: SampledDataCtrlr.TxUpdatedInterval (reads back '60'). 1 of 2 variables applied; rejected: SampledDataCtrlr.TxUpdatedInterval",
      warn: "Variable SampledDataCtrlr.TxUpdatedInterval was accepted but reads back '60' (expected '30')",
    },
    rebootDetail: 'All 13 variables applied',
    refusedStart: 'RequestStartTransaction answered Rejected by the station',
    dcConnectors: '2 connectors usable (1/1: Available, 2/1: Available); Inoperative → Operative round-trip confirmed on each',
  },
} as const;

/** A test template that sets the sample interval (required) and the connection timeout, in both versions' names. */
const sampleTemplate = {
  template_id: 'tpl_sample_30',
  steps: ['connectivity', 'configuration'],
  configuration: { MeterValueSampleInterval: { value: '30', required: true }, ConnectionTimeOut: '90' },
  variables: [
    { component: 'SampledDataCtrlr', variable: 'TxUpdatedInterval', value: '30', required: true },
    { component: 'TxCtrlr', variable: 'EVConnectionTimeOut', value: '90' },
  ],
};

function dropDuringTransaction(sim: SimulatedStation, returnAfterMs: number | null): void {
  sim.once('transactionStarted', () => {
    sim.client.drop(false);
    if (returnAfterMs !== null) setTimeout(() => void sim.client.connect().catch(() => undefined), returnAfterMs);
  });
}

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  const v = V[ocpp];

  test('a required setting the charge point rejects fails configuration and skips the rest', async () => {
    t = await startServer();
    await t.station('CP-1', ocpp, { faults: { rejectSettings: [v.sampleInterval] } });
    await t.client.start('CP-1');
    const end = await waitForEnd(t.client, 'CP-1');
    expect(end).toMatchObject({ status: 'completed', result: 'failed' });
    expect(step(end, 'configuration')).toMatchObject({ status: 'failed', detail: v.rejectedRequired.detail });
    expect(step(end, 'test_transaction')).toEqual({ name: 'test_transaction', status: 'skipped' });
    const warns = await t.client.logs('CP-1', { level: 'warn' });
    expect(warns.logs.map((l) => l.message)).toEqual(expect.arrayContaining([...v.rejectedRequired.warns]));
    const errors = await t.client.logs('CP-1', { level: 'error' });
    expect(errors.logs.map((l) => l.message)).toEqual(expect.arrayContaining([expect.stringContaining('Step configuration failed')]));
  });

  test('a setting the firmware accepts but does not change is caught by the read-back', async () => {
    t = await startServer();
    writeTemplate(t.dataDir, sampleTemplate);
    await t.station('CP-1', ocpp, { faults: { ignoreSettings: [v.sampleInterval] } });
    await t.client.start('CP-1', { template_id: 'tpl_sample_30' });
    const end = await waitForEnd(t.client, 'CP-1');
    expect(step(end, 'configuration')).toMatchObject({ status: 'failed', detail: v.ignored.detail });
    const warns = await t.client.logs('CP-1', { level: 'warn' });
    expect(warns.logs.map((l) => l.message)).toContain(v.ignored.warn);
  });

  test('RebootRequired settings are applied by a reset and confirmed by read-back', async () => {
    t = await startServer();
    const sim = await t.station('CP-1', ocpp, { faults: { rebootSettings: [v.timeout] } });
    await t.client.start('CP-1', { skip_test_transaction: true });
    const end = await waitForEnd(t.client, 'CP-1');
    expect(step(end, 'configuration')).toMatchObject({ status: 'passed', detail: v.rebootDetail });
    expect(sim.setting(v.timeout)).toBe('90');
    const info = await t.client.logs('CP-1', { level: 'info' });
    expect(info.logs.some((l) => l.message.includes(`${v.timeout} need a reboot`))).toBe(true);
  });

  test('no heartbeat, triggered or regular: the heartbeat step fails and says how long it waited', async () => {
    t = await startServer({ heartbeatIntervalS: 2, engine: { heartbeatGraceS: 1 } });
    await t.station('CP-1', ocpp, { faults: { noHeartbeats: true } });
    await t.client.start('CP-1');
    const end = await waitForEnd(t.client, 'CP-1');
    expect(end.result).toBe('failed');
    expect(step(end, 'heartbeat')).toMatchObject({ status: 'failed', detail: 'No Heartbeat within 3 s (interval 2 s + 1 s grace)' });
    expect(step(end, 'configuration').status).toBe('skipped');
  });

  test('without remote trigger the regular heartbeat is awaited instead', async () => {
    t = await startServer({ heartbeatIntervalS: 1 });
    await t.station('CP-1', ocpp, { faults: { noTrigger: true } });
    await t.client.start('CP-1', { skip_test_transaction: true });
    const end = await waitForEnd(t.client, 'CP-1');
    expect(step(end, 'heartbeat').status).toBe('passed');
    expect(step(end, 'heartbeat').detail).toMatch(/^Regular heartbeat received after [\d.]+ s \(interval 1 s\)$/);
  });

  test('a refused remote start fails the test transaction', async () => {
    t = await startServer();
    await t.station('CP-1', ocpp, { faults: { refuseRemoteStart: true } });
    await t.client.start('CP-1');
    const end = await waitForEnd(t.client, 'CP-1');
    expect(step(end, 'test_transaction')).toMatchObject({ status: 'failed', detail: v.refusedStart });
  });

  test('a 0 Wh test transaction passes with a warning', async () => {
    t = await startServer();
    await t.station('CP-1', ocpp, { faults: { zeroEnergy: true } });
    await t.client.start('CP-1');
    const end = await waitForEnd(t.client, 'CP-1');
    expect(end.result).toBe('passed');
    expect(step(end, 'test_transaction').detail).toMatch(/completed, 0 kWh delivered \(0 Wh/);
    const warns = await t.client.logs('CP-1', { level: 'warn' });
    expect(warns.logs.some((l) => l.message.includes('delivered 0 Wh'))).toBe(true);
  });

  test('a disconnect mid-transaction with a return within the grace period: the session goes on and passes', async () => {
    t = await startServer({ engine: { testTransaction: { duration_seconds: 2 }, reconnectGraceS: 5 } });
    const sim = await t.station('CP-1', ocpp);
    dropDuringTransaction(sim, 300);
    await t.client.start('CP-1');
    const end = await waitForEnd(t.client, 'CP-1');
    expect(end.result).toBe('passed');
    const logs = await t.client.logs('CP-1', { level: 'warn' });
    expect(logs.logs.some((l) => l.message.startsWith('Charge point disconnected') && l.step === 'test_transaction')).toBe(true);
    const info = await t.client.logs('CP-1', { level: 'info' });
    expect(info.logs.some((l) => l.message.startsWith('Charge point reconnected'))).toBe(true);
  });

  test('a disconnect mid-transaction without a return: the session fails after the grace period, saying why', async () => {
    t = await startServer({ engine: { testTransaction: { duration_seconds: 5 }, reconnectGraceS: 1 } });
    const sim = await t.station('CP-1', ocpp);
    dropDuringTransaction(sim, null);
    await t.client.start('CP-1');
    const details = new Set<string>();
    let end = await t.client.status('CP-1');
    while (end.status === 'running') {
      const running = end.steps.find((s) => s.status === 'running');
      if (running?.detail) details.add(running.detail);
      await new Promise((r) => setTimeout(r, 50));
      end = await t.client.status('CP-1');
    }
    const waited = [...details].find((d) => d.startsWith('charger disconnected'));
    expect(end).toMatchObject({ status: 'failed', result: 'failed' });
    expect(end.failure_reason).toMatch(/^Charge point disconnected at .* and did not return within 1 s: check its power and its network link/);
    // While it waited, the running step said so.
    expect(waited).toBe('charger disconnected; waiting up to 1 s for it to return');
    expect(step(end, 'test_transaction')).toMatchObject({ status: 'failed', detail: end.failure_reason });
    const errors = await t.client.logs('CP-1', { level: 'error' });
    expect(errors.logs.some((l) => l.message.startsWith('Session failed: Charge point disconnected'))).toBe(true);
  });

  test('the DC template runs connector_test on every connector', async () => {
    t = await startServer();
    await t.station('CP-DC', ocpp, { connectors: 2, model: 'Terra 54 CJG', vendor: 'ABB' });
    const start = await t.client.start('CP-DC');
    expect(start.steps.map((s) => s.name)).toEqual(['connectivity', 'heartbeat', 'configuration', 'connector_test', 'test_transaction']);
    const end = await waitForEnd(t.client, 'CP-DC');
    expect(end.template_id).toBe('tpl_dc_rapid_50kw');
    expect(end.result).toBe('passed');
    expect(step(end, 'connector_test').detail).toBe(v.dcConnectors);
  });

  test('a step over its time limit fails with what it was doing', async () => {
    t = await startServer();
    writeTemplate(t.dataDir, { ...sampleTemplate, template_id: 'tpl_slow_limit', step_timeouts_seconds: { configuration: 1 } });
    await t.station('CP-1', ocpp, { faults: { slowResponsesMs: 400 } });
    await t.client.start('CP-1', { template_id: 'tpl_slow_limit' });
    const end = await waitForEnd(t.client, 'CP-1');
    expect(step(end, 'configuration').status).toBe('failed');
    expect(step(end, 'configuration').detail).toMatch(/^Did not finish within 1 s \(last: /);
  });
});
