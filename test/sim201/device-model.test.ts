import { afterEach, beforeEach, expect, test } from 'vitest';
import { CallError } from '../../src/ocpp/errors.js';
import type * as T from '../../src/ocpp/ocpp201.js';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { station, TestCsms, type Recorded } from './harness.js';

let csms: TestCsms;
let s: SimulatedStation201;
beforeEach(async () => {
  csms = await TestCsms.start();
  s = station(csms.url, { id: 'CS-DM', evses: 2, password: 'initial-password-0123' });
  await s.start();
});
afterEach(async () => {
  s.stop();
  await csms.close();
});

const get = (component: T.ComponentType, variable: T.VariableType, attributeType?: T.AttributeEnumType): T.GetVariableDataType =>
  attributeType ? { component, variable, attributeType } : { component, variable };
const set = (component: T.ComponentType, variable: T.VariableType, attributeValue: string, attributeType?: T.AttributeEnumType): T.SetVariableDataType =>
  attributeType ? { component, variable, attributeValue, attributeType } : { component, variable, attributeValue };

const key = (r: T.ReportDataType): string =>
  [r.component.name, r.component.instance, r.component.evse?.id, r.component.evse?.connectorId, r.variable.name, r.variable.instance].join('|');

async function report(requestId: number, send: () => Promise<{ status: string }>): Promise<Recorded[]> {
  const from = csms.calls.length;
  expect((await send()).status).toBe('Accepted');
  const parts = await csms.until((calls) => calls.some((c) => c.action === 'NotifyReport' && c.request.requestId === requestId && !c.request.tbc), `report ${requestId}`, 5000, from);
  return parts.filter((c) => c.action === 'NotifyReport' && c.request.requestId === requestId);
}

test('FullInventory: paged from seqNo 0 with tbc until the last page, each page within ItemsPerMessage/BytesPerMessage, every variable once', async () => {
  const parts = await report(7, () => csms.call('GetBaseReport', { requestId: 7, reportBase: 'FullInventory' }));
  expect(parts.length).toBeGreaterThan(3);
  expect(parts.map((p) => p.request.seqNo)).toEqual(parts.map((_, i) => i));
  expect(parts.map((p) => p.request.tbc)).toEqual(parts.map((_, i) => i < parts.length - 1));
  expect(new Set(parts.map((p) => p.request.generatedAt)).size).toBe(1);
  for (const p of parts) {
    expect(p.request.reportData.length).toBeLessThanOrEqual(16);
    expect(Buffer.byteLength(JSON.stringify([2, 'x'.repeat(36), 'NotifyReport', p.request]))).toBeLessThanOrEqual(4096);
  }
  const entries: T.ReportDataType[] = parts.flatMap((p) => p.request.reportData);
  const keys = entries.map(key);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys.length).toBe(s.model.all().length);
  for (const wanted of [
    'OCPPCommCtrlr||||HeartbeatInterval|',
    'DeviceDataCtrlr||||ItemsPerMessage|GetVariables',
    'SampledDataCtrlr||||TxUpdatedMeasurands|',
    'TxCtrlr||||TxStartPoint|',
    'EVSE||2||Power|',
    'Connector||2|1|ConnectorType|',
    'ChargingStation||||AvailabilityState|',
    'SecurityCtrlr||||BasicAuthPassword|',
  ]) {
    expect(keys).toContain(wanted);
  }
  const password = entries.find((e) => e.variable.name === 'BasicAuthPassword')!;
  expect(password.variableAttribute).toEqual([{ type: 'Actual', mutability: 'WriteOnly', persistent: true, constant: false }]);
  const power = entries.find((e) => key(e) === 'EVSE||1||Power|')!;
  expect(power.variableAttribute.map((a) => a.type)).toEqual(['Actual', 'MaxSet']);
  expect(power.variableCharacteristics).toMatchObject({ dataType: 'decimal', unit: 'W', maxLimit: 11000 });
  const measurands = entries.find((e) => e.variable.name === 'TxUpdatedMeasurands')!;
  expect(measurands.variableCharacteristics?.valuesList).toContain('Energy.Active.Import.Register');
});

test('ConfigurationInventory holds only what the operator can set; SummaryInventory the availability states', async () => {
  const config: T.ReportDataType[] = (await report(1, () => csms.call('GetBaseReport', { requestId: 1, reportBase: 'ConfigurationInventory' }))).flatMap((p) => p.request.reportData);
  expect(config.length).toBeGreaterThan(20);
  for (const entry of config) expect(entry.variableAttribute.some((a) => a.mutability !== 'ReadOnly')).toBe(true);
  expect(config.map((e) => e.variable.name)).not.toContain('SecurityProfile');
  const summary: T.ReportDataType[] = (await report(2, () => csms.call('GetBaseReport', { requestId: 2, reportBase: 'SummaryInventory' }))).flatMap((p) => p.request.reportData);
  expect(summary.map((e) => `${e.component.name}:${e.variableAttribute[0]!.value}`)).toEqual([
    'ChargingStation:Available', 'EVSE:Available', 'Connector:Available', 'EVSE:Available', 'Connector:Available',
  ]);
});

