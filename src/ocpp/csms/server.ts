import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { listen } from '../../common/listen.js';
import { sourceOf } from '../../common/source-address.js';
import type { Dialect } from '../dialect.js';
import { describeError, emitGuarded } from '../guarded-emit.js';
import { ocpp16, type CpCalls16, type CsmsCalls16 } from '../ocpp16.js';
import { ocpp201, type CsCalls201, type CsmsCalls201 } from '../ocpp201.js';
import { type CallMap, type FrameDirection, RpcConnection, type ProtocolProblem } from '../rpc.js';
import { type AnyChargePoint, ChargePoint16, ChargePointConnection, Station201 } from './charge-point.js';
import { installHandlers16 } from './handlers16.js';
import { installHandlers201 } from './handlers201.js';
import { type CentralSystemPolicy, DEFAULT_POLICY } from './policy.js';
import { PendingHandshakes } from './handshakes.js';
import { ChargePointRegistry, type ChargePointState, type StationIdentity } from './registry.js';

/**
 * The answer to a connection attempt: true lets it in; false refuses it with 401; a refusal
 * object says why (for the operator, never sent to the peer) and with which status: 401 for a
 * bad credential, 429 for a source that failed too often, 503 when checks are saturated.
 */
export type AuthVerdict = boolean | { accepted: false; status: 401 | 429 | 503; reason: string; retryAfterS?: number };

/**
 * The password comes as the bytes the charge point sent: a Basic-auth password need not be
 * UTF-8. `source` is the peer's address as limits count it (loopback is one source).
 */
export type Authenticate = (chargePointId: string, password: Buffer, source: string) => AuthVerdict | Promise<AuthVerdict>;

/** What a connection attempt may cost before it is authenticated, in numbers (README, Security). */
export interface UpgradeLimits {
  /** The upgrade request's headers must arrive within this (half-open and slowloris sockets). */
  headersTimeoutMs: number;
  /** Authentication must finish within this, waiting for its turn included. */
  authTimeoutMs: number;
  /** Sockets of one source that have connected but not yet upgraded. */
  maxPendingPerSource: number;
  /** Sockets in all on the OCPP port. */
  maxConnections: number;
}

export const DEFAULT_UPGRADE_LIMITS: UpgradeLimits = {
  headersTimeoutMs: 10_000,
  authTimeoutMs: 60_000,
  // Generous: a depot's chargers may reach the laptop through one NAT address, all at once
  // after a power cut.
  maxPendingPerSource: 1024,
  maxConnections: 10_000,
};

export interface CsmsServerOptions {
  /**
   * Security profile 1: checks a charge point's Basic-auth password. Required unless `open`.
   * Called for every connection attempt, so it should be cheap after the first success.
   */
  authenticate?: Authenticate;
  /** Accept any charge point without credentials: only when the operator asks for it. */
  open?: boolean;
  /**
   * Subprotocols we speak (default: OCPP 1.6 and 2.0.1). A station offering several gets the
   * first of its own list that we speak: its order is its preference (OCPP-J Part 4 §3.1.3).
   */
  dialects?: Dialect[];
  /** Path prefix charge points connect under; the identity is the last segment. */
  pathPrefix?: string;
  callTimeoutMs?: number;
  pingIntervalMs?: number;
  /** Largest frame accepted; a larger one closes the connection with 1009. */
  maxPayloadBytes?: number;
  /**
   * Unsent answers allowed to pile up for a peer that does not read them (it floods CALLs and
   * never reads); past this the connection is closed with 1008.
   */
  maxBufferedBytes?: number;
  maxQueuedCalls?: number;
  policy?: Partial<CentralSystemPolicy>;
  limits?: Partial<UpgradeLimits>;
  /**
   * Plain HTTP requests on the OCPP port (a file server for the chargers) are offered here first;
   * true means answered, false leaves them the 426. Such a handler bounds its own requests' time:
   * the port's whole-request limit would cut an upload short.
   */
  requests?: (req: IncomingMessage, res: import('node:http').ServerResponse) => boolean;
}

