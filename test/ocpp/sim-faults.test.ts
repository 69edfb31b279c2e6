import { afterEach, expect, test } from 'vitest';
import { CallError, InvalidResponseError } from '../../src/ocpp/errors.js';
import type { SimulatedChargePoint, SimOptions } from '../../src/sim/simulator.js';
import { recordCalls, simulator, startCsms, until, type RecordedCall, type TestCsms } from '../helpers/ocpp.js';

let csms: TestCsms;
let calls: RecordedCall[];
const sims: SimulatedChargePoint[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) sim.stop();
  await csms?.close();
});

async function run(options: Omit<SimOptions, 'url' | 'id'>, heartbeatIntervalS = 3600): Promise<SimulatedChargePoint> {
  csms = await startCsms({ open: true, policy: { heartbeatIntervalS } });
  calls = recordCalls(csms.server);
  const sim = simulator(csms.url, { id: 'CP-F', ...options });
  sims.push(sim);
  await sim.start();
  return sim;
}
const cp = () => csms.server.chargePoint16('CP-F')!;
const count = (action: string): number => calls.filter((c) => c.action === action).length;

test('rejectKeys and unsupportedKeys', async () => {
  await run({ faults: { rejectKeys: ['ConnectionTimeOut'], unsupportedKeys: ['LocalPreAuthorize'] } });
  expect(await cp().changeConfiguration('ConnectionTimeOut', '90')).toEqual({ status: 'Rejected' });
  expect(await cp().changeConfiguration('LocalPreAuthorize', 'true')).toEqual({ status: 'NotSupported' });
  expect((await cp().getConfiguration(['LocalPreAuthorize'])).unknownKey).toEqual(['LocalPreAuthorize']);
});

test('ignoreKeys: Accepted, but the value reads back unchanged', async () => {
  await run({ faults: { ignoreKeys: ['ConnectionTimeOut'] } });
  expect(await cp().changeConfiguration('ConnectionTimeOut', '90')).toEqual({ status: 'Accepted' });
  expect((await cp().getConfiguration(['ConnectionTimeOut'])).configurationKey?.[0]?.value).toBe('60');
});

test('noTrigger: TriggerMessage is a CALLERROR NotSupported and RemoteTrigger is not a supported profile', async () => {
  await run({ faults: { noTrigger: true } });
  const err = await cp().triggerMessage('Heartbeat').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CallError);
  expect(err).toMatchObject({ errorCode: 'NotSupported' });
  const profiles = (await cp().getConfiguration(['SupportedFeatureProfiles'])).configurationKey?.[0]?.value;
  expect(profiles).not.toContain('RemoteTrigger');
});

test('refuseRemoteStart: RemoteStartTransaction is Rejected and no transaction starts', async () => {
  await run({ faults: { refuseRemoteStart: true } });
  expect(await cp().remoteStartTransaction('TAG', 1)).toEqual({ status: 'Rejected' });
  await new Promise((r) => setTimeout(r, 100));
  expect(count('StartTransaction')).toBe(0);
});

test('dropAfterS with returnAfterS: the link drops without a close handshake, then the charge point returns and boots', async () => {
  const sim = await run({ faults: { dropAfterS: 0.2, returnAfterS: 0.2 } });
  const codes: number[] = [];
  csms.server.on('disconnected', (_cp, code) => codes.push(code));
  await until(() => codes.length === 1, 3000, 'drop');
  expect(codes[0]).toBe(1006);
  await until(() => count('BootNotification') === 2 && sim.isBooted, 3000, 'return');
  await new Promise((r) => setTimeout(r, 400));
  expect(codes).toHaveLength(1);
});

test('dropAfterS without a return: the charge point stays away', async () => {
  await run({ faults: { dropAfterS: 0.1 } });
  await until(() => csms.server.chargePoint('CP-F') === undefined, 3000, 'drop');
  await new Promise((r) => setTimeout(r, 400));
  expect(csms.server.chargePoint('CP-F')).toBeUndefined();
});

test('slowResponsesMs delays every answer', async () => {
  await run({ faults: { slowResponsesMs: 300 } });
  const started = Date.now();
  await cp().clearCache();
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
});

test('invalidPayloads: answers fail our response validation; its notifications get a FormationViolation', async () => {
  await run({ faults: { invalidPayloads: true } });
  await expect(cp().clearCache()).rejects.toBeInstanceOf(InvalidResponseError);
  const errors: string[] = [];
  csms.server.on('frame', (_id, direction, text) => {
    if (direction === 'out' && text.startsWith('[4,')) errors.push(text);
  });
  await cp().triggerMessage('Heartbeat').catch(() => undefined);
  await cp().call('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 }).catch(() => undefined);
  await until(() => errors.length >= 1, 2000, 'CALLERROR for the invalid notification');
  expect(errors[0]).toContain('FormationViolation');
  expect(errors[0]).toContain('simulatorFault');
});

test('noHeartbeats: no periodic heartbeat, and a triggered one never comes', async () => {
  await run({ faults: { noHeartbeats: true } }, 1);
  expect(await cp().triggerMessage('Heartbeat')).toEqual({ status: 'Accepted' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(count('Heartbeat')).toBe(0);
});

test('without faults, heartbeats come at the interval the Central System set', async () => {
  await run({}, 1);
  await until(() => count('Heartbeat') >= 1, 2500, 'periodic heartbeat');
});

test('silentReconnect: after a network reconnect no BootNotification until triggered', async () => {
  const sim = await run({ faults: { silentReconnect: true } });
  const reconnected = new Promise<void>((resolve) => csms.server.once('connected', () => resolve()));
  sim.client.drop();
  await reconnected;
  await new Promise((r) => setTimeout(r, 200));
  expect(count('BootNotification')).toBe(1);
  expect(csms.server.state('CP-F')!.bootedThisConnection).toBe(false);
  expect(await cp().triggerMessage('BootNotification')).toEqual({ status: 'Accepted' });
  await until(() => count('BootNotification') === 2, 2000, 'triggered boot');
  expect(csms.server.state('CP-F')!.bootedThisConnection).toBe(true);
});

test('zeroEnergy: a transaction reports meterStop equal to meterStart', async () => {
  await run({ faults: { zeroEnergy: true } });
  await cp().remoteStartTransaction('TAG', 1);
  await until(() => count('StartTransaction') === 1, 2000, 'start');
  const tx = calls.find((c) => c.action === 'StartTransaction')!;
  await new Promise((r) => setTimeout(r, 200));
  await cp().remoteStopTransaction(tx.response.transactionId);
  await until(() => count('StopTransaction') === 1, 2000, 'stop');
  expect(calls.find((c) => c.action === 'StopTransaction')!.request.meterStop).toBe(tx.request.meterStart);
});

test('AuthorizeRemoteTxRequests=true: the charge point sends Authorize before StartTransaction', async () => {
  await run({});
  await cp().changeConfiguration('AuthorizeRemoteTxRequests', 'true');
  await cp().remoteStartTransaction('TAG-AUTH', 1);
  await until(() => count('StartTransaction') === 1, 2000, 'start');
  const order = calls.map((c) => c.action).filter((a) => a === 'Authorize' || a === 'StartTransaction');
  expect(order).toEqual(['Authorize', 'StartTransaction']);
});
