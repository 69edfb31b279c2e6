import { expect, test } from 'vitest';
import type * as T from '../../src/ocpp/ocpp201.js';
import type { StationOptions } from '../../src/sim/v201/options.js';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { fixture, type TestCsms } from './harness.js';

let csms: TestCsms;
let s: SimulatedStation201;
const startStation = fixture((c, st) => ((csms = c), (s = st)), { id: 'CS-AV', evses: 2 });

async function run(options: Partial<StationOptions> = {}): Promise<void> {
  await startStation(options);
  await csms.until((c) => c.filter((x) => x.action === 'StatusNotification').length === 2, 'boot statuses');
}

const statuses = (from: number): string[] =>
  csms.calls.slice(from).filter((c) => c.action === 'StatusNotification').map((c) => `${c.request.evseId}:${c.request.connectorStatus}`);
const events = (): T.TransactionEventRequest[] => csms.of('TransactionEvent').map((c) => c.request);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('ChangeAvailability of an EVSE: Inoperative then Operative, a StatusNotification each way, Accepted when already so', async () => {
  await run();
  const from = csms.calls.length;
  expect(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).toEqual({ status: 'Accepted' });
  await csms.until(() => statuses(from).length === 1, 'Unavailable');
  expect(s.status(1)).toBe('Unavailable');
  expect(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).toEqual({ status: 'Accepted' });
  expect(await csms.call('ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 1 } })).toEqual({ status: 'Accepted' });
  await csms.until(() => statuses(from).length === 2, 'Available');
  await sleep(100);
  expect(statuses(from)).toEqual(['1:Unavailable', '1:Available']);
  const read = await csms.call('GetVariables', { getVariableData: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } }] });
  expect(read.getVariableResult[0]!.attributeValue).toBe('Available');
  expect(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 7 } })).toMatchObject({ status: 'Rejected' });
  expect(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 9 } })).toMatchObject({ status: 'Rejected' });
});

test('station-wide and connector levels keep their own setting (G03 Note 1)', async () => {
  await run();
  const from = csms.calls.length;
  await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2, connectorId: 1 } });
  await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative' });
  await csms.call('ChangeAvailability', { operationalStatus: 'Operative' });
  await csms.until(() => statuses(from).length === 3, 'three status changes');
  await new Promise((r) => setTimeout(r, 100));
  // EVSE 2's connector stays inoperative when the station comes back.
  expect(statuses(from)).toEqual(['2:Unavailable', '1:Unavailable', '1:Available']);
  expect(s.status(2)).toBe('Unavailable');
});

test('Inoperative while a transaction runs: Scheduled; the EVSE becomes Unavailable once the EV has left', async () => {
  await run();
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  await csms.until(() => events().length === 3, 'charging');
  const from = csms.calls.length;
  expect(await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).toMatchObject({ status: 'Scheduled' });
  await sleep(100);
  expect(statuses(from)).toEqual([]);
  expect(s.status(1)).toBe('Occupied');
  await csms.call('RequestStopTransaction', { transactionId: events()[0]!.transactionInfo.transactionId });
  await csms.until(() => statuses(from).length === 1, 'Unavailable after the stop');
  expect(statuses(from)).toEqual(['1:Unavailable']);
  expect(await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 2, evseId: 1 })).toMatchObject({ status: 'Rejected' });
});

test('UnlockConnector: Unlocked, OngoingAuthorizedTransaction, UnknownConnector', async () => {
  await run();
  expect(await csms.call('UnlockConnector', { evseId: 1, connectorId: 1 })).toEqual({ status: 'Unlocked' });
  expect(await csms.call('UnlockConnector', { evseId: 1, connectorId: 2 })).toEqual({ status: 'UnknownConnector' });
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  await csms.until(() => events().length === 3, 'charging');
  expect(await csms.call('UnlockConnector', { evseId: 1, connectorId: 1 })).toEqual({ status: 'OngoingAuthorizedTransaction' });
});

