import { afterEach, expect, test } from 'vitest';
import type * as T from '../../src/ocpp/ocpp201.js';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { station, TestCsms } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function csms(): Promise<TestCsms> {
  const c = await TestCsms.start();
  cleanups.push(() => c.close());
  return c;
}

const profile = (ocppCsmsUrl: string): T.NetworkConnectionProfileType => ({
  ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl, messageTimeout: 5, securityProfile: 1, ocppInterface: 'Wired0',
});

const setVars = (c: TestCsms, ...items: [string, string, string][]) =>
  c.call('SetVariables', { setVariableData: items.map(([component, variable, attributeValue]) => ({ component: { name: component }, variable: { name: variable }, attributeValue })) });

const active = async (c: TestCsms): Promise<string | undefined> =>
  (await c.call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'ActiveNetworkProfile' } }] })).getVariableResult[0]!.attributeValue;

async function started(c: TestCsms): Promise<SimulatedStation201> {
  const s = station(c.url, { id: 'CS-NET', password: 'station-password-0123' });
  cleanups.push(() => s.stop());
  await s.start();
  return s;
}

test('B10: a new profile first in NetworkConfigurationPriority, then a reset: the station moves to the new CSMS', async () => {
  const [first, second] = [await csms(), await csms()];
  const s = await started(first);
  expect(await active(first)).toBe('0');
  expect(await first.call('SetNetworkProfile', { configurationSlot: 1, connectionData: profile(second.url) })).toEqual({ status: 'Accepted' });
  expect((await setVars(first, ['OCPPCommCtrlr', 'NetworkConfigurationPriority', '1,0'])).setVariableResult[0]!.attributeStatus).toBe('RebootRequired');
  await first.call('Reset', { type: 'OnIdle' });
  const boot = await second.nth('BootNotification');
  expect(boot.request.reason).toBe('RemoteReset');
  expect(second.links[0]!.password).toBe('station-password-0123');
  await second.until(() => s.isBooted, 'booted at the new CSMS');
  expect(await active(second)).toBe('1');
  expect(first.links).toHaveLength(1);
});

test('B10.FR.03: a profile that cannot connect is given up after NetworkProfileConnectionAttempts, for the next', async () => {
  const first = await csms();
  const gone = await csms();
  const goneUrl = gone.url;
  await gone.close();
  const s = await started(first);
  await first.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile(goneUrl) });
  await setVars(first, ['OCPPCommCtrlr', 'NetworkConfigurationPriority', '2,0'], ['OCPPCommCtrlr', 'NetworkProfileConnectionAttempts', '2']);
  await first.call('Reset', { type: 'Immediate' });
  await first.nth('BootNotification', 2, 8000);
  await first.until(() => s.isBooted, 'back on slot 0');
  expect(await active(first)).toBe('0');
});
