import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { redactFrame } from '../../src/server/engine/redact.js';
import { TemplateCatalog } from '../../src/server/engine/templates.js';
import { until } from '../helpers/ocpp.js';
import { type Frame, type Handler, RawStation201 } from '../helpers/raw-station201.js';
import { startServer, type TestServer, waitForEnd, writeTemplate } from '../helpers/server.js';

/**
 * What a 2.0.1 station may do that the strict simulator never does, and what the server must
 * make of it: bounded memory for a report without end, a Pending gate that reconnecting does
 * not open, a meter that lies, a transaction the station ends itself, a Reset it refuses.
 */
let t!: TestServer;
const servers: TestServer[] = [];
const stations: RawStation201[] = [];
afterEach(async () => {
  for (const s of stations.splice(0)) s.close();
  for (const server of servers.splice(0)) await server.stop();
});

async function serve(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  t = await startServer(options);
  servers.push(t);
  return t;
}

async function station(id: string, overrides: Record<string, Handler> = {}, options: { boot?: boolean; open?: boolean } = {}): Promise<RawStation201> {
  const password = options.open ? null : await t.addChargePoint(id);
  const s = await RawStation201.connect(t.server.ocppUrl, id, password, overrides);
  stations.push(s);
  if (options.boot !== false) await s.boot();
  return s;
}

const step = (status: Awaited<ReturnType<typeof waitForEnd>>, name: string) => status.steps.find((s) => s.name === name)!;
const isSecurityError = (f: Frame): boolean => f[0] === 4 && f[2] === 'SecurityError';

