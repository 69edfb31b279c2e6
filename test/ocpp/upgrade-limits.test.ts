import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { until, upgradeStatus } from '../helpers/ocpp.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * What a device on the site LAN can make the OCPP port spend before it has authenticated:
 * nothing for an unknown id, a bounded number of scrypt checks per source, a bounded queue, and
 * a few seconds per half-open socket.
 */
let t: TestServer | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

const randomId = (): string => `CP-${randomBytes(6).toString('hex')}`;

test('300 upgrades with random ids cost no scrypt; a real charger and the installer login go through meanwhile', async () => {
  t = await startServer();
  const before = t.server.chargePointAuth.stats.verifications;
  const flood = Array.from({ length: 300 }, () => upgradeStatus(t!.server.ocppUrl, randomId(), { password: 'guessing-a-password-here' }));
  const sim = t.simulator('CP-REAL');
  const login = t.client.login(t.server.createdCredentials!.email, t.server.createdCredentials!.password);
  const statuses = await Promise.all(flood);
  expect(statuses.every((s) => s.status === 401)).toBe(true);
  expect((await sim).isBooted).toBe(true);
  expect((await login).access_token).toBeTruthy();
  expect(t.server.chargePointAuth.stats.verifications - before).toBe(1);
  expect(t.server.chargePointAuth.stats.refusedUnknown).toBe(300);
  // The operator sees a few lines, not three hundred: the first ones, then the sum.
  t.server.refusals.flush();
  const refusalLines = t.lines.filter((l) => l.includes('refused'));
  expect(refusalLines.length).toBeLessThanOrEqual(6);
  expect(refusalLines.some((l) => /this laptop: 295 more connection attempts refused in the last 30 s \(295 × unknown charge point\)/.test(l))).toBe(true);
});

test('wrong passwords for a known id: scrypt at most the failure budget (and the checks already running), then 429 with Retry-After', async () => {
  t = await startServer({ limits: { chargePointAuth: { failuresPerSource: 5 } } });
  await t.addChargePoint('CP-TARGET');
  const answers = await Promise.all(Array.from({ length: 40 }, () => upgradeStatus(t!.server.ocppUrl, 'CP-TARGET', { password: 'not-the-right-one-at-all' })));
  const s = t.server.chargePointAuth.stats;
  expect(s.verifications).toBeLessThanOrEqual(5 + 4);
  expect(answers.filter((a) => a.status === 401).length).toBe(s.verifications);
  const limited = answers.filter((a) => a.status === 429);
  expect(limited.length).toBe(40 - s.verifications);
  expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThan(0);
  expect(t.lines.some((l) => l.includes('CP-TARGET refused: wrong password, from 127.0.0.1'))).toBe(true);
});

test('a full verification queue answers 503 at once, with Retry-After, and the charger gets in on its retry', async () => {
  t = await startServer({ limits: { chargePointAuth: { concurrentVerifications: 1, queuedPerSource: 3 } } });
  const password = await t.addChargePoint('CP-QUEUE');
  const answers = await Promise.all(Array.from({ length: 20 }, () => upgradeStatus(t!.server.ocppUrl, 'CP-QUEUE', { password })));
  const busy = answers.filter((a) => a.status === 503);
  expect(busy.length).toBeGreaterThan(0);
  expect(busy[0]!.headers['retry-after']).toBe('5');
  expect(answers.filter((a) => a.status === 101).length).toBeGreaterThanOrEqual(1);
  expect(t.server.chargePointAuth.stats.refusedBusy).toBe(busy.length);
  // Once verified, a reconnect costs no queue place at all.
  expect((await upgradeStatus(t.server.ocppUrl, 'CP-QUEUE', { password })).status).toBe(101);
});

test('half-open sockets: a source holds only so many, and each is closed after the header timeout', async () => {
  t = await startServer({ ocppPort: 0, limits: { upgrades: { headersTimeoutMs: 500, maxPendingPerSource: 10 } } });
  const port = Number(new URL(t.server.ocppUrl).port);
  const sockets: { socket: Socket; closedAt: number | null }[] = [];
  const opened = Date.now();
  for (let i = 0; i < 15; i += 1) {
    const socket = connect(port, '127.0.0.1');
    const entry = { socket, closedAt: null as number | null };
    socket.on('close', () => (entry.closedAt = Date.now()));
    socket.on('error', () => undefined);
    sockets.push(entry);
    await new Promise((r) => socket.once('connect', r));
  }
  await until(() => sockets.filter((s) => s.closedAt !== null).length >= 5, 1000, 'the sockets over the cap to be closed');
  await until(() => sockets.every((s) => s.closedAt !== null), 5000, 'every half-open socket to be closed');
  expect(Math.max(...sockets.map((s) => s.closedAt! - opened))).toBeLessThan(5000);
  // Nobody else was kept out meanwhile.
  expect((await t.simulator('CP-AFTER')).isBooted).toBe(true);
});

