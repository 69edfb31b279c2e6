import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { backoffDelay } from '../../common/backoff.js';
import type { Dialect } from '../dialect.js';
import { ConnectionClosedError } from '../errors.js';
import { ocpp16, type CpCalls16, type CsmsCalls16 } from '../ocpp16.js';
import { type CallMap, type FrameDirection, type Handler, type ProtocolProblem, RpcConnection } from '../rpc.js';

export interface ReconnectPolicy {
  /** First retry delay; doubles up to maxDelayMs, with full jitter. */
  minDelayMs: number;
  maxDelayMs: number;
}

export interface ChargePointClientOptions {
  /** Central System URL without the identity, e.g. ws://10.0.0.2:9000/ocpp */
  url: string;
  id: string;
  /** Security profile 1 password (Basic auth), as text or as the bytes an AuthorizationKey encodes. */
  password?: string | Uint8Array;
  dialect?: Dialect;
  callTimeoutMs?: number;
  /** WebSocketPingInterval: 0 leaves pinging to the Central System. */
  pingIntervalMs?: number;
  /** Reconnect after an unexpected close; null to stay down. */
  reconnect?: ReconnectPolicy | null;
  /** Validate what we send (default true); off only to play broken firmware. */
  validateOutgoing?: boolean;
  /** Extra options for the ws client (TLS trust for wss://). */
  wsOptions?: WebSocket.ClientOptions;
}

export interface ChargePointClientEvents {
  open: [];
  close: [code: number, reason: string];
  /** The Central System refused the upgrade (401 for a wrong password, 400 for a bad id…). */
  refused: [status: number, body: string];
  frame: [direction: FrameDirection, text: string, at: number];
  problem: [ProtocolProblem];
  error: [Error];
}

type AnyHandler = Handler<unknown, unknown>;

/**
 * The charge point side of OCPP-J: one logical connection to a Central System that survives
 * reconnects. Handlers are installed on every new socket; calls made while disconnected fail
 * with ConnectionClosedError (a charge point decides itself what to queue). `Out` and `In` are
 * the calls of the OCPP version its dialect speaks; they default to 1.6.
 */
export class ChargePointClient<Out extends CallMap = CpCalls16, In extends CallMap = CsmsCalls16> extends EventEmitter<ChargePointClientEvents> {
  private rpc: RpcConnection<Out, In> | null = null;
  private readonly handlers = new Map<string, AnyHandler>();
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The socket of an attempt under way, so that close() ends it too. */
  private connecting: WebSocket | null = null;
  private readonly dialect: Dialect;
  private password: string | Uint8Array | undefined;

  constructor(private readonly options: ChargePointClientOptions) {
    super();
    this.dialect = options.dialect ?? ocpp16;
    this.password = options.password;
  }

  /** The Basic-auth password for the next connection (after a new AuthorizationKey). */
  setPassword(password: string | Uint8Array): void {
    this.password = password;
  }

  get connected(): boolean {
    return this.rpc?.isOpen ?? false;
  }

  handle<A extends keyof In & string>(action: A, handler: Handler<In[A][0], In[A][1]>): void {
    this.handlers.set(action, handler as AnyHandler);
    this.rpc?.handle(action, handler);
  }

  call<A extends keyof Out & string>(
    action: A,
    payload: Out[A][0],
    options?: { timeoutMs?: number },
  ): Promise<Out[A][1]> {
    if (!this.rpc) return Promise.reject(new ConnectionClosedError('not connected'));
    return this.rpc.call(action, payload, options);
  }

  /** Sends text as-is, bypassing validation: for fault simulation. */
  sendRaw(text: string): void {
    this.rpc?.sendRaw(text);
  }

  /** Opens the connection; resolves on the first open, rejects if the first attempt fails. */
  connect(): Promise<void> {
    this.stopped = false;
    return new Promise((resolve, reject) => {
      const onOpen = (): void => {
        this.off('error', onError);
        resolve();
      };
      const onError = (err: Error): void => {
        this.off('open', onOpen);
        reject(err);
      };
      this.once('open', onOpen);
      this.once('error', onError);
      this.open();
    });
  }

  /** Closes for good (no reconnect). */
  close(code = 1000, reason = ''): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connecting?.terminate();
    this.connecting = null;
    this.rpc?.close(code, reason);
  }

  /**
   * Drops the link as a lost network would (no closing handshake). With `reconnect` false it
   * stays down until connect() is called again.
   */
  drop(reconnect = true): void {
    this.stopped = !reconnect;
    this.rpc?.terminate('dropped by the charge point');
  }

  private open(): void {
    const { url, id } = this.options;
    const target = `${url.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
    const headers: Record<string, string> = {};
    if (this.password !== undefined) {
      const credentials = Buffer.concat([Buffer.from(`${id}:`), Buffer.from(this.password)]);
      headers['Authorization'] = `Basic ${credentials.toString('base64')}`;
    }
    const ws = new WebSocket(target, [this.dialect.protocol], { ...this.options.wsOptions, headers: { ...this.options.wsOptions?.headers, ...headers } });
    this.connecting = ws;
    let opened = false;
    let failed = false;
    // ws reports one failed attempt through several events; handle the first only.
    const fail = (err: Error): void => {
      if (opened || failed) return;
      failed = true;
      if (this.connecting === ws) this.connecting = null;
      if (this.listenerCount('error') > 0) this.emit('error', err);
      this.scheduleReconnect();
    };
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        this.emit('refused', status, body.trim());
        fail(new Error(`Central System refused the connection: ${status} ${body.trim()}`));
        ws.terminate();
      });
    });
    ws.on('error', fail);
    ws.on('open', () => {
      opened = true;
      if (this.connecting === ws) this.connecting = null;
      // Closed while this attempt was under way: a charge point told to stop stays stopped.
      if (this.stopped) {
        ws.close(1000, 'closed before it opened');
        return;
      }
      this.attempt = 0;
      const rpc = new RpcConnection<Out, In>(ws, {
        dialect: this.dialect,
        role: 'cp',
        pingIntervalMs: this.options.pingIntervalMs ?? 0,
        validateOutgoing: this.options.validateOutgoing ?? true,
        ...(this.options.callTimeoutMs !== undefined && { callTimeoutMs: this.options.callTimeoutMs }),
      });
      const untyped = rpc as unknown as RpcConnection;
      for (const [action, handler] of this.handlers) untyped.handle(action, handler);
      rpc.on('frame', (direction, text, at) => this.emit('frame', direction, text, at));
      rpc.on('problem', (p) => this.emit('problem', p));
      rpc.on('close', (code, reason) => {
        if (this.rpc === rpc) this.rpc = null;
        this.emit('close', code, reason);
        this.scheduleReconnect();
      });
      this.rpc = rpc;
      this.emit('open');
    });
  }

  private scheduleReconnect(): void {
    const policy = this.options.reconnect === undefined ? { minDelayMs: 1000, maxDelayMs: 30_000 } : this.options.reconnect;
    if (this.stopped || !policy || this.retryTimer) return;
    const delay = backoffDelay(this.attempt, policy.minDelayMs, policy.maxDelayMs);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, delay);
    this.retryTimer.unref();
  }
}
