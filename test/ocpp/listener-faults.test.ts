import { afterAll, beforeAll, expect, test } from 'vitest';
import { rawClient, simulator, startCsms, type TestCsms, until } from '../helpers/ocpp.js';
import { startServer, type TestServer, waitForEnd } from '../helpers/server.js';

/**
 * Listeners are the library's users (the engine, loggers): one that throws while a frame or a
 * connection is handled must be reported as a problem, never end the process, and never keep
 * the charge point from its answer.
 */
let csms: TestCsms;
const problems: string[] = [];
beforeAll(async () => {
  csms = await startCsms({ open: true });
  csms.server.on('problem', (_id, p) => problems.push(p.message));
  for (const event of ['frame', 'call', 'booted', 'connected', 'disconnected'] as const) {
    csms.server.on(event, () => {
      throw new Error(`${event} listener exploded`);
    });
  }
  // A problem listener that throws too must not turn the report into a crash.
  csms.server.on('problem', () => {
    throw new Error('problem listener exploded');
  });
});
afterAll(async () => csms.close());

test('every frame is still answered when each listener throws, and each throw is reported', async () => {
  const raw = await rawClient(csms.url, 'CP-LISTENERS');
  const boot = await raw.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Wallbox' });
  expect(boot[0]).toBe(3);
  const beat = await raw.call('Heartbeat', {});
  expect(beat[0]).toBe(3);
  const bad = await raw.call('Heartbeat', { extra: 1 });
  expect(bad[0]).toBe(4);
  raw.close();
  await until(() => problems.some((p) => p.includes('disconnected listener exploded')), 3000, 'the disconnect to be reported');
  for (const event of ['frame', 'call', 'booted', 'connected']) {
    expect(problems.some((p) => p.includes(`${event} listener exploded`)), event).toBe(true);
  }
  // The server goes on: a well-behaved charge point connects and boots after all this.
  const sim = simulator(csms.url, { id: 'CP-AFTER' });
  await sim.start();
  expect(csms.server.chargePoint('CP-AFTER')?.isOpen).toBe(true);
  sim.stop();
});

let t: TestServer;
test('on the local server, a store that fails while a charge point boots costs a problem line, not the server', async () => {
  t = await startServer();
  const store = t.server.store.chargePoints as unknown as { recordBoot: (...a: unknown[]) => void };
  const original = store.recordBoot;
  store.recordBoot = () => {
    throw new Error('SQLITE_FULL: database or disk is full');
  };
  try {
    const sim = await t.simulator('CP-DISKFULL');
    expect(sim.isBooted).toBe(true);
    expect(t.lines.some((l) => l.includes('SQLITE_FULL'))).toBe(true);
  } finally {
    store.recordBoot = original;
  }
  await t.client.start('CP-DISKFULL', { skip_test_transaction: true });
  expect((await waitForEnd(t.client, 'CP-DISKFULL')).result).toBe('passed');
  await t.stop();
});
