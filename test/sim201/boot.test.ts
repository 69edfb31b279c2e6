import { afterEach, expect, test } from 'vitest';
import { CallError } from '../../src/ocpp/errors.js';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { station, TestCsms } from './harness.js';

let csms: TestCsms;
const stations: SimulatedStation201[] = [];
afterEach(async () => {
  for (const s of stations.splice(0)) s.stop();
  await csms?.close();
});

async function run(options: Parameters<typeof station>[1] = { id: 'CS-B' }): Promise<SimulatedStation201> {
  const s = station(csms.url, options);
  stations.push(s);
  return s;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('boot Accepted: PowerUp, identity, a StatusNotification per connector, then a heartbeat at the interval given', async () => {
  csms = await TestCsms.start();
  csms.answer('BootNotification', () => ({ status: 'Accepted', interval: 1, currentTime: new Date().toISOString() }));
  const s = await run({ id: 'CS-B', evses: 2, connectorsPerEvse: 2, vendor: 'Acme', model: 'AC-2', serial: 'SN-42', firmwareVersion: '9.9' });
  await s.start();
  expect(s.isBooted).toBe(true);
  const boot = csms.of('BootNotification')[0]!.request;
  expect(boot).toEqual({ reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'AC-2', serialNumber: 'SN-42', firmwareVersion: '9.9' } });
  await csms.until((c) => c.filter((x) => x.action === 'StatusNotification').length === 4, 'four StatusNotifications');
  const statuses = csms.of('StatusNotification').map((c) => `${c.request.evseId}/${c.request.connectorId}:${c.request.connectorStatus}`);
  expect(statuses.sort()).toEqual(['1/1:Available', '1/2:Available', '2/1:Available', '2/2:Available']);
  const startup = await csms.nth('SecurityEventNotification');
  expect(startup.request.type).toBe('StartupOfTheDevice');
  const t0 = Date.now();
  await csms.nth('Heartbeat', 1, 3000);
  expect(Date.now() - t0).toBeGreaterThan(500);
  const vars = await csms.call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
  expect(vars.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '1' });
});

test('Pending then Accepted: only BootNotification is sent while pending, configuration is answered, remote start refused', async () => {
  csms = await TestCsms.start();
  let pending = true;
  csms.answer('BootNotification', () => ({ status: pending ? 'Pending' : 'Accepted', interval: 1, currentTime: new Date().toISOString() }));
  const s = await run();
  const booted = new Promise<void>((resolve) => s.once('booted', () => resolve()));
  await s.connect();
  await csms.nth('BootNotification');
  const get = await csms.call('GetVariables', { getVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' } }] });
  expect(get.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: 'CS-B' });
  const set = await csms.call('SetVariables', {
    setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: '5' }],
  });
  expect(set.setVariableResult[0]!.attributeStatus).toBe('Accepted');
  const start = await csms.call('RequestStartTransaction', { idToken: { idToken: 'TAG', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  expect(start).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'CSNotAccepted' } });
  // Anything else is a SecurityError before acceptance.
  await expect(csms.call('Reset', { type: 'Immediate' })).rejects.toMatchObject({ errorCode: 'SecurityError' });
  // A triggered message may be sent while pending; unasked ones may not.
  expect(await csms.call('TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Accepted' });
  await csms.nth('Heartbeat');
  await csms.until((c) => c.filter((x) => x.action === 'BootNotification').length >= 2, 'a retry after the interval', 3000);
  expect(csms.calls.map((c) => c.action).filter((a) => !['BootNotification', 'Heartbeat'].includes(a))).toEqual([]);
  expect(csms.of('BootNotification')[1]!.request.reason).toBe('PowerUp');
  pending = false;
  await booted;
  await csms.until((c) => c.some((x) => x.action === 'StatusNotification'), 'StatusNotification after acceptance');
  expect(s.isBooted).toBe(true);
});

test('a triggered BootNotification while Pending has reason Triggered; once Accepted the trigger is Rejected', async () => {
  csms = await TestCsms.start();
  csms.answer('BootNotification', (_req, n) => ({ status: n === 1 ? 'Pending' : 'Accepted', interval: 60, currentTime: new Date().toISOString() }));
  const s = await run();
  await s.connect();
  await csms.nth('BootNotification');
  expect(await csms.call('TriggerMessage', { requestedMessage: 'BootNotification' })).toEqual({ status: 'Accepted' });
  const second = await csms.nth('BootNotification', 2);
  expect(second.request.reason).toBe('Triggered');
  await csms.until(() => s.isBooted, 'accepted');
  const again = await csms.call('TriggerMessage', { requestedMessage: 'BootNotification' });
  expect(again.status).toBe('Rejected');
});

test('Rejected: retried after the interval, silent meanwhile, and every CSMS call but a triggered boot is a SecurityError', async () => {
  csms = await TestCsms.start();
  csms.answer('BootNotification', (_req, n) => ({ status: n < 3 ? 'Rejected' : 'Accepted', interval: 1, currentTime: new Date().toISOString() }));
  const s = await run();
  await s.connect();
  await csms.nth('BootNotification');
  const err = await csms.call('GetVariables', { getVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' } }] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CallError);
  expect(err).toMatchObject({ errorCode: 'SecurityError' });
  const t0 = Date.now();
  await csms.nth('BootNotification', 2, 3000);
  expect(Date.now() - t0).toBeGreaterThan(700);
  expect(await csms.call('TriggerMessage', { requestedMessage: 'BootNotification' })).toEqual({ status: 'Accepted' });
  const third = await csms.nth('BootNotification', 3);
  expect(third.request.reason).toBe('Triggered');
  await csms.until(() => s.isBooted, 'accepted');
  expect(csms.calls.slice(0, 3).map((c) => c.action)).toEqual(['BootNotification', 'BootNotification', 'BootNotification']);
});

test('a reconnect is not a reboot: no BootNotification, and only the statuses that changed (B04)', async () => {
  csms = await TestCsms.start();
  const s = await run({ id: 'CS-B', evses: 2 });
  await s.start();
  await csms.until((c) => c.filter((x) => x.action === 'StatusNotification').length === 2, 'statuses');
  const before = csms.calls.length;
  s.client.drop();
  await csms.until(() => csms.links.length === 2 && s.isBooted, 'reconnect');
  await sleep(300);
  expect(csms.calls.slice(before).map((c) => c.action).filter((a) => a !== 'SecurityEventNotification')).toEqual([]);
  expect(csms.count('BootNotification')).toBe(1);
});

test('stop and start again is a power cycle: a new BootNotification, reason PowerUp', async () => {
  csms = await TestCsms.start();
  const s = await run();
  await s.start();
  s.stop();
  await csms.until(() => csms.links[0]!.closed !== null, 'closed');
  await s.start();
  const second = await csms.nth('BootNotification', 2);
  expect(second.request.reason).toBe('PowerUp');
  expect(second.connection).toBe(2);
});