export interface CsmsEvents {
  connected: [cp: AnyChargePoint];
  /** A BootNotification answered (Accepted, or Pending while the station is configured). */
  booted: [cp: AnyChargePoint, boot: StationIdentity];
  disconnected: [cp: AnyChargePoint, code: number, reason: string];
  /** Every incoming CALL answered with a CALLRESULT. */
  call: [cp: AnyChargePoint, action: string, request: unknown, response: unknown];
  frame: [chargePointId: string, direction: FrameDirection, text: string, at: number];
  problem: [chargePointId: string, problem: ProtocolProblem];
  /** A connection attempt refused before the WebSocket opened. */
  refused: [info: { chargePointId: string | null; status: number; reason: string; remoteAddress: string | null }];
}

/** OCPP identities are CiString48: printable ASCII, at most 48 characters. */
const IDENTITY = /^[\x20-\x7e]{1,48}$/;

export class CsmsServer extends EventEmitter<CsmsEvents> {
  readonly registry = new ChargePointRegistry();
  private readonly connections = new Map<string, AnyChargePoint>();
  private readonly wss: WebSocketServer;
  private readonly dialects: Dialect[];
  private readonly prefix: string;
  private readonly policy: CentralSystemPolicy;
  private readonly limits: UpgradeLimits;
  private readonly handshakes: PendingHandshakes;
  private httpServer: Server | null = null;

