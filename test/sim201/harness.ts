/**
 * A small OCPP 2.0.1 CSMS for tests: a real WebSocket server on a free loopback port speaking
 * `ocpp2.0.1` through our RpcConnection (role csms), checking the Basic-auth header, answering
 * what a station initiates and recording all of it. The product's CsmsServer still installs
 * 1.6 handlers only.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { WebSocketServer } from 'ws';
import { ocpp201, type CsCalls201, type CsmsCalls201 } from '../../src/ocpp/ocpp201.js';
import { RpcConnection } from '../../src/ocpp/rpc.js';
import { SimulatedStation201 } from '../../src/sim/v201/station.js';
import type { StationOptions } from '../../src/sim/v201/options.js';

export interface Recorded {
  action: string;
  request: any;
  response: any;
  /** Which connection (1 = the first) it came on. */
  connection: number;
}

export interface Link {
  rpc: RpcConnection<CsmsCalls201, CsCalls201>;
  id: string;
  /** The Basic-auth password the station presented, if any. */
  password: string | undefined;
  closed: { code: number; reason: string } | null;
}

type Answer<A extends keyof CsCalls201> = (request: CsCalls201[A][0], call: number) => CsCalls201[A][1];

const now = (): string => new Date().toISOString();

export class TestCsms {
  readonly calls: Recorded[] = [];
  readonly links: Link[] = [];
  /** CALLERRORs the CSMS sent, as text. */
  readonly errorsSent: string[] = [];
  /** Upgrades refused for a wrong password. */
  refusals = 0;
  /** Passwords accepted on the upgrade; empty accepts any (or none). */
  passwords = new Set<string>();
  private readonly answers = new Map<string, (request: unknown, call: number) => unknown>();
  private readonly wss: WebSocketServer;
  readonly url: string;

  private constructor(wss: WebSocketServer, port: number) {
    this.wss = wss;
    this.url = `ws://127.0.0.1:${port}/ocpp`;
    this.answer('BootNotification', () => ({ status: 'Accepted', interval: 3600, currentTime: now() }));
    this.answer('Heartbeat', () => ({ currentTime: now() }));
    this.answer('Authorize', () => ({ idTokenInfo: { status: 'Accepted' } }));
    this.answer('TransactionEvent', (req) => (req.idToken ? { idTokenInfo: { status: 'Accepted' } } : {}));
    for (const action of ['StatusNotification', 'MeterValues', 'NotifyReport', 'SecurityEventNotification', 'FirmwareStatusNotification', 'LogStatusNotification'] as const) {
      this.answer(action, () => ({}));
    }
    wss.on('connection', (ws, req: IncomingMessage) => this.accept(ws, req));
  }

  static async start(): Promise<TestCsms> {
    let csms: TestCsms | null = null;
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (offered) => (offered.has('ocpp2.0.1') ? 'ocpp2.0.1' : false),
      verifyClient: (info, done) => {
        const ok = csms!.authorized(info.req.headers.authorization, identity(info.req.url ?? ''));
        if (!ok) csms!.refusals += 1;
        done(ok, 401, 'Unauthorized');
      },
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    csms = new TestCsms(wss, (wss.address() as AddressInfo).port);
    return csms;
  }

  /** How the CSMS answers an action from now on; `call` counts that action's calls from 1. */
  answer<A extends keyof CsCalls201 & string>(action: A, fn: Answer<A>): void {
    this.answers.set(action, fn as (request: unknown, call: number) => unknown);
  }

  get link(): Link {
    const link = this.links.at(-1);
    if (!link) throw new Error('no station connected');
    return link;
  }

  /** A call to the station on its latest connection. */
  call<A extends keyof CsmsCalls201 & string>(action: A, payload: CsmsCalls201[A][0]): Promise<CsmsCalls201[A][1]> {
    return this.link.rpc.call(action, payload);
  }

  of(action: string): Recorded[] {
    return this.calls.filter((c) => c.action === action);
  }

  count(action: string): number {
    return this.of(action).length;
  }

  /** Resolves with the calls recorded since `from` once `predicate` holds for them. */
  async until(predicate: (calls: Recorded[]) => boolean, what: string, timeoutMs = 5000, from = 0): Promise<Recorded[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const calls = this.calls.slice(from);
      if (predicate(calls)) return calls;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${calls.map((c) => c.action).join(', ') || 'nothing'}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits for the n-th (from 1) call of an action. */
  async nth(action: string, n = 1, timeoutMs = 5000): Promise<Recorded> {
    await this.until((calls) => calls.filter((c) => c.action === action).length >= n, `${action} #${n}`, timeoutMs);
    return this.of(action)[n - 1]!;
  }

  async close(): Promise<void> {
    for (const link of this.links) link.rpc.close(1001, 'test over');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private authorized(header: string | undefined, id: string): boolean {
    if (this.passwords.size === 0) return true;
    const password = basicPassword(header, id);
    return password !== undefined && this.passwords.has(password);
  }

  private accept(ws: import('ws').WebSocket, req: IncomingMessage): void {
    const rpc = new RpcConnection<CsmsCalls201, CsCalls201>(ws, { dialect: ocpp201, role: 'csms', pingIntervalMs: 0, callTimeoutMs: 5000 });
    const id = identity(req.url ?? '');
    const link: Link = { rpc, id, password: basicPassword(req.headers.authorization, id), closed: null };
    this.links.push(link);
    const connection = this.links.length;
    const untyped = rpc as unknown as RpcConnection;
    for (const action of this.answers.keys()) {
      untyped.handle(action, (request) => this.answers.get(action)!(request, this.count(action) + 1));
    }
    rpc.on('handled', (action, request, response) => this.calls.push({ action, request, response, connection }));
    rpc.on('frame', (direction, text) => {
      if (direction === 'out' && text.startsWith('[4,')) this.errorsSent.push(text);
    });
    rpc.on('close', (code, reason) => {
      link.closed = { code, reason };
    });
  }
}

function identity(url: string): string {
  return decodeURIComponent(url.split('?')[0]!.split('/').filter(Boolean).at(-1) ?? '');
}

function basicPassword(header: string | undefined, id: string): string | undefined {
  const match = /^Basic (.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  return decoded.startsWith(`${id}:`) ? decoded.slice(id.length + 1) : undefined;
}

/** A station with test timings: fast reconnects and reboots. */
export function station(url: string, options: Omit<StationOptions, 'url'>): SimulatedStation201 {
  return new SimulatedStation201({ url, reconnect: { minDelayMs: 50, maxDelayMs: 200 }, rebootDelayMs: 100, ...options });
}

/**
 * A test CSMS and a started station per test, both stopped after it. `use` receives them;
 * `before` sets up the CSMS before the station connects.
 */
export function fixture(
  use: (csms: TestCsms, station: SimulatedStation201) => void,
  defaults: Omit<StationOptions, 'url'>,
): (options?: Partial<StationOptions>, before?: (csms: TestCsms) => void) => Promise<void> {
  let current: { csms: TestCsms; station: SimulatedStation201 } | null = null;
  afterEach(async () => {
    current?.station.stop();
    await current?.csms.close();
    current = null;
  });
  return async (options = {}, before) => {
    const csms = await TestCsms.start();
    before?.(csms);
    const s = station(csms.url, { ...defaults, ...options });
    current = { csms, station: s };
    use(csms, s);
    await s.start();
  };
}
