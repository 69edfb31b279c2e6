import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { hashPassword, verifyPassword } from '../../src/common/password.js';
import { ConnectionClosedError } from '../../src/ocpp/errors.js';
import { rawClient, recordCalls, simulator, startCsms, until, type TestCsms } from '../helpers/ocpp.js';

let csms: TestCsms;
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await csms?.close();
});

/** Opens a WebSocket and reports how the server answered the upgrade. */
function attempt(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<{ status: number; body: string; protocol?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      resolve({ status: 101, body: '', protocol: ws.protocol });
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

const basic = (user: string, password: string): Record<string, string> => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('security profile 1: Basic auth on the upgrade', () => {
  async function closedServer(): Promise<TestCsms> {
    const hashes = new Map([['CP-AUTH', await hashPassword('correct horse battery')]]);
    return startCsms({ authenticate: async (id, password) => {
      const hash = hashes.get(id);
      return hash ? verifyPassword(password, hash) : false;
    } });
  }

  test('no credentials: 401 with a Basic challenge', async () => {
    csms = await closedServer();
    const r = await attempt(`${csms.url}/CP-AUTH`, ['ocpp1.6']);
    expect(r.status).toBe(401);
  });

  test('wrong password, unknown charge point, or a user that is not the charge point: 401', async () => {
    csms = await closedServer();
    expect((await attempt(`${csms.url}/CP-AUTH`, ['ocpp1.6'], basic('CP-AUTH', 'nope'))).status).toBe(401);
    expect((await attempt(`${csms.url}/CP-OTHER`, ['ocpp1.6'], basic('CP-OTHER', 'correct horse battery'))).status).toBe(401);
    expect((await attempt(`${csms.url}/CP-AUTH`, ['ocpp1.6'], basic('CP-OTHER', 'correct horse battery'))).status).toBe(401);
  });

  test('the simulator with a wrong password is refused; with the right one it boots', async () => {
    csms = await closedServer();
    const refused: { status: number }[] = [];
    csms.server.on('refused', (info) => refused.push(info));
    const bad = simulator(csms.url, { id: 'CP-AUTH', password: 'correct horse battery', faults: { wrongPassword: true }, reconnect: null });
    const statuses: number[] = [];
    bad.client.on('refused', (status) => statuses.push(status));
    await expect(bad.connect()).rejects.toThrow(/401/);
    bad.stop();
    expect(statuses).toEqual([401]);
    expect(refused[0]).toMatchObject({ chargePointId: 'CP-AUTH', status: 401 });
    expect(csms.server.chargePoint('CP-AUTH')).toBeUndefined();

    const good = simulator(csms.url, { id: 'CP-AUTH', password: 'correct horse battery' });
    stops.push(() => good.stop());
    await good.start();
    expect(csms.server.chargePoint('CP-AUTH')?.isOpen).toBe(true);
  });

  test('a server without authenticate() must be explicitly open', async () => {
    const { CsmsServer } = await import('../../src/ocpp/csms/server.js');
    expect(() => new CsmsServer({})).toThrow(/open/);
  });

  test('open mode accepts any charge point without credentials', async () => {
    csms = await startCsms({ open: true });
    expect((await attempt(`${csms.url}/ANYONE`, ['ocpp1.6'])).status).toBe(101);
  });
});

describe('upgrade checks', () => {
  test.each([
    [['ocpp2.0.1'], 'ocpp2.0.1'],
    [['ocpp1.6'], 'ocpp1.6'],
    [['ocpp2.0.1', 'ocpp1.6'], 'ocpp2.0.1'],
    [['ocpp1.6', 'ocpp2.0.1'], 'ocpp1.6'],
    [['ocpp2.1', 'ocpp1.5', 'ocpp1.6'], 'ocpp1.6'],
  ])("offered %j: the station's first choice that we speak, %s", async (offered, chosen) => {
    csms = await startCsms({ open: true });
    const r = await attempt(`${csms.url}/CP-1`, offered);
    expect(r).toMatchObject({ status: 101, protocol: chosen });
  });

  test('a client offering no subprotocol we speak is refused, and told which we speak', async () => {
    csms = await startCsms({ open: true });
    const r = await attempt(`${csms.url}/CP-1`, ['ocpp2.1', 'ocpp1.5']);
    expect(r.status).toBe(400);
    expect(r.body).toContain('we speak ocpp1.6, ocpp2.0.1');
    expect((await attempt(`${csms.url}/CP-1`, [])).status).toBe(400);
  });

  test('identities: URL-decoded last segment, printable ASCII, at most 48 characters', async () => {
    csms = await startCsms({ open: true });
    expect((await attempt(`${csms.url}/${'A'.repeat(48)}`, ['ocpp1.6'])).status).toBe(101);
    expect((await attempt(`${csms.url}/${'A'.repeat(49)}`, ['ocpp1.6'])).status).toBe(400);
    expect((await attempt(`${csms.url}/bad%01id`, ['ocpp1.6'])).status).toBe(400);
    expect((await attempt(`${csms.url}/bad%E0id`, ['ocpp1.6'])).status).toBe(400);
    const spaced = await rawClient(csms.url, 'site 42/CP 7'.split('/').pop()!);
    expect(csms.server.chargePoint('CP 7')).toBeDefined();
    spaced.close();
    const base = csms.url.replace(/\/ocpp$/, '');
    expect((await attempt(`${base}/elsewhere/CP-1`, ['ocpp1.6'])).status).toBe(404);
  });
});

describe('connections', () => {
  test('registry keeps boot data, connection time, remote address and last-seen time while connected, and nothing after', async () => {
    csms = await startCsms({ open: true });
    const sim = simulator(csms.url, { id: 'CP-REG', vendor: 'ABB', model: 'Terra AC', firmwareVersion: '3.8.2' });
    stops.push(() => sim.stop());
    await sim.start();
    const state = csms.server.state('CP-REG')!;
    expect(state).toMatchObject({ connected: true, protocol: 'ocpp1.6', remoteAddress: '127.0.0.1', bootedThisConnection: true });
    expect(state.boot).toMatchObject({ vendor: 'ABB', model: 'Terra AC', firmwareVersion: '3.8.2' });
    expect(state.connectedAt).toBeInstanceOf(Date);
    const seen = state.lastSeenMs!;
    await new Promise((r) => setTimeout(r, 5));
    await csms.server.chargePoint16('CP-REG')!.getConfiguration(['HeartbeatInterval']);
    expect(state.lastSeenMs!).toBeGreaterThan(seen);
    sim.stop();
    await until(() => csms.server.state('CP-REG') === undefined, 2000, 'disconnect');
    expect(state.connected).toBe(false);
  });

  test('events: connected, booted, every frame with id and time, every call, disconnected', async () => {
    csms = await startCsms({ open: true });
    const events: string[] = [];
    const frames: { chargePointId: string; direction: string; text: string; at: number }[] = [];
    csms.server.on('connected', (cp) => events.push(`connected ${cp.id}`));
    csms.server.on('booted', (cp, boot) => events.push(`booted ${cp.id} ${boot.model}`));
    csms.server.on('disconnected', (cp) => events.push(`disconnected ${cp.id}`));
    csms.server.on('frame', (chargePointId, direction, text, at) => frames.push({ chargePointId, direction, text, at }));
    const calls = recordCalls(csms.server);
    const sim = simulator(csms.url, { id: 'CP-EV', model: 'M1' });
    await sim.start();
    await until(() => calls.some((c) => c.action === 'StatusNotification'), 2000, 'status');
    sim.stop();
    await until(() => events.length === 3, 2000, 'disconnect event');
    expect(events).toEqual(['connected CP-EV', 'booted CP-EV M1', 'disconnected CP-EV']);
    expect(frames[0]).toMatchObject({ chargePointId: 'CP-EV', direction: 'in' });
    expect(frames[0]!.text).toContain('BootNotification');
    expect(frames[1]).toMatchObject({ direction: 'out' });
    expect(typeof frames[0]!.at).toBe('number');
    expect(calls[0]).toMatchObject({ action: 'BootNotification', response: { status: 'Accepted' } });
  });

  test('a reconnect with the same id replaces the old socket and rejects its pending calls', async () => {
    csms = await startCsms({ open: true });
    const events: string[] = [];
    csms.server.on('disconnected', (_cp, _code, reason) => events.push(`disconnected: ${reason}`));
    csms.server.on('connected', () => events.push('connected'));
    const first = await rawClient(csms.url, 'CP-DUP');
    const oldCp = csms.server.chargePoint16('CP-DUP')!;
    const pending = oldCp.getConfiguration().then(() => 'answered', (err: unknown) => err);
    await first.next(); // the GetConfiguration CALL reached the old socket; never answered
    const closed = once(first.ws, 'close');
    const second = await rawClient(csms.url, 'CP-DUP');
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    const [code] = await closed;
    expect(code).toBe(1000);
    const current = csms.server.chargePoint('CP-DUP')!;
    expect(current).not.toBe(oldCp);
    expect(current.isOpen).toBe(true);
    expect(csms.server.state('CP-DUP')!.connected).toBe(true);
    expect(events).toEqual(['connected', 'disconnected: replaced by a new connection', 'connected']);
    second.close();
  });

  test('a peer that stops answering pings is detected as dead and dropped', async () => {
    csms = await startCsms({ open: true, pingIntervalMs: 100 });
    const reasons: string[] = [];
    csms.server.on('disconnected', (_cp, code, reason) => reasons.push(`${code} ${reason}`));
    const ws = new WebSocket(`${csms.url}/CP-DEAD`, ['ocpp1.6'], { autoPong: false });
    await once(ws, 'open');
    await until(() => reasons.length > 0, 3000, 'dead-connection detection');
    expect(reasons[0]).toMatch(/^1006 .*keep-alive/);
    ws.terminate();
  });

  test('a live peer answering pings stays connected', async () => {
    csms = await startCsms({ open: true, pingIntervalMs: 50 });
    const sim = simulator(csms.url, { id: 'CP-ALIVE' });
    stops.push(() => sim.stop());
    await sim.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(csms.server.chargePoint('CP-ALIVE')?.isOpen).toBe(true);
  });

  test('shutting down closes charge points with 1001 going away', async () => {
    csms = await startCsms({ open: true });
    const raw = await rawClient(csms.url, 'CP-BYE');
    const closed = once(raw.ws, 'close');
    await csms.server.close();
    const [code] = await closed;
    expect(code).toBe(1001);
  });
});

test('a charge point told to stop while its connection is being opened stays stopped', async () => {
  const server = await startCsms({ open: true });
  try {
    const sim = simulator(server.url, { id: 'CP-STOPPED-EARLY' });
    void sim.connect().catch(() => undefined);
    sim.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(server.server.chargePoint('CP-STOPPED-EARLY')).toBeUndefined();
  } finally {
    await server.close();
  }
});