  constructor(private readonly options: CsmsServerOptions) {
    super();
    if (!options.open && !options.authenticate) {
      throw new Error('CsmsServer needs authenticate() unless it is explicitly open');
    }
    this.dialects = options.dialects ?? [ocpp16, ocpp201];
    this.prefix = options.pathPrefix ?? '/ocpp/';
    this.limits = { ...DEFAULT_UPGRADE_LIMITS, ...options.limits };
    this.handshakes = new PendingHandshakes(this.limits.maxPendingPerSource, this.limits.headersTimeoutMs);
    this.policy = { ...DEFAULT_POLICY, ...options.policy };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes ?? 1024 * 1024,
      clientTracking: false,
      // The subprotocol was already chosen in handleUpgrade; this only echoes it.
      handleProtocols: (offered) => this.chooseDialect([...offered])?.protocol ?? false,
    });
  }

  get isOpenMode(): boolean {
    return this.options.open === true;
  }

  /** The live connection of a charge point, if it is connected. */
  chargePoint(id: string): AnyChargePoint | undefined {
    return this.connections.get(id);
  }

  /** The live connection of a charge point that speaks OCPP 1.6, if it does. */
  chargePoint16(id: string): ChargePoint16 | undefined {
    const cp = this.connections.get(id);
    return cp instanceof ChargePoint16 ? cp : undefined;
  }

  /** The live connection of a station that speaks OCPP 2.0.1, if it does. */
  station201(id: string): Station201 | undefined {
    const cp = this.connections.get(id);
    return cp instanceof Station201 ? cp : undefined;
  }

  connectedIds(): string[] {
    return [...this.connections.keys()];
  }

  state(id: string): ChargePointState | undefined {
    return this.registry.get(id);
  }

  /**
   * Listens on its own server (OCPP on its own port). With `tls` (certificate and key in PEM)
   * charge points connect with wss://: security profile 2 when Basic auth is on too.
   */
  async listen(port: number, host = '0.0.0.0', tls?: { cert: string | Buffer; key: string | Buffer }): Promise<AddressInfo> {
    const requests = this.options.requests;
    const refuse = (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
      // A plain request is not a handshake under way: it is answered, and its socket closed.
      this.handshakes.settled(req.socket);
      if (requests?.(req, res)) return;
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close' });
      res.end('OCPP-J: connect with a WebSocket to /ocpp/<chargePointId>\n');
    };
    const { headersTimeoutMs, maxConnections } = this.limits;
    // Timeouts are checked every connectionsCheckingInterval (30 s by default): far too slow to
    // end a flood of half-open sockets.
    const http = { headersTimeout: headersTimeoutMs, requestTimeout: requests ? 0 : headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, headersTimeoutMs) };
    const server = tls
      ? createHttpsServer({ ...http, cert: tls.cert, key: tls.key, handshakeTimeout: headersTimeoutMs }, refuse)
      : createServer(http, refuse);
    server.maxConnections = maxConnections;
    server.on('connection', (socket: Socket) => {
      if (this.handshakes.admit(socket)) return;
      socket.destroy();
      this.notify('refused', { chargePointId: null, status: 503, reason: `more than ${this.limits.maxPendingPerSource} connections from this address are still handshaking`, remoteAddress: socket.remoteAddress ?? null });
    });
    this.attach(server);
    this.httpServer = server;
    return listen(server, port, host);
  }

  /** Serves OCPP upgrades on an existing HTTP server (shared port). */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.handleUpgrade(req, socket, head).catch((err: unknown) => {
        socket.destroy();
        this.notify('refused', { chargePointId: null, status: 500, reason: `internal error: ${describeError(err)}`, remoteAddress: req.socket.remoteAddress ?? null });
      });
    });
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    this.handshakes.requestIn(req.socket);
    const remoteAddress = req.socket.remoteAddress ?? null;
    // `reason` is for the operator; the peer gets `told` (no more than it needs to know).
    const refuse = (status: number, reason: string, chargePointId: string | null, headers: string[] = [], told = reason): void => {
      this.handshakes.settled(req.socket);
      this.notify('refused', { chargePointId, status, reason, remoteAddress });
      writeRefusal(socket, status, told, headers);
    };
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (!pathname.startsWith(this.prefix)) {
      refuse(404, `OCPP endpoint is ${this.prefix}<chargePointId>`, null);
      return;
    }
    const segment = pathname.slice(this.prefix.length).split('/').pop() ?? '';
    let id: string;
    try {
      id = decodeURIComponent(segment);
    } catch {
      refuse(400, 'charge point id is not valid percent-encoding', null);
      return;
    }
    if (!IDENTITY.test(id)) {
      refuse(400, 'charge point id must be 1-48 printable ASCII characters', null);
      return;
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const dialect = this.chooseDialect(offered);
    if (!dialect) {
      const speak = this.dialects.map((d) => d.protocol).join(', ');
      refuse(400, `no supported OCPP subprotocol offered (offered: ${offered.join(', ') || 'none'}; we speak ${speak})`, id);
      return;
    }
    if (!this.options.open) {
      const credentials = parseBasicAuth(req.headers.authorization);
      const challenge = ['WWW-Authenticate: Basic realm="OCPP", charset="UTF-8"'];
      if (!credentials) {
        refuse(401, 'Basic authentication required', id, challenge);
        return;
      }
      if (credentials.user !== id) {
        refuse(401, 'Basic auth user does not match the charge point id', id, challenge);
        return;
      }
      const verdict = await this.verdict(id, credentials.password, sourceOf(remoteAddress));
      if (verdict !== true) {
        const refusal = verdict === false ? { status: 401 as const, reason: 'unknown charge point or wrong password' } : verdict;
        const headers = refusal.status === 401 ? challenge : refusal.retryAfterS ? [`Retry-After: ${refusal.retryAfterS}`] : [];
        const told = refusal.status === 401 ? 'unknown charge point or wrong password' : refusal.status === 429 ? 'too many failed attempts; try again later' : 'busy; try again shortly';
        refuse(refusal.status, refusal.reason, id, headers, told);
        return;
      }
      if (socket.destroyed) {
        this.handshakes.settled(req.socket);
        return;
      }
    }
    this.handshakes.settled(req.socket);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, id, dialect, remoteAddress, req.socket.localAddress ?? null));
  }

  /** The authenticator's answer, within the auth time limit; its failure is a refusal, not a crash. */
  private async verdict(id: string, password: Buffer, source: string): Promise<AuthVerdict> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<AuthVerdict>((resolve) => {
      timer = setTimeout(() => resolve({ accepted: false, status: 503, reason: `authentication took longer than ${this.limits.authTimeoutMs / 1000} s`, retryAfterS: 10 }), this.limits.authTimeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(() => this.options.authenticate!(id, password, source)), late]);
    } catch (err) {
      return { accepted: false, status: 503, reason: `authentication failed: ${describeError(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  private chooseDialect(offered: string[]): Dialect | undefined {
    for (const protocol of offered) {
      const dialect = this.dialects.find((d) => d.protocol === protocol);
      if (dialect) return dialect;
    }
    return undefined;
  }

  private accept(ws: WebSocket, id: string, dialect: Dialect, remoteAddress: string | null, localAddress: string | null): void {
    const previous = this.connections.get(id);
    if (previous) {
      // Same id again: the charge point rebooted or lost its link without us noticing. The new
      // socket wins; calls pending on the old one are rejected by its shutdown.
      this.connections.delete(id);
      previous.close(1000, 'replaced by a new connection of the same charge point');
      this.registry.disconnected(id);
      this.notify('disconnected', previous, 1000, 'replaced by a new connection');
    }
    const rpcOptions = {
      dialect,
      role: 'csms' as const,
      ...(this.options.callTimeoutMs !== undefined && { callTimeoutMs: this.options.callTimeoutMs }),
      ...(this.options.pingIntervalMs !== undefined && { pingIntervalMs: this.options.pingIntervalMs }),
      ...(this.options.maxQueuedCalls !== undefined && { maxQueuedCalls: this.options.maxQueuedCalls }),
      ...(this.options.maxBufferedBytes !== undefined && { maxBufferedBytes: this.options.maxBufferedBytes }),
    };
    const rpc = new RpcConnection<CallMap, CallMap>(ws, rpcOptions);
    const state = this.registry.connected(id, dialect.protocol, remoteAddress, this.policy.registrationOnConnect(id));
    const connectedAt = state.connectedAt ?? new Date();
    const station = { state, policy: this.policy, registry: this.registry, onProblem: (message: string): void => this.notify('problem', id, { message, text: '' }) };
    let cp: AnyChargePoint;
    if (dialect.protocol === ocpp201.protocol) {
      const typed = rpc as unknown as RpcConnection<CsmsCalls201, CsCalls201>;
      cp = new Station201(id, typed as unknown as RpcConnection<CsmsCalls201, CallMap>, remoteAddress, connectedAt, localAddress);
      installHandlers201(typed, station);
    } else {
      const typed = rpc as unknown as RpcConnection<CsmsCalls16, CpCalls16>;
      cp = new ChargePoint16(id, typed as unknown as RpcConnection<CsmsCalls16, CallMap>, remoteAddress, connectedAt, localAddress);
      installHandlers16(typed, station);
    }
    this.connections.set(id, cp);

    ws.on('pong', () => {
      state.lastSeenMs = Date.now();
    });
    rpc.on('frame', (direction, text, at) => {
      if (direction === 'in') state.lastSeenMs = at;
      if (this.listenerCount('frame') > 0) this.notify('frame', id, direction, text, at);
    });
    rpc.on('problem', (problem) => this.notify('problem', id, problem));
    rpc.on('handled', (action, request, response) => {
      this.notify('call', cp, action, request, response);
      if (action === 'BootNotification' && state.boot) this.notify('booted', cp, state.boot);
    });
    rpc.on('close', (code, reason) => {
      if (this.connections.get(id) !== cp) return;
      this.connections.delete(id);
      this.registry.disconnected(id);
      this.notify('disconnected', cp, code, reason);
      this.registry.forget(id);
    });
    this.notify('connected', cp);
  }

  /** Emits to listeners that may throw (the engine, a logger): a throw becomes a problem, never a crash. */
  private notify<E extends keyof CsmsEvents & string>(event: E, ...args: CsmsEvents[E]): void {
    emitGuarded(this, (err) => {
      const subject = args[0];
      const id = subject instanceof ChargePointConnection ? subject.id : typeof subject === 'string' ? subject : '-';
      // A 'problem' listener that throws as well is left unheard: there is no one else to tell.
      emitGuarded(this, () => undefined, 'problem', id, { message: `internal error in a ${event} listener: ${describeError(err)}`, text: '' });
    }, event, ...args);
  }


  /** Sockets that have connected but not yet upgraded or been refused. */
  get handshaking(): number {
    return this.handshakes.total;
  }

  /** Closes every charge point with 1001 (dropping any that does not finish the close in 2 s), then stops listening. */
  async close(): Promise<void> {
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(open.map((cp) => cp.rpc.closeWithin(1001, 'Central System shutting down', 2000)));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    const server = this.httpServer;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

function parseBasicAuth(header: string | undefined): { user: string; password: Buffer } | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon < 0) return null;
  return { user: decoded.subarray(0, colon).toString('utf8'), password: decoded.subarray(colon + 1) };
}

function writeRefusal(socket: Duplex, status: number, reason: string, headers: string[]): void {
  if (socket.destroyed) return;
  const body = `${reason}\n`;
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Connection: close',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...headers,
      '',
      body,
    ].join('\r\n'),
  );
}
