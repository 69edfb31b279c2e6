import { once } from 'node:events';
import WebSocket from 'ws';
import { CsmsServer, type CsmsServerOptions } from '../../src/ocpp/csms/server.js';
import { SimulatedChargePoint, type SimOptions } from '../../src/sim/simulator.js';

export interface TestCsms {
  server: CsmsServer;
  url: string;
  close(): Promise<void>;
}

/** A Central System on a free loopback port. */
export async function startCsms(options: CsmsServerOptions = { open: true }): Promise<TestCsms> {
  const server = new CsmsServer(options);
  const address = await server.listen(0, '127.0.0.1');
  return { server, url: `ws://127.0.0.1:${address.port}/ocpp`, close: () => server.close() };
}

export function simulator(url: string, options: Omit<SimOptions, 'url'>): SimulatedChargePoint {
  return new SimulatedChargePoint({ url, reconnect: { minDelayMs: 50, maxDelayMs: 200 }, rebootDelayMs: 100, ...options });
}

/** A bare WebSocket speaking raw frames, for sending what no well-behaved client would. */
export async function rawClient(url: string, id: string, protocols: string[] = ['ocpp1.6'], headers: Record<string, string> = {}): Promise<RawClient> {
  const ws = new WebSocket(`${url}/${encodeURIComponent(id)}`, protocols, { headers });
  await once(ws, 'open');
  return new RawClient(ws);
}

export class RawClient {
  private readonly inbox: unknown[] = [];
  private readonly waiters: ((frame: unknown) => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown;
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.inbox.push(frame);
    });
  }

  send(text: string | Buffer, binary = false): void {
    this.ws.send(text, { binary });
  }

  /** The next frame from the server, or a timeout error. */
  next(timeoutMs = 2000): Promise<unknown> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error('no frame within timeout'));
      }, timeoutMs);
      const waiter = (frame: unknown): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends a CALL and waits for the answer to it. */
  async call(action: string, payload: unknown, id = `m-${Math.random().toString(36).slice(2, 10)}`): Promise<unknown[]> {
    this.send(JSON.stringify([2, id, action, payload]));
    return (await this.next()) as unknown[];
  }

  close(): void {
    this.ws.close();
  }
}

export function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (predicate()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

export interface RecordedCall {
  chargePointId: string;
  action: string;
  request: any;
  response: any;
}

/** Every CALL the Central System answered, in order. */
export function recordCalls(server: CsmsServer): RecordedCall[] {
  const calls: RecordedCall[] = [];
  server.on('call', (cp, action, request, response) => calls.push({ chargePointId: cp.id, action, request, response }));
  return calls;
}

/**
 * One WebSocket upgrade attempt as a charge point would make it; resolves with the HTTP status
 * (101 when it opened, then closed at once) and the answer's headers.
 */
export function upgradeStatus(
  url: string,
  id: string,
  options: { password?: string; protocols?: string[]; timeoutMs?: number } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const headers: Record<string, string> = {};
  if (options.password !== undefined) headers['Authorization'] = `Basic ${Buffer.from(`${id}:${options.password}`).toString('base64')}`;
  const ws = new WebSocket(`${url}/${encodeURIComponent(id)}`, options.protocols ?? ['ocpp1.6'], { headers, handshakeTimeout: options.timeoutMs ?? 20_000 });
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      ws.terminate();
    });
    ws.on('open', () => {
      resolve({ status: 101, headers: {} });
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}
