import { afterEach, expect, test } from 'vitest';
import type { SimulatedStation, StationEvents, StationTransaction, StoppedTransaction } from '../../src/sim/station.js';
import { recordCalls, simulator, startCsms, type TestCsms as Csms16 } from '../helpers/ocpp.js';
import { station, TestCsms } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

interface Seen {
  booted: StationEvents['booted'][0][];
  status: StationEvents['status'][];
  started: StationTransaction[];
  stopped: StoppedTransaction[];
}

/** Drives a station only through SimulatedStation, as the CLI would. */
function watch(s: SimulatedStation): Seen {
  const seen: Seen = { booted: [], status: [], started: [], stopped: [] };
  s.on('booted', (response) => seen.booted.push(response));
  s.on('status', (...args) => seen.status.push(args));
  s.on('transactionStarted', (t) => seen.started.push(t));
  s.on('transactionStopped', (t) => seen.stopped.push(t));
  return seen;
}

const until = async (predicate: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function charge(s: SimulatedStation, seen: Seen, start: () => Promise<unknown>, stop: (id: string | number) => Promise<unknown>): Promise<void> {
  await s.start();
  expect(s.isBooted).toBe(true);
  expect(seen.booted[0]?.status).toBe('Accepted');
  expect(s.status(1)).toBe('Available');
  await start();
  await until(() => seen.started.length === 1, 'transactionStarted');
  const tx = seen.started[0]!;
  expect(s.transaction(1)?.id).toBe(tx.id);
  await new Promise((r) => setTimeout(r, 200));
  expect(s.meterWh(1)).toBeGreaterThan(tx.meterStartWh);
  await stop(tx.id);
  await until(() => seen.stopped.length === 1, 'transactionStopped');
  expect(seen.stopped[0]).toMatchObject({ id: tx.id, meterStartWh: tx.meterStartWh });
  expect(seen.stopped[0]!.meterStopWh).toBeGreaterThan(tx.meterStartWh);
  await until(() => s.transaction(1) === null && s.status(1) === 'Available', 'available again');
  expect(seen.status.every(([evseId, status]) => evseId === 1 && typeof status === 'string')).toBe(true);
}

test('a 1.6 charge point, driven through SimulatedStation', async () => {
  const csms: Csms16 = await startCsms({ open: true });
  cleanups.push(() => csms.close());
  recordCalls(csms.server);
  const s: SimulatedStation = simulator(csms.url, { id: 'CP-IF', powerW: 360_000 });
  cleanups.push(() => s.stop());
  const seen = watch(s);
  await charge(
    s,
    seen,
    () => csms.server.chargePoint16('CP-IF')!.remoteStartTransaction('TAG', 1),
    (id) => csms.server.chargePoint16('CP-IF')!.remoteStopTransaction(id as number),
  );
  expect(seen.stopped[0]!.reason).toBe('Remote');
  expect(seen.status.map(([, status]) => status)).toEqual(['Preparing', 'Charging', 'Finishing', 'Available']);
});

test('a 2.0.1 charging station, driven through SimulatedStation', async () => {
  const csms = await TestCsms.start();
  cleanups.push(() => csms.close());
  const s: SimulatedStation = station(csms.url, { id: 'CS-IF', powerW: 360_000 });
  cleanups.push(() => s.stop());
  const seen = watch(s);
  await charge(
    s,
    seen,
    () => csms.call('RequestStartTransaction', { idToken: { idToken: 'TAG', type: 'ISO14443' }, remoteStartId: 1, evseId: 1 }),
    (id) => csms.call('RequestStopTransaction', { transactionId: id as string }),
  );
  expect(seen.stopped[0]!.reason).toBe('Remote');
  expect(seen.status).toEqual([[1, 'Occupied', 1], [1, 'Available', 1]]);
});