test('a base report far larger than a device model is kept to its budget, completes, and says it was cut', async () => {
  await serve();
  const value = 'v'.repeat(2500);
  const PAGES = 8;
  await station('RAW-REPORT', {
    GetBaseReport: (p, s) => {
      // Each page ~760 KB of schema-valid variables: 6 MB in all, over the 4 MiB budget.
      for (let seqNo = 0; seqNo < PAGES; seqNo += 1) {
        const reportData = Array.from({ length: 75 }, (_, i) => ({
          component: { name: `Flood${seqNo}` },
          variable: { name: `Var${i}` },
          variableAttribute: (['Actual', 'Target', 'MinSet', 'MaxSet'] as const).map((type) => ({ type, value, mutability: 'ReadOnly' })),
        }));
        s.later('NotifyReport', { requestId: p['requestId'], generatedAt: new Date().toISOString(), seqNo, tbc: seqNo < PAGES - 1, reportData });
      }
      return { status: 'Accepted' };
    },
  });
  writeTemplate(t.dataDir, { template_id: 'tpl_one', steps: ['connectivity', 'configuration'], variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300' }] });
  await t.client.start('RAW-REPORT', { template_id: 'tpl_one' });
  const status = await waitForEnd(t.client, 'RAW-REPORT');
  expect(step(status, 'configuration').status).toBe('passed');
  const warns = (await t.client.logs('RAW-REPORT', { level: 'warn' })).logs.map((l) => l.message);
  expect(warns.some((m) => m.includes('larger than a device model'))).toBe(true);
  const full = await t.client.diagnostics('RAW-REPORT', { full: true });
  const items = full.configuration_report?.items ?? [];
  // Whole pages are kept while they fit: five of ~760 KB.
  expect(items.length).toBeGreaterThan(0);
  expect(items.reduce((n, i) => n + (i.value?.length ?? 0), 0)).toBeLessThanOrEqual(4 * 1024 * 1024);
});

describe('local up --pending-until-configured', () => {
  test('a Pending station that reconnects without booting is still Pending: the gate holds, and it is configured and registered', async () => {
    await serve({ pendingUntilConfigured: true });
    const password = await t.addChargePoint('RAW-PEND');
    const first = await RawStation201.connect(t.server.ocppUrl, 'RAW-PEND', password, { GetBaseReport: () => ({ status: 'Rejected' }), GetVariables: () => undefined });
    expect((await first.boot())[2]).toMatchObject({ status: 'Pending' });
    first.close();
    await until(() => !t.server.csms.state('RAW-PEND')?.connected, 5000, 'disconnect');
    // The station never answered the server's calls on that connection; it comes back silent.
    const again = await RawStation201.connect(t.server.ocppUrl, 'RAW-PEND', password);
    stations.push(again);
    const heartbeat = await again.call('Heartbeat', {});
    expect(isSecurityError(heartbeat)).toBe(true);
    // The server configures it as if it had booted, then asks it to boot and accepts it.
    await until(() => t.server.csms.state('RAW-PEND')?.registration === 'Accepted', 15_000, 'registered');
    expect((await again.call('Heartbeat', {}))[0]).toBe(3);
  });

  test('a Pending station may send every page of the report it was asked for', async () => {
    await serve({ pendingUntilConfigured: true });
    const answers: Promise<Frame>[] = [];
    const s = await station('RAW-PAGES', {
      GetBaseReport: (p, st) => {
        setTimeout(() => {
          for (let seqNo = 0; seqNo < 150; seqNo += 1) {
            const reportData = [{ component: { name: 'Page' }, variable: { name: `V${seqNo}` }, variableAttribute: [{ value: '1', mutability: 'ReadOnly' }] }];
            answers.push(st.call('NotifyReport', { requestId: p['requestId'], generatedAt: new Date().toISOString(), seqNo, tbc: seqNo < 149, reportData }));
          }
        }, 20);
        return { status: 'Accepted' };
      },
    }, { boot: false });
    expect((await s.boot())[2]).toMatchObject({ status: 'Pending' });
    await until(() => answers.length === 150, 10_000, '150 pages sent');
    const frames = await Promise.all(answers);
    expect(frames.filter(isSecurityError)).toEqual([]);
  });
});

describe('the test transaction', () => {
  const meter = (readings: number[]): Record<string, Handler> => ({
    RequestStartTransaction: (p, s) => {
      s.transaction = { id: 'TX-M', remoteStartId: p['remoteStartId'], evseId: p['evseId'] ?? 1 };
      s.energyWh = readings[0]!;
      s.later('TransactionEvent', s.txEvent('Started', 'RemoteStart'));
      for (const [i, wh] of readings.slice(1, -1).entries()) {
        setTimeout(() => {
          s.energyWh = wh;
          void s.call('TransactionEvent', s.txEvent('Updated', 'MeterValuePeriodic')).catch(() => undefined);
        }, 100 + i * 100);
      }
      return { status: 'Accepted' };
    },
    RequestStopTransaction: (_p, s) => {
      s.energyWh = readings[readings.length - 1]!;
      s.later('TransactionEvent', s.txEvent('Ended', 'RemoteStop'));
      return { status: 'Accepted' };
    },
  });

  test.each([
    ['a register below zero', [-50_000, -20_000, 0], 'negative value (-50000 Wh)'],
    ['a register that runs backwards', [10_000, 2_000, 10_500], 'ran backwards, from 10000 Wh to 2000 Wh'],
    ['a register that counts a megawatt-hour in a second', [0, 500_000, 1_000_000_000], 'more than 1 MW could deliver'],
  ])('%s fails the step as a meter fault', async (_what, readings, detail) => {
    await serve();
    await station('RAW-METER', meter(readings));
    writeTemplate(t.dataDir, { template_id: 'tpl_tx', steps: ['connectivity', 'test_transaction'] });
    await t.client.start('RAW-METER', { template_id: 'tpl_tx' });
    const status = await waitForEnd(t.client, 'RAW-METER');
    const tx = step(status, 'test_transaction');
    expect(tx.status).toBe('failed');
    expect(tx.detail).toContain(detail);
  });

  test('a transaction the station ends itself fails with its stoppedReason, not as a refused stop', async () => {
    await serve();
    await station('RAW-ENDS', {
      RequestStartTransaction: (p, s) => {
        s.transaction = { id: 'TX-E', remoteStartId: p['remoteStartId'], evseId: p['evseId'] ?? 1 };
        s.later('TransactionEvent', s.txEvent('Started', 'RemoteStart'));
        setTimeout(() => void s.call('TransactionEvent', s.txEvent('Ended', 'EVConnectTimeout', { stoppedReason: 'Timeout' })).catch(() => undefined), 200);
        return { status: 'Accepted' };
      },
      RequestStopTransaction: () => ({ status: 'Rejected' }),
    });
    writeTemplate(t.dataDir, { template_id: 'tpl_tx', steps: ['connectivity', 'test_transaction'] });
    await t.client.start('RAW-ENDS', { template_id: 'tpl_tx' });
    const tx = step(await waitForEnd(t.client, 'RAW-ENDS'), 'test_transaction');
    expect(tx.status).toBe('failed');
    expect(tx.detail).toBe("The charge point ended transaction TX-E itself before the test's end (Timeout, trigger EVConnectTimeout)");
  });

  test('OCPP 1.6: a StopTransaction the charge point sends itself fails the step with its reason', async () => {
    await serve();
    const password = await t.addChargePoint('RAW16-ENDS');
    const ws = new WebSocket(`${t.server.ocppUrl}/RAW16-ENDS`, ['ocpp1.6'], { headers: { Authorization: `Basic ${Buffer.from(`RAW16-ENDS:${password}`).toString('base64')}` } });
    await once(ws, 'open');
    let sent = 0;
    const call = (action: string, payload: unknown): void => ws.send(JSON.stringify([2, `c${++sent}`, action, payload]));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown[];
      const [type, id, action, payload] = frame as [number, string, string, Record<string, unknown>];
      const result = type === 3 ? (frame[2] as { transactionId?: number }) : undefined;
      if (result?.transactionId !== undefined) {
        // Its StartTransaction was answered: the EV is unplugged a moment later.
        const transactionId = result.transactionId;
        setTimeout(() => call('StopTransaction', { transactionId, meterStop: 1500, timestamp: new Date().toISOString(), reason: 'EVDisconnected' }), 100);
      }
      if (type !== 2) return;
      const answer = action === 'RemoteStartTransaction' ? { status: 'Accepted' } : action === 'GetConfiguration' ? { configurationKey: [] } : { status: 'Rejected' };
      ws.send(JSON.stringify([3, id, answer]));
      if (action === 'RemoteStartTransaction') call('StartTransaction', { connectorId: 1, idTag: payload['idTag'], meterStart: 1000, timestamp: new Date().toISOString() });
    });
    call('BootNotification', { chargePointVendor: 'Raw', chargePointModel: 'Raw16' });
    writeTemplate(t.dataDir, { template_id: 'tpl_tx', steps: ['connectivity', 'test_transaction'] });
    await until(() => t.server.csms.state('RAW16-ENDS')?.bootedThisConnection === true, 5000, 'booted');
    await t.client.start('RAW16-ENDS', { template_id: 'tpl_tx' });
    const tx = step(await waitForEnd(t.client, 'RAW16-ENDS'), 'test_transaction');
    ws.close();
    expect(tx.status).toBe('failed');
    expect(tx.detail).toMatch(/^The charge point ended transaction \d+ itself before the test's end \(EVDisconnected\)$/);
  });
});

test('a variable that needs a reboot, with the Reset refused, passes with a warning on the step', async () => {
  await serve();
  await station('RAW-RESET', {
    SetVariables: (p) => ({ setVariableResult: (p['setVariableData'] as Record<string, unknown>[]).map((d) => ({ attributeStatus: 'RebootRequired', component: d['component'], variable: d['variable'] })) }),
    GetVariables: (p) => ({ getVariableResult: (p['getVariableData'] as Record<string, unknown>[]).map((d) => ({ attributeStatus: 'Accepted', component: d['component'], variable: d['variable'], attributeValue: '300' })) }),
    Reset: () => ({ status: 'Rejected' }),
  });
  writeTemplate(t.dataDir, { template_id: 'tpl_one', steps: ['connectivity', 'configuration'], variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300' }] });
  await t.client.start('RAW-RESET', { template_id: 'tpl_one' });
  const configuration = step(await waitForEnd(t.client, 'RAW-RESET'), 'configuration');
  expect(configuration.status).toBe('passed');
  const warns = (await t.client.logs('RAW-RESET', { level: 'warn' })).logs.map((l) => l.message);
  expect(warns).toContain('Reset(OnIdle) answered Rejected; OCPPCommCtrlr.HeartbeatInterval may not be active until the charge point restarts');
});

describe("the charge point's password under another spelling", () => {
  test('is refused in a template, for both versions, naming the right spelling', async () => {
    await serve();
    writeTemplate(t.dataDir, { template_id: 'tpl_lower16', steps: ['configuration'], configuration: { authorizationkey: 'short' } });
    writeTemplate(t.dataDir, { template_id: 'tpl_lower201', steps: ['configuration'], variables: [{ component: 'SecurityCtrlr', variable: 'basicAuthPassword', value: 'hunter2' }] });
    const problems: string[] = [];
    const catalog = new TemplateCatalog([`${t.dataDir}/templates`], (p) => problems.push(p.message));
    expect(catalog.get('tpl_lower16')).toBeUndefined();
    expect(catalog.get('tpl_lower201')).toBeUndefined();
    expect(problems).toEqual(expect.arrayContaining(['authorizationkey is the charge point\'s password: spell it AuthorizationKey', 'basicAuthPassword is the charge point\'s password: spell it BasicAuthPassword']));
  });

  test.each([
    ['1.6 ChangeConfiguration', [2, '1', 'ChangeConfiguration', { key: 'authorizationKEY', value: 'hunter2hunter2hunter2' }]],
    ['2.0.1 SetVariables', [2, '1', 'SetVariables', { setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'basicauthpassword' }, attributeValue: 'hunter2hunter2hunter2' }] }]],
    ['2.0.1 NotifyReport', [2, '1', 'NotifyReport', { reportData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BASICAUTHPASSWORD' }, variableAttribute: [{ value: 'hunter2hunter2hunter2' }] }] }]],
  ])('is redacted from a logged %s frame', (_what, frame) => {
    const logged = redactFrame(JSON.stringify(frame));
    expect(logged).not.toContain('hunter2');
    expect(logged).toContain('[redacted]');
  });
});
