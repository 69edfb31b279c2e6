import { expect, test } from 'vitest';
import { InvalidResponseError } from '../../src/ocpp/errors.js';
import type * as T from '../../src/ocpp/ocpp201.js';
import type { StationFaults, StationOptions } from '../../src/sim/v201/options.js';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { fixture, type TestCsms } from './harness.js';

let csms: TestCsms;
let s: SimulatedStation201;
const startStation = fixture((c, st) => ((csms = c), (s = st)), { id: 'CS-F' });

const run = (faults: StationFaults, options: Partial<StationOptions> = {}, heartbeatS = 3600): Promise<void> =>
  startStation({ faults, ...options }, (c) =>
    c.answer('BootNotification', () => ({ status: 'Accepted', interval: heartbeatS, currentTime: new Date().toISOString() })),
  );

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const setVar = (component: string, variable: string, attributeValue: string): T.SetVariableDataType => ({ component: { name: component }, variable: { name: variable }, attributeValue });
const getVar = (component: string, variable: string): T.GetVariableDataType => ({ component: { name: component }, variable: { name: variable } });
const events = (): T.TransactionEventRequest[] => csms.of('TransactionEvent').map((c) => c.request);

test('rejectVariables, ignoreVariables, rebootRequiredVariables', async () => {
  await run({ rejectVariables: ['TxCtrlr.EVConnectionTimeOut'], ignoreVariables: ['OCPPCommCtrlr.OfflineThreshold'], rebootRequiredVariables: ['SampledDataCtrlr.TxUpdatedInterval'] });
  const { setVariableResult } = await csms.call('SetVariables', {
    setVariableData: [setVar('TxCtrlr', 'EVConnectionTimeOut', '90'), setVar('OCPPCommCtrlr', 'OfflineThreshold', '300'), setVar('SampledDataCtrlr', 'TxUpdatedInterval', '10')],
  });
  expect(setVariableResult.map((r) => r.attributeStatus)).toEqual(['Rejected', 'Accepted', 'RebootRequired']);
  const read = async (): Promise<(string | undefined)[]> =>
    (await csms.call('GetVariables', { getVariableData: [getVar('TxCtrlr', 'EVConnectionTimeOut'), getVar('OCPPCommCtrlr', 'OfflineThreshold'), getVar('SampledDataCtrlr', 'TxUpdatedInterval')] }))
      .getVariableResult.map((r) => r.attributeValue);
  expect(await read()).toEqual(['60', '60', '60']);
  await csms.call('Reset', { type: 'Immediate' });
  await csms.nth('BootNotification', 2);
  await csms.until(() => s.isBooted, 'booted');
  expect(await read()).toEqual(['60', '60', '10']);
});

test('unknownComponents and unknownVariables: Unknown* answers, and absent from reports', async () => {
  await run({ unknownComponents: ['AlignedDataCtrlr'], unknownVariables: ['TxCtrlr.TxStopPoint'] });
  const { getVariableResult } = await csms.call('GetVariables', { getVariableData: [getVar('AlignedDataCtrlr', 'Interval'), getVar('TxCtrlr', 'TxStopPoint'), getVar('TxCtrlr', 'TxStartPoint')] });
  expect(getVariableResult.map((r) => r.attributeStatus)).toEqual(['UnknownComponent', 'UnknownVariable', 'Accepted']);
  const { setVariableResult } = await csms.call('SetVariables', { setVariableData: [setVar('AlignedDataCtrlr', 'Interval', '60')] });
  expect(setVariableResult[0]!.attributeStatus).toBe('UnknownComponent');
  expect(await csms.call('GetBaseReport', { requestId: 1, reportBase: 'FullInventory' })).toEqual({ status: 'Accepted' });
  await csms.until(() => csms.of('NotifyReport').some((c) => !c.request.tbc), 'report');
  const text = JSON.stringify(csms.of('NotifyReport').map((c) => c.request));
  expect(text).not.toContain('AlignedDataCtrlr');
  expect(text).not.toContain('TxStopPoint');
  expect(text).toContain('TxStartPoint');
});

test('noTrigger: every TriggerMessage is NotImplemented and nothing is sent', async () => {
  await run({ noTrigger: true });
  await csms.until((c) => c.some((x) => x.action === 'StatusNotification') && c.some((x) => x.action === 'SecurityEventNotification'), 'boot messages');
  const before = csms.calls.length;
  for (const requestedMessage of ['Heartbeat', 'StatusNotification', 'MeterValues', 'BootNotification'] as const) {
    expect(await csms.call('TriggerMessage', { requestedMessage, evse: { id: 1, connectorId: 1 } })).toEqual({ status: 'NotImplemented' });
  }
  await sleep(200);
  expect(csms.calls.slice(before)).toEqual([]);
});