const priority = async (): Promise<string | undefined> =>
  (await csms.call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' } }] }))
    .getVariableResult[0]!.attributeValue;

test('Reset Immediate: reboots and reconnects with reason RemoteReset, RebootRequired values applied, Unavailable kept', async () => {
  await run();
  const profile: T.NetworkConnectionProfileType = {
    ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: csms.url, messageTimeout: 30, securityProfile: 1, ocppInterface: 'Wired0',
  };
  expect(await csms.call('SetNetworkProfile', { configurationSlot: 1, connectionData: profile })).toEqual({ status: 'Accepted' });
  const set = await csms.call('SetVariables', {
    setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: '1,0' }],
  });
  expect(set.setVariableResult[0]!.attributeStatus).toBe('RebootRequired');
  expect(await priority()).toBe('0');
  await csms.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } });
  expect(await csms.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
  const boot = await csms.nth('BootNotification', 2);
  expect(boot.request.reason).toBe('RemoteReset');
  expect(boot.connection).toBe(2);
  expect(csms.links[0]!.closed?.code).toBe(1012);
  await csms.until(() => s.isBooted, 'booted again');
  const after = csms.calls.indexOf(boot);
  await csms.until(() => statuses(after).length === 2, 'statuses after the reboot');
  expect(statuses(after).sort()).toEqual(['1:Available', '2:Unavailable']);
  await csms.until(() => csms.of('SecurityEventNotification').some((c) => c.request.type === 'ResetOrReboot'), 'ResetOrReboot');
  expect(await priority()).toBe('1,0');
});

test('SetNetworkProfile: an unknown slot, a lower security profile, or what this firmware cannot use is Rejected', async () => {
  await run();
  const profile: T.NetworkConnectionProfileType = {
    ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://csms.example/ocpp', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0',
  };
  expect(await csms.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile })).toEqual({ status: 'Accepted' });
  const refused = async (configurationSlot: number, change: Partial<T.NetworkConnectionProfileType>): Promise<string | undefined> => {
    const response = await csms.call('SetNetworkProfile', { configurationSlot, connectionData: { ...profile, ...change } });
    expect(response.status).toBe('Rejected');
    return response.statusInfo?.reasonCode;
  };
  expect(await refused(3, {})).toBe('InvalidValue');
  expect(await refused(1, { securityProfile: 0 })).toBe('NoSecurityDowngrade');
  expect(await refused(1, { ocppVersion: 'OCPP16' })).toBe('UnsupportedParam');
  expect(await refused(1, { securityProfile: 3 })).toBe('UnsupportedParam');
  expect(await refused(1, { ocppCsmsUrl: 'ws://csms.example/ocpp' })).toBe('UnsupportedParam');
  await csms.until(() => csms.of('SecurityEventNotification').some((c) => c.request.type === 'ReconfigurationOfSecurityParameters'), 'security event');
});

test('Reset Immediate during a transaction ends it (ResetCommand, ImmediateReset) before the reboot', async () => {
  await run();
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  await csms.until(() => events().length === 3, 'charging');
  await csms.call('Reset', { type: 'Immediate' });
  await csms.nth('BootNotification', 2);
  const ended = events().find((e) => e.eventType === 'Ended')!;
  expect(ended).toMatchObject({ triggerReason: 'ResetCommand', transactionInfo: { stoppedReason: 'ImmediateReset' } });
  expect(csms.of('TransactionEvent').find((c) => c.request.eventType === 'Ended')!.connection).toBe(1);
});

test('Reset OnIdle during a transaction: Scheduled, and the reboot (ScheduledReset) waits for its end; a free EVSE goes Unavailable meanwhile', async () => {
  await run();
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  await csms.until(() => events().length === 3, 'charging');
  const from = csms.calls.length;
  expect(await csms.call('Reset', { type: 'OnIdle' })).toEqual({ status: 'Scheduled' });
  await csms.until(() => statuses(from).includes('2:Unavailable'), 'free EVSE Unavailable');
  await sleep(200);
  expect(csms.count('BootNotification')).toBe(1);
  await csms.call('RequestStopTransaction', { transactionId: events()[0]!.transactionInfo.transactionId });
  const boot = await csms.nth('BootNotification', 2);
  expect(boot.request.reason).toBe('ScheduledReset');
  await csms.until(() => s.isBooted, 'booted');
  expect(s.status(2)).toBe('Available');
});

test('Reset of one EVSE: that EVSE goes Unavailable and back, the station does not reboot; unknown EVSE Rejected', async () => {
  await run();
  const from = csms.calls.length;
  expect(await csms.call('Reset', { type: 'Immediate', evseId: 2 })).toEqual({ status: 'Accepted' });
  await csms.until(() => statuses(from).length === 2, 'EVSE 2 down and up');
  expect(statuses(from)).toEqual(['2:Unavailable', '2:Available']);
  expect(csms.count('BootNotification')).toBe(1);
  expect(await csms.call('Reset', { type: 'Immediate', evseId: 5 })).toMatchObject({ status: 'Rejected' });
});