test('GetReport: by componentVariable (every instance, every EVSE), by criteria, and EmptyResultSet', async () => {
  const perMessage: T.ReportDataType[] = (
    await report(3, () => csms.call('GetReport', { requestId: 3, componentVariable: [{ component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage' } }] }))
  ).flatMap((p) => p.request.reportData);
  expect(perMessage.map((e) => e.variable.instance).sort()).toEqual(['GetReport', 'GetVariables', 'SetVariables']);
  const evses: T.ReportDataType[] = (
    await report(4, () => csms.call('GetReport', { requestId: 4, componentVariable: [{ component: { name: 'evse' }, variable: { name: 'AvailabilityState' } }] }))
  ).flatMap((p) => p.request.reportData);
  expect(evses.map((e) => e.component.evse?.id)).toEqual([1, 2]);
  const enabled: T.ReportDataType[] = (await report(5, () => csms.call('GetReport', { requestId: 5, componentCriteria: ['Enabled'] }))).flatMap((p) => p.request.reportData);
  const names = new Set(enabled.map((e) => e.component.name));
  expect(names.has('SampledDataCtrlr')).toBe(true);
  // Enabled = false: left out.
  expect(names.has('ReservationCtrlr')).toBe(false);
  expect(await csms.call('GetReport', { requestId: 6, componentCriteria: ['Problem'] })).toEqual({ status: 'EmptyResultSet' });
  expect(await csms.call('GetReport', { requestId: 8, componentVariable: [{ component: { name: 'NoSuchCtrlr' } }] })).toEqual({ status: 'EmptyResultSet' });
});

test('GetVariables: Accepted, UnknownComponent, UnknownVariable, NotSupportedAttributeType, WriteOnly Rejected, unset attribute empty', async () => {
  const { getVariableResult } = await csms.call('GetVariables', {
    getVariableData: [
      get({ name: 'OCPPCommCtrlr' }, { name: 'HeartbeatInterval' }),
      get({ name: 'NoSuchCtrlr' }, { name: 'HeartbeatInterval' }),
      get({ name: 'OCPPCommCtrlr' }, { name: 'NoSuchVariable' }),
      get({ name: 'OCPPCommCtrlr' }, { name: 'HeartbeatInterval' }, 'Target'),
      get({ name: 'SecurityCtrlr' }, { name: 'BasicAuthPassword' }),
      get({ name: 'EVSE', evse: { id: 1 } }, { name: 'Power' }, 'MaxSet'),
      get({ name: 'EVSE', evse: { id: 3 } }, { name: 'Power' }),
      get({ name: 'DeviceDataCtrlr' }, { name: 'ItemsPerMessage' }),
      get({ name: 'devicedatactrlr' }, { name: 'itemspermessage', instance: 'getvariables' }),
    ],
  });
  expect(getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([
    ['Accepted', '3600'],
    ['UnknownComponent', undefined],
    ['UnknownVariable', undefined],
    ['NotSupportedAttributeType', undefined],
    ['Rejected', undefined],
    ['Accepted', '11000'],
    ['UnknownComponent', undefined],
    // B06.FR.15: without an instance only a variable without one matches.
    ['UnknownVariable', undefined],
    ['Accepted', '16'],
  ]);
  expect(getVariableResult[0]!.attributeType).toBe('Actual');
  expect(getVariableResult[4]!.attributeStatusInfo?.reasonCode).toBe('WriteOnly');
  expect(getVariableResult[8]!.component).toEqual({ name: 'devicedatactrlr' });
});

test('SetVariables: Accepted and read back, ReadOnly and bad values Rejected, unknowns, NotSupportedAttributeType, RebootRequired', async () => {
  const { setVariableResult } = await csms.call('SetVariables', {
    setVariableData: [
      set({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }, '120'),
      set({ name: 'SecurityCtrlr' }, { name: 'SecurityProfile' }, '2'),
      set({ name: 'OCPPCommCtrlr' }, { name: 'HeartbeatInterval' }, '0'),
      set({ name: 'OCPPCommCtrlr' }, { name: 'HeartbeatInterval' }, '012'),
      set({ name: 'AuthCtrlr' }, { name: 'AuthorizeRemoteStart' }, 'True'),
      set({ name: 'SampledDataCtrlr' }, { name: 'TxUpdatedMeasurands' }, 'Energy.Active.Import.Register,Temperature'),
      set({ name: 'TxCtrlr' }, { name: 'TxStartPoint' }, 'PowerPathClosed'),
      set({ name: 'NoSuchCtrlr' }, { name: 'X' }, '1'),
      set({ name: 'TxCtrlr' }, { name: 'NoSuchVariable' }, '1'),
      set({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }, '5', 'MinSet'),
      set({ name: 'EVSE', evse: { id: 1 } }, { name: 'Power' }, '7400', 'MaxSet'),
      set({ name: 'EVSE', evse: { id: 1 } }, { name: 'Power' }, '99999', 'MaxSet'),
      set({ name: 'OCPPCommCtrlr' }, { name: 'NetworkConfigurationPriority' }, '0'),
      set({ name: 'OCPPCommCtrlr' }, { name: 'NetworkConfigurationPriority' }, '1,0'),
    ],
  });
  expect(setVariableResult.map((r) => r.attributeStatus)).toEqual([
    'Accepted', 'Rejected', 'Rejected', 'Rejected', 'Rejected', 'Rejected', 'Accepted',
    'UnknownComponent', 'UnknownVariable', 'NotSupportedAttributeType', 'Accepted', 'Rejected',
    // B10: the priority takes effect at the next boot; a slot without a profile is refused.
    'RebootRequired', 'Rejected',
  ]);
  expect(setVariableResult.map((r) => r.attributeStatusInfo?.reasonCode)).toEqual([
    undefined, 'ReadOnly', 'ValueTooLow', 'InvalidValue', 'InvalidValue', 'InvalidValue', undefined,
    undefined, undefined, undefined, undefined, 'ValueTooHigh', undefined, 'InvalidValue',
  ]);
  expect(setVariableResult[9]!.attributeType).toBe('MinSet');
  const { getVariableResult } = await csms.call('GetVariables', {
    getVariableData: [
      get({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }),
      get({ name: 'TxCtrlr' }, { name: 'TxStartPoint' }),
      get({ name: 'EVSE', evse: { id: 1 } }, { name: 'Power' }, 'MaxSet'),
    ],
  });
  expect(getVariableResult.map((r) => r.attributeValue)).toEqual(['120', 'PowerPathClosed', '7400']);
});

test('ItemsPerMessage and BytesPerMessage: an over-limit request gets OccurrenceConstraintViolation or FormatViolation, whole', async () => {
  const item = get({ name: 'OCPPCommCtrlr' }, { name: 'HeartbeatInterval' });
  expect((await csms.call('GetVariables', { getVariableData: Array(16).fill(item) })).getVariableResult).toHaveLength(16);
  const tooMany = await csms.call('GetVariables', { getVariableData: Array(17).fill(item) }).catch((e: unknown) => e);
  expect(tooMany).toBeInstanceOf(CallError);
  expect(tooMany).toMatchObject({ errorCode: 'OccurrenceConstraintViolation' });
  const long = get({ name: 'C'.repeat(50), instance: 'I'.repeat(50) }, { name: 'V'.repeat(50), instance: 'J'.repeat(50) });
  const tooBig = await csms.call('GetVariables', { getVariableData: Array(16).fill(long) }).catch((e: unknown) => e);
  expect(tooBig).toMatchObject({ errorCode: 'FormatViolation' });
  const big = set({ name: 'SecurityCtrlr' }, { name: 'OrganizationName' }, 'x'.repeat(1000));
  await expect(csms.call('SetVariables', { setVariableData: Array(5).fill(big) })).rejects.toMatchObject({ errorCode: 'FormatViolation' });
  await expect(csms.call('SetVariables', { setVariableData: Array(17).fill(set({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' }, '61')) })).rejects.toMatchObject({
    errorCode: 'OccurrenceConstraintViolation',
  });
  await expect(
    csms.call('GetReport', { requestId: 9, componentVariable: Array(17).fill({ component: { name: 'OCPPCommCtrlr' } }) }),
  ).rejects.toMatchObject({ errorCode: 'OccurrenceConstraintViolation' });
  // Nothing of the refused SetVariables was applied.
  const check = await csms.call('GetVariables', { getVariableData: [get({ name: 'OCPPCommCtrlr' }, { name: 'OfflineThreshold' })] });
  expect(check.getVariableResult[0]!.attributeValue).toBe('60');
});

test('WriteOnly BasicAuthPassword is never read back: not by GetVariables, not in any report', async () => {
  const parts = await report(11, () => csms.call('GetReport', { requestId: 11, componentVariable: [{ component: { name: 'SecurityCtrlr' } }] }));
  const text = JSON.stringify(parts.map((p) => p.request));
  expect(text).toContain('BasicAuthPassword');
  expect(text).not.toContain('initial-password-0123');
  const { getVariableResult } = await csms.call('GetVariables', { getVariableData: [get({ name: 'SecurityCtrlr' }, { name: 'BasicAuthPassword' })] });
  expect(getVariableResult[0]).toMatchObject({ attributeStatus: 'Rejected' });
  expect(getVariableResult[0]!.attributeValue).toBeUndefined();
});
