import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CallError } from '../../src/ocpp/errors.js';
import type { ChargePoint16 } from '../../src/ocpp/csms/charge-point.js';
import type { SimulatedChargePoint } from '../../src/sim/simulator.js';
import { recordCalls, simulator, startCsms, until, type RecordedCall, type TestCsms } from '../helpers/ocpp.js';

describe('every Central System call against the simulator, with its answers', () => {
  let csms: TestCsms;
  let sim: SimulatedChargePoint;
  let calls: RecordedCall[];
  const cp = (): ChargePoint16 => csms.server.chargePoint16('CP-CMD')!;
  const seen = (action: string, match: (req: any) => boolean = () => true): boolean =>
    calls.some((c) => c.action === action && match(c.request));

  beforeAll(async () => {
    csms = await startCsms({ open: true, policy: { heartbeatIntervalS: 3600 } });
    calls = recordCalls(csms.server);
    sim = simulator(csms.url, { id: 'CP-CMD', connectors: 2, faults: { rebootRequiredKeys: ['WebSocketPingInterval'] } });
    await sim.start();
  });
  afterAll(async () => {
    sim.stop();
    await csms.close();
  });

  test('GetConfiguration: every key, with readonly flags; unknown keys listed', async () => {
    const all = await cp().getConfiguration();
    const keys = new Map(all.configurationKey!.map((k) => [k.key, k]));
    expect(keys.get('HeartbeatInterval')).toEqual({ key: 'HeartbeatInterval', readonly: false, value: '3600' });
    expect(keys.get('ChargePointVendor')).toMatchObject({ readonly: true, value: 'Dynamo' });
    expect(keys.get('SupportedFeatureProfiles')?.value).toContain('RemoteTrigger');
    const some = await cp().getConfiguration(['NumberOfConnectors', 'NoSuchKey']);
    expect(some).toEqual({ configurationKey: [{ key: 'NumberOfConnectors', readonly: true, value: '2' }], unknownKey: ['NoSuchKey'] });
  });

  test('ChangeConfiguration: Accepted, Rejected (read-only or bad value), NotSupported, RebootRequired', async () => {
    expect(await cp().changeConfiguration('MeterValueSampleInterval', '5')).toEqual({ status: 'Accepted' });
    expect(sim.config.get('MeterValueSampleInterval')).toBe('5');
    expect(await cp().changeConfiguration('NumberOfConnectors', '4')).toEqual({ status: 'Rejected' });
    expect(await cp().changeConfiguration('HeartbeatInterval', 'often')).toEqual({ status: 'Rejected' });
    expect(await cp().changeConfiguration('MeterValuesSampledData', 'Energy.Active.Import.Register,Bogus')).toEqual({ status: 'Rejected' });
    expect(await cp().changeConfiguration('ReserveConnectorZeroSupported', 'true')).toEqual({ status: 'NotSupported' });
    expect(await cp().changeConfiguration('WebSocketPingInterval', '30')).toEqual({ status: 'RebootRequired' });
    expect(sim.config.get('WebSocketPingInterval')).toBe('0');
  });

  test('TriggerMessage: Heartbeat and StatusNotification are sent after the answer; a bad connector is Rejected', async () => {
    expect(await cp().triggerMessage('Heartbeat')).toEqual({ status: 'Accepted' });
    await until(() => seen('Heartbeat'), 2000, 'triggered Heartbeat');
    expect(await cp().triggerMessage('StatusNotification', 2)).toEqual({ status: 'Accepted' });
    await until(() => calls.filter((c) => c.action === 'StatusNotification' && c.request.connectorId === 2).length >= 2, 2000, 'status');
    expect(await cp().triggerMessage('StatusNotification', 9)).toEqual({ status: 'Rejected' });
  });

  test('RemoteStartTransaction → StartTransaction → MeterValues → RemoteStopTransaction → StopTransaction', async () => {
    await cp().changeConfiguration('MeterValueSampleInterval', '1');
    await cp().changeConfiguration('MeterValuesSampledData', 'Energy.Active.Import.Register,Power.Active.Import');
    expect(await cp().remoteStartTransaction('TAG-1', 1)).toEqual({ status: 'Accepted' });
    await until(() => seen('StartTransaction'), 2000, 'StartTransaction');
    const start = calls.find((c) => c.action === 'StartTransaction')!;
    expect(start.request).toMatchObject({ connectorId: 1, idTag: 'TAG-1' });
    const txId = start.response.transactionId as number;
    await until(() => sim.status(1) === 'Charging', 2000, 'Charging');
    expect(await cp().remoteStartTransaction('TAG-2', 1)).toEqual({ status: 'Rejected' });
    await until(() => seen('MeterValues', (r) => r.transactionId === txId), 3000, 'MeterValues');
    const mv = calls.find((c) => c.action === 'MeterValues')!.request;
    expect(mv.meterValue[0].sampledValue.map((s: any) => s.measurand)).toEqual(['Energy.Active.Import.Register', 'Power.Active.Import']);
    expect(await cp().remoteStopTransaction(999_999)).toEqual({ status: 'Rejected' });
    expect(await cp().remoteStopTransaction(txId)).toEqual({ status: 'Accepted' });
    await until(() => seen('StopTransaction', (r) => r.transactionId === txId), 2000, 'StopTransaction');
    const stop = calls.find((c) => c.action === 'StopTransaction')!.request;
    expect(stop.reason).toBe('Remote');
    expect(stop.meterStop).toBeGreaterThan(start.request.meterStart);
    await until(() => sim.status(1) === 'Available', 2000, 'Available again');
  });

  test('ChangeAvailability: Inoperative → Unavailable, Operative → Available; Scheduled during a transaction', async () => {
    expect(await cp().changeAvailability(2, 'Inoperative')).toEqual({ status: 'Accepted' });
    await until(() => seen('StatusNotification', (r) => r.connectorId === 2 && r.status === 'Unavailable'), 2000, 'Unavailable');
    expect(await cp().changeAvailability(2, 'Operative')).toEqual({ status: 'Accepted' });
    await until(() => sim.status(2) === 'Available', 2000, 'Available');
    expect(await cp().changeAvailability(7, 'Operative')).toEqual({ status: 'Rejected' });
    await cp().remoteStartTransaction('TAG-3', 1);
    await until(() => sim.status(1) === 'Charging', 2000, 'Charging');
    expect(await cp().changeAvailability(1, 'Inoperative')).toEqual({ status: 'Scheduled' });
    await cp().remoteStopTransaction(sim.transaction(1)!.id);
    await until(() => sim.status(1) === 'Unavailable', 2000, 'Unavailable after the transaction');
    await cp().changeAvailability(1, 'Operative');
    await until(() => sim.status(1) === 'Available', 2000, 'Available');
  });

  test('UnlockConnector, ClearCache, GetDiagnostics', async () => {
    expect(await cp().unlockConnector(1)).toEqual({ status: 'Unlocked' });
    expect(await cp().unlockConnector(0)).toEqual({ status: 'NotSupported' });
    expect(await cp().clearCache()).toEqual({ status: 'Accepted' });
    const diag = await cp().getDiagnostics({ location: 'ftp://support.example.com/uploads/' });
    expect(diag.fileName).toMatch(/^diagnostics-CP-CMD-/);
    await until(() => seen('DiagnosticsStatusNotification', (r) => r.status === 'Uploaded'), 2000, 'Uploaded');
  });

  test('calls the simulator does not implement are answered NotSupported', async () => {
    const err = await cp().call('ReserveNow', { connectorId: 1, expiryDate: new Date().toISOString(), idTag: 'X', reservationId: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallError);
    expect(err).toMatchObject({ errorCode: 'NotSupported' });
  });

  test('Reset: Accepted, the charge point reconnects and boots again with reboot-pending keys applied', async () => {
    const boots = calls.filter((c) => c.action === 'BootNotification').length;
    expect(await cp().reset('Soft')).toEqual({ status: 'Accepted' });
    await until(() => calls.filter((c) => c.action === 'BootNotification').length === boots + 1, 3000, 'second boot');
    expect(sim.config.get('WebSocketPingInterval')).toBe('30');
    expect(cp().isOpen).toBe(true);
  });
});
