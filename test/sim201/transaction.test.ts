import { expect, test } from 'vitest';
import type * as T from '../../src/ocpp/ocpp201.js';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { fixture, type TestCsms } from './harness.js';

let csms: TestCsms;
let s: SimulatedStation201;
const run = fixture((c, st) => ((csms = c), (s = st)), { id: 'CS-TX', powerW: 360_000 });

const setVar = (component: string, variable: string, attributeValue: string): Promise<T.SetVariablesResponse> =>
  csms.call('SetVariables', { setVariableData: [{ component: { name: component }, variable: { name: variable }, attributeValue }] });

const events = (): T.TransactionEventRequest[] => csms.of('TransactionEvent').map((c) => c.request);
const energy = (e: T.TransactionEventRequest): number[] =>
  (e.meterValue ?? []).flatMap((mv) => mv.sampledValue).filter((v) => (v.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register').map((v) => v.value);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('remote start, periodic updates, remote stop: seqNo in order, RemoteStart/RemoteStop, energy rising from Begin to End', async () => {
  await run();
  expect((await setVar('SampledDataCtrlr', 'TxUpdatedInterval', '1')).setVariableResult[0]!.attributeStatus).toBe('Accepted');
  const idToken: T.IdTokenType = { idToken: 'TAG-1', type: 'ISO14443' };
  expect(await csms.call('RequestStartTransaction', { idToken, remoteStartId: 42, evseId: 1 })).toEqual({ status: 'Accepted' });
  const started = (await csms.nth('TransactionEvent')).request as T.TransactionEventRequest;
  expect(started).toMatchObject({ eventType: 'Started', triggerReason: 'RemoteStart', seqNo: 0, evse: { id: 1, connectorId: 1 }, idToken });
  expect(started.transactionInfo.remoteStartId).toBe(42);
  expect(started.meterValue![0]!.sampledValue[0]).toMatchObject({ context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } });
  const transactionId = started.transactionInfo.transactionId;
  expect(s.transaction(1)?.id).toBe(transactionId);
  await csms.until(() => events().some((e) => e.triggerReason === 'MeterValuePeriodic'), 'a periodic update', 3000);
  const occupied = csms.of('StatusNotification').find((c) => c.request.connectorStatus === 'Occupied');
  expect(occupied?.request).toMatchObject({ evseId: 1, connectorId: 1 });
  // A periodic update may be on its way: messagesInQueue is not asserted while charging.
  expect(await csms.call('GetTransactionStatus', { transactionId })).toMatchObject({ ongoingIndicator: true });
  expect(await csms.call('RequestStopTransaction', { transactionId: 'not-a-transaction' })).toMatchObject({ status: 'Rejected' });
  expect(await csms.call('RequestStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
  await csms.until(() => events().some((e) => e.eventType === 'Ended'), 'Ended');
  await csms.until((c) => c.filter((x) => x.action === 'StatusNotification' && x.request.connectorStatus === 'Available').length === 2, 'Available again');

  const all = events();
  expect(all.every((e) => e.transactionInfo.transactionId === transactionId)).toBe(true);
  expect(all.map((e) => e.seqNo)).toEqual(all.map((_, i) => i));
  expect(all.map((e) => e.eventType)).toEqual(['Started', ...Array(all.length - 2).fill('Updated'), 'Ended']);
  const reasons = all.map((e) => e.triggerReason);
  expect(reasons.slice(0, 3)).toEqual(['RemoteStart', 'CablePluggedIn', 'ChargingStateChanged']);
  expect(all[1]!.transactionInfo.chargingState).toBe('EVConnected');
  expect(all[2]!.transactionInfo.chargingState).toBe('Charging');
  const ended = all.at(-1)!;
  expect(ended).toMatchObject({ triggerReason: 'RemoteStop', transactionInfo: { stoppedReason: 'Remote', chargingState: 'EVConnected' } });
  expect(ended.meterValue!.map((mv) => mv.sampledValue[0]!.context)).toEqual(['Transaction.Begin', 'Transaction.End']);
  expect(ended.transactionInfo.timeSpentCharging).toBeGreaterThanOrEqual(1);
  const readings = [...energy(started), ...all.filter((e) => e.triggerReason === 'MeterValuePeriodic').flatMap(energy), energy(ended).at(-1)!];
  for (let i = 1; i < readings.length; i += 1) expect(readings[i]!).toBeGreaterThan(readings[i - 1]!);
  expect(s.meterWh(1)).toBe(energy(ended).at(-1));
  expect(await csms.call('GetTransactionStatus', { transactionId })).toEqual({ ongoingIndicator: false, messagesInQueue: false });
  expect(s.transaction(1)).toBeNull();
});

test('AuthorizeRemoteStart: Authorize before the transaction; a token the CSMS refuses starts none', async () => {
  await run();
  await setVar('AuthCtrlr', 'AuthorizeRemoteStart', 'true');
  csms.answer('Authorize', (req) => ({ idTokenInfo: { status: req.idToken.idToken === 'GOOD' ? 'Accepted' : 'Blocked' } }));
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'BAD', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 });
  await csms.nth('Authorize');
  await sleep(200);
  expect(csms.count('TransactionEvent')).toBe(0);
  expect(s.status(1, 1)).toBe('Available');
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'GOOD', type: 'ISO14443' }, remoteStartId: 2, evseId: 1 });
  await csms.nth('TransactionEvent');
  const order = csms.calls.map((c) => c.action).filter((a) => a === 'Authorize' || a === 'TransactionEvent');
  expect(order.slice(0, 3)).toEqual(['Authorize', 'Authorize', 'TransactionEvent']);
  // A Central token is the CSMS's own: no Authorize for it (F01.FR.01).
  const before = csms.count('Authorize');
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'APP', type: 'Central' }, remoteStartId: 3, evseId: 2 }).catch(() => undefined);
  await sleep(100);
  expect(csms.count('Authorize')).toBe(before);
});

