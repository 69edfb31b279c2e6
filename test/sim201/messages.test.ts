import { expect, test } from 'vitest';
import type * as T from '../../src/ocpp/ocpp201.js';
import type { StationOptions } from '../../src/sim/v201/options.js';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { fixture, type TestCsms } from './harness.js';

let csms: TestCsms;
let s: SimulatedStation201;
const startStation = fixture((c, st) => ((csms = c), (s = st)), { id: 'CS-MSG' });

const run = (options: Partial<StationOptions> = {}, csmsTime = (): string => new Date().toISOString()): Promise<void> =>
  startStation(options, (c) => c.answer('BootNotification', () => ({ status: 'Accepted', interval: 3600, currentTime: csmsTime() })));

const setVars = (...items: [string, string, string][]) =>
  csms.call('SetVariables', { setVariableData: items.map(([component, variable, attributeValue]) => ({ component: { name: component }, variable: { name: variable }, attributeValue })) });

test('clock-aligned meter values: MeterValues with Sample.Clock while idle, a MeterValueClock TransactionEvent while charging', async () => {
  await run({ evses: 2 });
  await setVars(['AlignedDataCtrlr', 'Interval', '1'], ['AlignedDataCtrlr', 'Measurands', 'Energy.Active.Import.Register,Voltage']);
  await csms.until(() => csms.count('MeterValues') >= 2, 'aligned MeterValues', 2500);
  const values = csms.of('MeterValues').map((c) => c.request as T.MeterValuesRequest);
  expect(values.map((v) => v.evseId).slice(0, 2).sort()).toEqual([1, 2]);
  expect(values[0]!.meterValue[0]!.sampledValue.map((v) => [v.measurand, v.context])).toEqual([
    ['Energy.Active.Import.Register', 'Sample.Clock'],
    ['Voltage', 'Sample.Clock'],
  ]);
  // Aligned to the clock: stamped with the whole second it is for.
  expect(new Date(values[0]!.meterValue[0]!.timestamp).getMilliseconds()).toBe(0);
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  await csms.until(() => csms.of('TransactionEvent').some((c) => c.request.triggerReason === 'MeterValueClock'), 'MeterValueClock', 2500);
  const clock = csms.of('TransactionEvent').find((c) => c.request.triggerReason === 'MeterValueClock')!.request as T.TransactionEventRequest;
  expect(clock.meterValue![0]!.sampledValue[0]!.context).toBe('Sample.Clock');
});

test('the clock follows the CSMS; a jump beyond TimeAdjustmentReportingThreshold is a SettingSystemTime event', async () => {
  const hourAhead = (): string => new Date(Date.now() + 3_600_000).toISOString();
  await run({}, hourAhead);
  const event = await csms.until(() => csms.of('SecurityEventNotification').some((c) => c.request.type === 'SettingSystemTime'), 'SettingSystemTime');
  expect(event).toBeTruthy();
  const status = (await csms.nth('StatusNotification')).request as T.StatusNotificationRequest;
  expect(Math.abs(Date.parse(status.timestamp) - Date.parse(hourAhead()))).toBeLessThan(5000);
  const dateTime = await csms.call('GetVariables', { getVariableData: [{ component: { name: 'ClockCtrlr' }, variable: { name: 'DateTime' } }] });
  expect(Math.abs(Date.parse(dateTime.getVariableResult[0]!.attributeValue!) - Date.parse(hourAhead()))).toBeLessThan(5000);
});

test('ClearCache follows AuthCacheCtrlr.Enabled; DataTransfer UnknownVendorId; no reservations', async () => {
  await run();
  expect(await csms.call('ClearCache', {})).toEqual({ status: 'Accepted' });
  await setVars(['AuthCacheCtrlr', 'Enabled', 'false']);
  expect(await csms.call('ClearCache', {})).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled' } });
  expect(await csms.call('DataTransfer', { vendorId: 'com.example' })).toEqual({ status: 'UnknownVendorId' });
  const reservation = await csms.call('ReserveNow', { id: 1, expiryDateTime: new Date(Date.now() + 60_000).toISOString(), idToken: { idToken: 'T', type: 'ISO14443' } });
  expect(reservation.status).toBe('Rejected');
  // Smart charging is not there: a CALLERROR NotSupported, as for any block not implemented.
  await expect(csms.call('GetCompositeSchedule', { duration: 60, evseId: 1 })).rejects.toMatchObject({ errorCode: 'NotSupported' });
});

test('GetTransactionStatus without a transactionId: only messagesInQueue (E14.FR.06-08); an unknown id is neither ongoing nor queued', async () => {
  await run();
  expect(await csms.call('GetTransactionStatus', {})).toEqual({ messagesInQueue: false });
  expect(await csms.call('GetTransactionStatus', { transactionId: 'never-was' })).toEqual({ ongoingIndicator: false, messagesInQueue: false });
});

test('LocalPreAuthorize: a token the cache holds as Accepted needs no second Authorize', async () => {
  await run({ evses: 2 });
  await setVars(['AuthCtrlr', 'AuthorizeRemoteStart', 'true'], ['AuthCtrlr', 'LocalPreAuthorize', 'true']);
  const idToken: T.IdTokenType = { idToken: 'CACHED', type: 'ISO14443' };
  await csms.call('RequestStartTransaction', { idToken, remoteStartId: 1, evseId: 1 });
  await csms.until(() => csms.count('TransactionEvent') >= 1, 'first transaction');
  await csms.call('RequestStartTransaction', { idToken, remoteStartId: 2, evseId: 2 });
  await csms.until(() => csms.of('TransactionEvent').some((c) => c.request.evse?.id === 2), 'second transaction');
  expect(csms.count('Authorize')).toBe(1);
});