test('refusals: one line each, a guess for a mistyped id, and local cp list keeps the last one with its reason', async () => {
  t = await startServer();
  const password = await t.addChargePoint('CP-SITE42-001');
  for (let i = 0; i < 3; i += 1) expect((await upgradeStatus(t.server.ocppUrl, 'CP-SITE42-0O1', { password })).status).toBe(401);
  expect((await upgradeStatus(t.server.ocppUrl, 'CP-SITE42-001', { password: 'a-wrong-password-typed' })).status).toBe(401);
  expect((await upgradeStatus(t.server.ocppUrl, 'CP-SITE42-001', { password, protocols: ['ocpp1.5'] })).status).toBe(400);
  expect(t.lines.filter((l) => l.includes('CP-SITE42-0O1 refused: unknown charge point, from 127.0.0.1 — did you mean CP-SITE42-001?'))).toHaveLength(1);
  t.server.refusals.flush();
  expect(t.lines).toContain('CP-SITE42-0O1 refused 2 more times in the last 30 s: unknown charge point, from 127.0.0.1');
  const list = await t!.client.localChargePoints();
  expect(list.unknown_attempts).toEqual([expect.objectContaining({ id: 'CP-SITE42-0O1', count: 3, did_you_mean: 'CP-SITE42-001', from: '127.0.0.1' })]);
  const cp = list.charge_points.find((c) => c.id === 'CP-SITE42-001')!;
  expect(cp.last_refusal).toEqual(expect.objectContaining({ count: 2, reason: expect.stringContaining('subprotocol') }));
  // Once it connects, its refusals are history.
  await t.simulator('CP-SITE42-001');
  expect((await t.client.localChargePoints()).charge_points.find((c) => c.id === 'CP-SITE42-001')!.last_refusal).toBeNull();
});

test('a source inventing ids and subprotocols: the refusal log keeps a bounded amount, and its lines stay short', async () => {
  t = await startServer();
  const server = t.server;
  const attempts: Promise<unknown>[] = [];
  for (let i = 0; i < 1500; i += 1) {
    // Each offers a different, long subprotocol list: the reason quotes it.
    const protocols = Array.from({ length: 40 }, (_, j) => `x${i}-${j}-${'p'.repeat(100)}`);
    attempts.push(upgradeStatus(server.ocppUrl, randomId(), { protocols }));
    if (attempts.length === 100) await Promise.all(attempts.splice(0));
  }
  await Promise.all(attempts);
  const held = server.refusals as unknown as { last: Map<string, unknown>; perSource: Map<string, { unsaid: Map<string, number> }> };
  expect(held.last.size).toBe(1000);
  expect([...held.perSource.values()][0]!.unsaid.size).toBeLessThanOrEqual(21);
  server.refusals.flush();
  const lines = t.lines.filter((l) => l.includes('refused'));
  expect(lines.length).toBeLessThanOrEqual(6);
  for (const line of lines) expect(line.length).toBeLessThan(1000);
  expect(lines.at(-1)).toMatch(/this laptop: 1495 more connection attempts refused in the last 30 s \(.*1\d{3} × other reasons/);
});

test('a charge point removed while its password is checked is refused; removing one that is connected drops it', async () => {
  const server = await startServer();
  t = server;
  const password = await server.addChargePoint('CP-GONE');
  const checking = server.server.chargePointAuth.authenticate('CP-GONE', Buffer.from(password), 'loopback');
  server.server.store.write(() => server.server.store.chargePoints.setPassword('CP-GONE', null));
  expect(await checking).toEqual(expect.objectContaining({ accepted: false, status: 401 }));

  const sim = await t.simulator('CP-LIVE');
  await t.client.removeLocalChargePoint('CP-LIVE');
  await until(() => !sim.client.connected, 3000, 'the removed charge point to be dropped');
  await new Promise((r) => setTimeout(r, 500));
  expect(t.server.csms.chargePoint('CP-LIVE')).toBeUndefined();
});
