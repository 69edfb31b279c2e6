import { afterEach, beforeEach, expect, test } from 'vitest';
import type * as T from '../../src/ocpp/ocpp201.js';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { station, TestCsms } from './harness.js';

let csms: TestCsms;
let s: SimulatedStation201;
beforeEach(async () => {
  csms = await TestCsms.start();
  s = station(csms.url, { id: 'CS-TR', evses: 2 });
  await s.start();
  await csms.until((c) => c.filter((x) => x.action === 'StatusNotification').length === 2 && c.some((x) => x.action === 'SecurityEventNotification'), 'boot messages');
});
afterEach(async () => {
  s.stop();
  await csms.close();
});

const trigger = (request: T.TriggerMessageRequest) => csms.call('TriggerMessage', request);
const after = async (action: string, from: number): Promise<any[]> => {
  await csms.until((c) => c.some((x) => x.action === action), action, 2000, from);
  return csms.calls.slice(from).filter((c) => c.action === action).map((c) => c.request);
};

test('StatusNotification needs an evse and connector (F06.FR.12); given them, exactly that connector is reported', async () => {
  expect(await trigger({ requestedMessage: 'StatusNotification' })).toMatchObject({ status: 'Rejected' });
  expect(await trigger({ requestedMessage: 'StatusNotification', evse: { id: 1 } })).toMatchObject({ status: 'Rejected' });
  expect(await trigger({ requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 3 } })).toMatchObject({ status: 'Rejected' });
  expect(await trigger({ requestedMessage: 'StatusNotification', evse: { id: 9, connectorId: 1 } })).toMatchObject({ status: 'Rejected' });
  const from = csms.calls.length;
  expect(await trigger({ requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } })).toEqual({ status: 'Accepted' });
  const sent = await after('StatusNotification', from);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ evseId: 2, connectorId: 1, connectorStatus: 'Available' });
});

test('MeterValues: AlignedDataCtrlr.Measurands with context Trigger, per EVSE or for every EVSE', async () => {
  let from = csms.calls.length;
  expect(await trigger({ requestedMessage: 'MeterValues', evse: { id: 2 } })).toEqual({ status: 'Accepted' });
  const one = await after('MeterValues', from);
  expect(one).toHaveLength(1);
  expect(one[0].evseId).toBe(2);
  expect(one[0].meterValue[0].sampledValue).toEqual([
    { value: expect.any(Number), context: 'Trigger', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unitOfMeasure: { unit: 'Wh' } },
  ]);
  from = csms.calls.length;
  await trigger({ requestedMessage: 'MeterValues' });
  await csms.until((c) => c.filter((x) => x.action === 'MeterValues').length === 2, 'both EVSEs', 2000, from);
});

test('TransactionEvent: Rejected without a transaction; with one, an Updated with triggerReason Trigger and the chargingState', async () => {
  expect(await trigger({ requestedMessage: 'TransactionEvent' })).toMatchObject({ status: 'Rejected' });
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  await csms.until(() => csms.count('TransactionEvent') === 3, 'charging');
  expect(await trigger({ requestedMessage: 'TransactionEvent', evse: { id: 2 } })).toMatchObject({ status: 'Rejected' });
  expect(await trigger({ requestedMessage: 'TransactionEvent', evse: { id: 1 } })).toEqual({ status: 'Accepted' });
  const event = (await csms.nth('TransactionEvent', 4)).request as T.TransactionEventRequest;
  expect(event).toMatchObject({ eventType: 'Updated', triggerReason: 'Trigger', seqNo: 3, transactionInfo: { chargingState: 'Charging' } });
  expect(event.meterValue![0]!.sampledValue.every((v) => v.context === 'Trigger')).toBe(true);
});

test('Log and firmware status: Idle when nothing runs; certificates and Local Controller messages NotImplemented', async () => {
  const from = csms.calls.length;
  expect(await trigger({ requestedMessage: 'LogStatusNotification' })).toEqual({ status: 'Accepted' });
  expect(await trigger({ requestedMessage: 'FirmwareStatusNotification' })).toEqual({ status: 'Accepted' });
  expect((await after('LogStatusNotification', from))[0]).toEqual({ status: 'Idle' });
  expect((await after('FirmwareStatusNotification', from))[0]).toEqual({ status: 'Idle' });
  for (const requestedMessage of ['SignChargingStationCertificate', 'SignV2GCertificate', 'SignCombinedCertificate', 'PublishFirmwareStatusNotification'] as const) {
    expect(await trigger({ requestedMessage })).toEqual({ status: 'NotImplemented' });
  }
});

