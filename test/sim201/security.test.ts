import { afterEach, expect, test } from 'vitest';
import type { SimulatedStation201 } from '../../src/sim/v201/station.js';
import { station, TestCsms } from './harness.js';

let csms: TestCsms;
let s: SimulatedStation201;
afterEach(async () => {
  s?.stop();
  await csms?.close();
});

const OLD = 'old-password-0123456789';
const NEW = 'New-Password:+|@.*-_=9876';

const setPassword = (attributeValue: string) =>
  csms.call('SetVariables', { setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue }] });

test('BasicAuthPassword: Accepted, then the station disconnects and reconnects with the new password (A01)', async () => {
  csms = await TestCsms.start();
  csms.passwords = new Set([OLD]);
  s = station(csms.url, { id: 'CS-SEC', password: OLD });
  await s.start();
  expect(csms.links[0]!.password).toBe(OLD);
  // A01.FR.03: once Accepted, the CSMS takes only the new password.
  const response = await setPassword(NEW);
  csms.passwords = new Set([NEW]);
  expect(response.setVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeType: 'Actual' });
  await csms.until(() => csms.links.length === 2 && s.isBooted, 'reconnect');
  expect(csms.links[0]!.closed?.code).toBe(1000);
  expect(csms.links[1]!.password).toBe(NEW);
  expect(csms.refusals).toBe(0);
  // A reconnect, not a reboot; the change is a security event that never names the password.
  expect(csms.count('BootNotification')).toBe(1);
  const event = await csms.until(() => csms.of('SecurityEventNotification').some((c) => c.request.type === 'ReconfigurationOfSecurityParameters'), 'security event');
  expect(JSON.stringify(event)).not.toContain(NEW);
  expect(s.security.log.map((e) => e.type)).toContain('ReconfigurationOfSecurityParameters');
  // Still write-only.
  const read = await csms.call('GetVariables', { getVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] });
  expect(read.getVariableResult[0]!.attributeStatus).toBe('Rejected');
});

test('BasicAuthPassword that is not a 16-40 character passwordString is Rejected and nothing reconnects', async () => {
  csms = await TestCsms.start();
  s = station(csms.url, { id: 'CS-SEC', password: OLD });
  await s.start();
  const results = await Promise.all(['short', 'x'.repeat(41), 'has spaces in it 123456', 'ümlaut-password-123456'].map(setPassword));
  expect(results.map((r) => r.setVariableResult[0]!.attributeStatus)).toEqual(['Rejected', 'Rejected', 'Rejected', 'Rejected']);
  await new Promise((r) => setTimeout(r, 200));
  expect(csms.links).toHaveLength(1);
});

test('after a password change and a reboot the station keeps using the new password', async () => {
  csms = await TestCsms.start();
  csms.passwords = new Set([OLD, NEW]);
  s = station(csms.url, { id: 'CS-SEC', password: OLD });
  await s.start();
  await setPassword(NEW);
  await csms.until(() => csms.links.length === 2 && s.isBooted, 'reconnect');
  await csms.call('Reset', { type: 'Immediate' });
  await csms.nth('BootNotification', 2);
  expect(csms.links.map((l) => l.password)).toEqual([OLD, NEW, NEW]);
});

test('a BasicAuthPassword that needs a reboot (RebootRequired) is used from the next boot on', async () => {
  csms = await TestCsms.start();
  s = station(csms.url, { id: 'CS-SEC', password: OLD, faults: { rebootRequiredVariables: ['SecurityCtrlr.BasicAuthPassword'] } });
  await s.start();
  expect((await setPassword(NEW)).setVariableResult[0]!.attributeStatus).toBe('RebootRequired');
  await new Promise((r) => setTimeout(r, 200));
  expect(csms.links).toHaveLength(1);
  await csms.call('Reset', { type: 'Immediate' });
  await csms.nth('BootNotification', 2);
  expect(csms.links.map((l) => l.password)).toEqual([OLD, NEW]);
});
