import { afterAll, beforeAll, expect, test } from 'vitest';
import { MAX_CONNECTORS } from '../../src/ocpp/csms/registry.js';
import { rawClient, startCsms, type TestCsms, until } from '../helpers/ocpp.js';

/** What one charge point can make the Central System hold is bounded, and freed when it goes. */
let csms: TestCsms;
const problems: string[] = [];
beforeAll(async () => {
  csms = await startCsms({ open: true });
  csms.server.on('problem', (id, p) => problems.push(`${id}: ${p.message}`));
});
afterAll(async () => csms.close());

test('5,000 StatusNotifications with distinct connector ids: each answered, 64 kept, said once', async () => {
  const raw = await rawClient(csms.url, 'CP-CONNECTORS');
  const replies: Promise<unknown>[] = [];
  for (let c = 0; c < 5000; c += 1) {
    replies.push(raw.next(10_000));
    raw.send(JSON.stringify([2, `s${c}`, 'StatusNotification', { connectorId: c * 7919, errorCode: 'NoError', status: 'Available' }]));
  }
  const answers = (await Promise.all(replies)) as unknown[][];
  expect(answers.every((a) => a[0] === 3)).toBe(true);
  expect(csms.server.state('CP-CONNECTORS')!.connectors.size).toBe(MAX_CONNECTORS);
  expect(problems.filter((p) => p.startsWith('CP-CONNECTORS: reports more than 64 connectors'))).toHaveLength(1);
  // A connector it already has still updates.
  await raw.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Faulted' });
  expect(csms.server.state('CP-CONNECTORS')!.connectors.get('0')?.status).toBe('Faulted');
  raw.close();
  await until(() => csms.server.state('CP-CONNECTORS') === undefined, 3000, 'its entry to be dropped on disconnect');
});

test('charge points that come and go (open mode, any id) leave nothing behind', async () => {
  for (let i = 0; i < 50; i += 1) {
    const raw = await rawClient(csms.url, `CP-PASSING-${i}`);
    await raw.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Wallbox' });
    raw.close();
  }
  await until(() => csms.server.registry.list().filter((s) => s.id.startsWith('CP-PASSING-')).length === 0, 3000, 'every passing entry to go');
});