test('GetLog: Accepted with a file name, then Uploading and Uploaded with its requestId; a second one cancels the first', async () => {
  const response = await csms.call('GetLog', { logType: 'DiagnosticsLog', requestId: 21, log: { remoteLocation: 'ftp://csms.example/logs/' } });
  expect(response.status).toBe('Accepted');
  expect(response.filename).toMatch(/^DiagnosticsLog-.*\.log$/);
  await csms.until(() => csms.of('LogStatusNotification').some((c) => c.request.status === 'Uploaded'), 'uploaded');
  expect(csms.of('LogStatusNotification').map((c) => c.request)).toEqual([
    { status: 'Uploading', requestId: 21 },
    { status: 'Uploaded', requestId: 21 },
  ]);
  const first = await csms.call('GetLog', { logType: 'SecurityLog', requestId: 22, log: { remoteLocation: 'ftp://csms.example/logs/' } });
  const second = await csms.call('GetLog', { logType: 'SecurityLog', requestId: 23, log: { remoteLocation: 'sftp://csms.example/logs/' } });
  expect([first.status, second.status]).toEqual(['Accepted', 'AcceptedCanceled']);
  await csms.until(() => csms.of('LogStatusNotification').some((c) => c.request.requestId === 23 && c.request.status !== 'Uploading'), 'second result');
  const statuses = csms.of('LogStatusNotification').slice(2).map((c) => `${c.request.requestId}:${c.request.status}`);
  expect(statuses).toContain('22:AcceptedCanceled');
  expect(statuses).not.toContain('22:Uploaded');
  // SFTP is not in OCPPCommCtrlr.FileTransferProtocols.
  expect(statuses.at(-1)).toBe('23:NotSupportedOperation');
});

test('UpdateFirmware: Downloading to Installed across a reboot with reason FirmwareUpdate, then FirmwareUpdated', async () => {
  const response = await csms.call('UpdateFirmware', {
    requestId: 31,
    firmware: { location: 'ftp://csms.example/fw.bin', retrieveDateTime: new Date().toISOString(), signature: 'c2lnbmF0dXJl' },
  });
  expect(response).toEqual({ status: 'Accepted' });
  await csms.until(() => csms.of('FirmwareStatusNotification').some((c) => c.request.status === 'Installed'), 'installed');
  expect(csms.of('FirmwareStatusNotification').map((c) => c.request.status)).toEqual([
    'Downloading', 'Downloaded', 'SignatureVerified', 'InstallRebooting', 'Installing', 'Installed',
  ]);
  expect(csms.of('FirmwareStatusNotification').every((c) => c.request.requestId === 31)).toBe(true);
  const boot = await csms.nth('BootNotification', 2);
  expect(boot.request.reason).toBe('FirmwareUpdate');
  await csms.until(() => csms.of('SecurityEventNotification').some((c) => c.request.type === 'FirmwareUpdated'), 'FirmwareUpdated');
  const bad = await csms.call('UpdateFirmware', {
    requestId: 32,
    firmware: { location: 'ftp://csms.example/fw.bin', retrieveDateTime: new Date().toISOString(), signingCertificate: 'not a certificate' },
  });
  expect(bad.status).toBe('InvalidCertificate');
});

test('an evse where it means nothing is ignored (F06.FR.03); MeterValues with nothing to measure is Rejected (F06.FR.10)', async () => {
  const from = csms.calls.length;
  expect(await trigger({ requestedMessage: 'Heartbeat', evse: { id: 9 } })).toEqual({ status: 'Accepted' });
  await after('Heartbeat', from);
  expect(await trigger({ requestedMessage: 'MeterValues', evse: { id: 9 } })).toMatchObject({ status: 'Rejected' });
  await csms.call('SetVariables', { setVariableData: [{ component: { name: 'AlignedDataCtrlr' }, variable: { name: 'Measurands' }, attributeValue: '' }] });
  expect(await trigger({ requestedMessage: 'MeterValues' })).toMatchObject({ status: 'Rejected' });
});