test('remote start is refused on a busy or unknown EVSE and picks a free one without evseId', async () => {
  await run({ evses: 2 });
  const idToken: T.IdTokenType = { idToken: 'T', type: 'ISO14443' };
  expect(await csms.call('RequestStartTransaction', { idToken, remoteStartId: 1, evseId: 9 })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
  expect(await csms.call('RequestStartTransaction', { idToken, remoteStartId: 1 })).toEqual({ status: 'Accepted' });
  await csms.until(() => events().length >= 1, 'start');
  expect(events()[0]!.evse?.id).toBe(1);
  expect(await csms.call('RequestStartTransaction', { idToken, remoteStartId: 2, evseId: 1 })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'TxInProgress' } });
  expect(await csms.call('RequestStartTransaction', { idToken, remoteStartId: 3 })).toEqual({ status: 'Accepted' });
  await csms.until(() => events().some((e) => e.evse?.id === 2), 'second EVSE');
});

test('TxStopPoint EVConnected: remote stop is an Updated, the transaction ends when the EV leaves', async () => {
  await run();
  await setVar('TxCtrlr', 'TxStopPoint', 'EVConnected');
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 5, evseId: 1 });
  await csms.until(() => events().length === 3, 'charging');
  await csms.call('RequestStopTransaction', { transactionId: events()[0]!.transactionInfo.transactionId });
  await csms.until(() => events().some((e) => e.eventType === 'Ended'), 'Ended');
  const tail = events().slice(3);
  expect(tail.map((e) => [e.eventType, e.triggerReason])).toEqual([
    ['Updated', 'RemoteStop'],
    ['Ended', 'EVCommunicationLost'],
  ]);
  expect(tail[1]!.transactionInfo.stoppedReason).toBe('Remote');
});

test('TxStartPoint PowerPathClosed: the Started event comes once the EV is connected, still RemoteStart', async () => {
  await run();
  await setVar('TxCtrlr', 'TxStartPoint', 'PowerPathClosed');
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 6, evseId: 1 });
  await csms.until(() => events().length === 2, 'started and charging');
  expect(events().map((e) => [e.eventType, e.triggerReason, e.transactionInfo.chargingState])).toEqual([
    ['Started', 'RemoteStart', 'EVConnected'],
    ['Updated', 'ChargingStateChanged', 'Charging'],
  ]);
});

test('StopTxOnInvalidId: a token the CSMS answers Invalid in TransactionEventResponse is deauthorized', async () => {
  await run();
  csms.answer('TransactionEvent', (req) => (req.idToken ? { idTokenInfo: { status: 'Invalid' } } : {}));
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'STOLEN', type: 'ISO14443' }, remoteStartId: 7, evseId: 1 });
  await csms.until(() => events().some((e) => e.eventType === 'Ended'), 'Ended');
  const ended = events().at(-1)!;
  expect(ended).toMatchObject({ triggerReason: 'Deauthorized', transactionInfo: { stoppedReason: 'DeAuthorized' } });
});

test('offline: a TransactionEvent that happens offline waits, marked offline, and is delivered in order after the reconnect', async () => {
  await run();
  // With TxStopPoint EVConnected the Ended event comes when the EV leaves, shortly after the stop.
  await setVar('TxCtrlr', 'TxStopPoint', 'EVConnected');
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 8, evseId: 1 });
  await csms.until(() => events().length === 3, 'charging');
  const transactionId = events()[0]!.transactionInfo.transactionId;
  await csms.call('RequestStopTransaction', { transactionId });
  await csms.until(() => events().length === 4, 'the RemoteStop update');
  s.client.drop(false);
  await sleep(300);
  expect(csms.count('TransactionEvent')).toBe(4);
  expect(await s.connect()).toBeUndefined();
  await csms.until(() => events().some((e) => e.eventType === 'Ended'), 'Ended after the reconnect');
  // The RemoteStop update may come twice: its answer can be lost with the link (at least once).
  const bySeqNo = new Map(events().map((e) => [e.seqNo, e]));
  expect([...bySeqNo.keys()]).toEqual([0, 1, 2, 3, 4]);
  expect([...bySeqNo.values()].map((e) => e.offline)).toEqual([undefined, undefined, undefined, undefined, true]);
  expect(bySeqNo.get(4)).toMatchObject({ eventType: 'Ended', triggerReason: 'EVCommunicationLost', transactionInfo: { transactionId, stoppedReason: 'Remote' } });
  expect(csms.of('TransactionEvent').at(-1)!.connection).toBe(2);
});

test('EVSE.Power MaxSet caps the charging power', async () => {
  await run();
  const cap = await csms.call('SetVariables', {
    setVariableData: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet', attributeValue: '7400' }],
  });
  expect(cap.setVariableResult[0]!.attributeStatus).toBe('Accepted');
  await setVar('SampledDataCtrlr', 'TxUpdatedInterval', '1');
  await csms.call('RequestStartTransaction', { idToken: { idToken: 'T', type: 'ISO14443' }, remoteStartId: 9, evseId: 1 });
  await csms.until(() => events().some((e) => e.triggerReason === 'MeterValuePeriodic'), 'a periodic update', 3000);
  const periodic = events().find((e) => e.triggerReason === 'MeterValuePeriodic')!;
  const power = periodic.meterValue![0]!.sampledValue.find((v) => v.measurand === 'Power.Active.Import');
  expect(power?.value).toBe(7400);
  const actual = await csms.call('GetVariables', { getVariableData: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } }] });
  expect(actual.getVariableResult[0]!.attributeValue).toBe('7400');
});
