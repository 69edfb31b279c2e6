import { afterEach, expect, test } from 'vitest';
import {
  CallError,
  CallQueueFullError,
  CallTimeoutError,
  InvalidOutgoingPayloadError,
  InvalidResponseError,
} from '../../src/ocpp/errors.js';
import { rawClient, simulator, startCsms, type TestCsms } from '../helpers/ocpp.js';

let csms: TestCsms;
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await csms?.close();
});

test('one CALL in flight per direction: the next is sent only after the previous is answered', async () => {
  csms = await startCsms({ open: true });
  const raw = await rawClient(csms.url, 'CP-Q');
  stops.push(() => raw.close());
  const cp = csms.server.chargePoint16('CP-Q')!;
  const results = [cp.clearCache(), cp.clearCache(), cp.clearCache()];
  const first = (await raw.next()) as [number, string, string];
  expect(first[2]).toBe('ClearCache');
  // Nothing else arrives while the first is unanswered.
  await expect(raw.next(150)).rejects.toThrow(/no frame/);
  expect(cp.rpc.pendingCalls).toBe(3);
  for (let i = 0; i < 3; i += 1) {
    const call = i === 0 ? first : ((await raw.next()) as [number, string, string]);
    raw.send(JSON.stringify([3, call[1], { status: 'Accepted' }]));
  }
  expect(await Promise.all(results)).toEqual([{ status: 'Accepted' }, { status: 'Accepted' }, { status: 'Accepted' }]);
});

test('the call timeout rejects with a typed error, and the queue moves on', async () => {
  csms = await startCsms({ open: true, callTimeoutMs: 100 });
  const raw = await rawClient(csms.url, 'CP-T');
  stops.push(() => raw.close());
  const cp = csms.server.chargePoint16('CP-T')!;
  const slow = cp.clearCache();
  const next = cp.getConfiguration(['HeartbeatInterval'], { timeoutMs: 2000 });
  await expect(slow).rejects.toBeInstanceOf(CallTimeoutError);
  await expect(slow).rejects.toMatchObject({ code: 'ERR_OCPP_CALL_TIMEOUT', action: 'ClearCache' });
  const first = (await raw.next()) as unknown[];
  const second = (await raw.next()) as unknown[];
  expect(first[2]).toBe('ClearCache');
  expect(second[2]).toBe('GetConfiguration');
  // The late answer to the timed-out call is dropped, the current one is matched by id.
  raw.send(JSON.stringify([3, first[1], { status: 'Accepted' }]));
  raw.send(JSON.stringify([3, second[1], { configurationKey: [], unknownKey: ['HeartbeatInterval'] }]));
  await expect(next).resolves.toEqual({ configurationKey: [], unknownKey: ['HeartbeatInterval'] });
});

test('an invalid outgoing payload is an error to the caller and nothing is sent', async () => {
  csms = await startCsms({ open: true });
  const sim = simulator(csms.url, { id: 'CP-OUT' });
  stops.push(() => sim.stop());
  await sim.start();
  const frames: string[] = [];
  csms.server.on('frame', (_id, direction) => frames.push(direction));
  const cp = csms.server.chargePoint16('CP-OUT')!;
  // @ts-expect-error: deliberately wrong type
  const bad = cp.changeAvailability(1, 'Sideways');
  await expect(bad).rejects.toBeInstanceOf(InvalidOutgoingPayloadError);
  await expect(bad).rejects.toThrow(/type must be one of/);
  expect(frames.filter((d) => d === 'out')).toEqual([]);
});

test('a CALLERROR answer rejects with the peer code, description and details', async () => {
  csms = await startCsms({ open: true });
  const raw = await rawClient(csms.url, 'CP-E');
  stops.push(() => raw.close());
  const cp = csms.server.chargePoint16('CP-E')!;
  const call = cp.reset('Soft');
  const frame = (await raw.next()) as unknown[];
  // Some firmware sends the details as a string: still a proper CallError.
  raw.send(JSON.stringify([4, frame[1], 'NotSupported', 'no resets today', 'vendor text']));
  const err = await call.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CallError);
  expect(err).toMatchObject({ errorCode: 'NotSupported', description: 'no resets today', details: 'vendor text' });
});

test('an answer that breaks the response schema rejects with InvalidResponseError', async () => {
  csms = await startCsms({ open: true });
  const raw = await rawClient(csms.url, 'CP-R');
  stops.push(() => raw.close());
  const cp = csms.server.chargePoint16('CP-R')!;
  const call = cp.clearCache();
  const frame = (await raw.next()) as unknown[];
  raw.send(JSON.stringify([3, frame[1], { status: 'Maybe' }]));
  await expect(call).rejects.toBeInstanceOf(InvalidResponseError);
  await expect(call).rejects.toThrow(/status must be one of Accepted, Rejected/);
});

test('a bounded queue refuses calls beyond its limit', async () => {
  csms = await startCsms({ open: true, maxQueuedCalls: 2 });
  const raw = await rawClient(csms.url, 'CP-FULL');
  stops.push(() => raw.close());
  const cp = csms.server.chargePoint16('CP-FULL')!;
  const calls = [cp.clearCache(), cp.clearCache(), cp.clearCache(), cp.clearCache()].map((p) => p.catch((e: unknown) => e));
  raw.close();
  const outcomes = await Promise.all(calls);
  expect(outcomes[3]).toBeInstanceOf(CallQueueFullError);
});