test('refuseRemoteStart: RequestStartTransaction is Rejected and no transaction starts', async () => {
  await run({ refuseRemoteStart: true });
  expect((await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 })).status).toBe('Rejected');
  await sleep(200);
  expect(csms.count('TransactionEvent')).toBe(0);
});

test('dropAfterS with returnAfterS: the link drops without a close handshake and comes back, and with dropRepeatedly again', async () => {
  await run({ dropAfterS: 0.2, returnAfterS: 0.2, dropRepeatedly: true });
  await csms.until(() => csms.links.length >= 3, 'two drops and returns', 4000);
  expect(csms.links[0]!.closed?.code).toBe(1006);
  expect(csms.links[1]!.closed?.code).toBe(1006);
  // A return is a reconnect, not a reboot.
  expect(csms.count('BootNotification')).toBe(1);
});

test('dropAfterS without a return: the station stays away', async () => {
  await run({ dropAfterS: 0.1 });
  await csms.until(() => csms.links[0]!.closed !== null, 'drop', 3000);
  await sleep(500);
  expect(csms.links).toHaveLength(1);
});

test('slowResponsesMs delays every answer', async () => {
  await run({ slowResponsesMs: 300 });
  const started = Date.now();
  await csms.call('ClearCache', {});
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
});

test('invalidPayloads: answers fail validation at the CSMS, notifications get a FormatViolation', async () => {
  await run({ invalidPayloads: true });
  await expect(csms.call('ClearCache', {})).rejects.toBeInstanceOf(InvalidResponseError);
  await csms.until(() => csms.errorsSent.length > 0, 'a CALLERROR for the boot statuses', 3000);
  expect(csms.errorsSent[0]).toContain('FormatViolation');
  expect(csms.errorsSent[0]).toContain('simulatorFault');
  // Nothing invalid got through as a call.
  expect(csms.count('StatusNotification')).toBe(0);
});

test('noHeartbeats: none at the interval, and a triggered one never comes', async () => {
  await run({ noHeartbeats: true }, {}, 1);
  expect(await csms.call('TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Accepted' });
  await sleep(1500);
  expect(csms.count('Heartbeat')).toBe(0);
});

test('without faults a heartbeat comes at the interval, and a triggered one at once', async () => {
  await run({}, {}, 1);
  await csms.nth('Heartbeat', 1, 2500);
  expect(await csms.call('TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Accepted' });
  await csms.nth('Heartbeat', 2, 500);
});

test('wrongPassword: the upgrade is refused', async () => {
  const password = 'right-password-0123456';
  const started = startStation({ password, faults: { wrongPassword: true }, reconnect: null }, (c) => {
    c.passwords = new Set([password]);
  });
  await expect(started).rejects.toThrow(/401/);
  expect(csms.refusals).toBe(1);
  expect(csms.links).toHaveLength(0);
});

test('silentReconnect: after a reconnect nothing at all until the CSMS triggers a message', async () => {
  await run({ silentReconnect: true }, {}, 1);
  await csms.nth('Heartbeat', 1, 2500);
  s.client.drop();
  await csms.until(() => csms.links.length === 2, 'reconnect');
  const from = csms.calls.length;
  await sleep(1500);
  expect(csms.calls.slice(from)).toEqual([]);
  expect(s.isBooted).toBe(false);
  // A BootNotification cannot be triggered (it was Accepted); a StatusNotification can, and ends the silence.
  expect((await csms.call('TriggerMessage', { requestedMessage: 'BootNotification' })).status).toBe('Rejected');
  expect(await csms.call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } })).toEqual({ status: 'Accepted' });
  await csms.until((c) => c.some((x) => x.action === 'StatusNotification'), 'triggered status', 2000, from);
  await csms.until((c) => c.some((x) => x.action === 'Heartbeat'), 'heartbeats again', 2500, from);
  expect(s.isBooted).toBe(true);
});

test('zeroEnergy: the register does not move during a transaction', async () => {
  await run({ zeroEnergy: true }, { powerW: 360_000 });
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  await csms.until(() => events().length === 3, 'charging');
  await sleep(300);
  await csms.call('RequestStopTransaction', { transactionId: events()[0]!.transactionInfo.transactionId });
  await csms.until(() => events().some((e) => e.eventType === 'Ended'), 'Ended');
  const values = events().flatMap((e) => e.meterValue ?? []).flatMap((mv) => mv.sampledValue).filter((v) => v.measurand === 'Energy.Active.Import.Register').map((v) => v.value);
  expect(values.length).toBeGreaterThanOrEqual(3);
  expect(new Set(values).size).toBe(1);
});
