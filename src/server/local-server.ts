import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clip } from '../common/clip.js';
import { listen, listenOnSocket } from '../common/listen.js';
import { packageVersion } from '../common/package-info.js';
import { ensurePrivateDir } from '../common/private-files.js';
import { CsmsServer, DEFAULT_UPGRADE_LIMITS, type UpgradeLimits } from '../ocpp/csms/server.js';
import { preloadSchemas } from '../ocpp/rpc.js';
import { ocpp16 } from '../ocpp/ocpp16.js';
import { type ChargePointAuthenticator, type ChargePointAuthLimits, chargePointAuthenticator, passwordCheckQueue } from './auth/charge-point-auth.js';
import { ensureFirstInstaller, type LocalCredentials } from './auth/installer-account.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { RefusalLog } from './auth/refusals.js';
import { TokenService } from './auth/tokens.js';
import { CommissioningEngine } from './engine/engine.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from './engine/settings.js';
import { TemplateCatalog } from './engine/templates.js';
import { apiServer, DEFAULT_API_LIMITS } from './http/api-server.js';
import { createRequestHandler, type Handlers } from './http/app.js';
import { LineDigest } from './line-digest.js';
import { ocppConnectionCap } from './open-files.js';
import { routeHandlers } from './routes/index.js';
import { Store } from './store/store.js';

export interface LocalServerOptions {
  dataDir: string;
  /** Address of the installer API; 127.0.0.1 keeps it to this laptop. */
  apiHost?: string;
  /** API port; 0 picks a free one. */
  port?: number;
  /**
   * The installer API on a Unix socket as well (mode 0600, in the 0700 data directory): how the
   * CLI on this laptop reaches its own server without trusting whoever holds the TCP port.
   */
  apiSocket?: string;
  /** Address charge points connect to; 0.0.0.0 so the site LAN reaches it. */
  ocppHost?: string;
  /** A separate OCPP port; without it OCPP shares the API's server under /ocpp/. */
  ocppPort?: number;
  /** Certificate and key (PEM) for wss:// on the OCPP port: security profile 2. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Accept any charge point without a password (the operator's explicit choice). */
  open?: boolean;
  /**
   * Act as the hosted API (a sync target in tests and benchmarks): DYN- references, no outbox,
   * and the sync routes, which a site server does not have.
   */
  hosted?: boolean;
  templatesDirs?: string[];
  engine?: Partial<EngineSettings>;
  /** Heartbeat interval given to charge points in the BootNotification answer. */
  heartbeatIntervalS?: number;
  tokenTtlS?: number;
  /** What unauthenticated work may cost (the defaults are the README's numbers; tests lower them). */
  limits?: { upgrades?: Partial<UpgradeLimits>; chargePointAuth?: Partial<ChargePointAuthLimits> };
  callTimeoutMs?: number;
  pingIntervalMs?: number;
  log?: (line: string) => void;
  /**
   * Answers a new station's first BootNotification with Pending, configures it with its
   * template, then registers it (B02). Off by default.
   */
  pendingUntilConfigured?: boolean;
}

/** OCPP transaction ids reserved per durable write (see Counters.allocator). */
export const TRANSACTION_ID_BLOCK = 1000;

/** The shipped templates folder, next to dist/ and src/ alike. */
export const SHIPPED_TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

const urlHost = (host: string): string => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);

/**
 * The embedded mini-CSMS: SQLite store, OCPP server, commissioning engine and the installer
 * HTTP API, the same routes as the hosted API.
 */
export class LocalServer {
  private constructor(
    readonly dataDir: string,
    readonly store: Store,
    readonly csms: CsmsServer,
    readonly engine: CommissioningEngine,
    readonly templates: TemplateCatalog,
    private readonly api: Server,
    private readonly socketApi: Server | null,
    readonly apiUrl: string,
    readonly ocppUrl: string,
    readonly ocppPort: number,
    /** The first installer's credentials, when this start created them. */
    readonly createdCredentials: LocalCredentials | null,
    readonly recoveredSessions: number,
    readonly chargePointAuth: ChargePointAuthenticator,
    readonly refusals: RefusalLog,
    private readonly internalErrors: LineDigest,
  ) {}

  static async start(options: LocalServerOptions): Promise<LocalServer> {
    const log = options.log ?? (() => undefined);
    const dataDir = options.dataDir;
    ensurePrivateDir(dataDir);
    ensurePrivateDir(join(dataDir, 'templates'));
    const store = Store.open(dataDir, { outbox: !options.hosted });
    const tokens = await TokenService.open(dataDir, options.hosted ? 'dynamo-hosted' : 'dynamo-local', options.tokenTtlS ?? 12 * 3600);
    const createdCredentials = await ensureFirstInstaller(store, dataDir);
    const templates = new TemplateCatalog(options.templatesDirs ?? [SHIPPED_TEMPLATES, join(dataDir, 'templates')], (p) =>
      log(`template ${p.file} left out: ${p.message}`),
    );
    const passwordChecks = passwordCheckQueue(options.limits?.chargePointAuth);
    const chargePointAuth = chargePointAuthenticator(
      store,
      (id) => log(`${id} connected with the new password the template gave it; the old one no longer works`),
      options.limits?.chargePointAuth,
      passwordChecks,
    );
    const upgradeLimits = { maxConnections: ocppConnectionCap(DEFAULT_UPGRADE_LIMITS.maxConnections), ...options.limits?.upgrades };
    const csms = new CsmsServer({
      limits: upgradeLimits,
      ...(options.open
        ? { open: true }
        : { authenticate: chargePointAuth.authenticate }),
      ...(options.callTimeoutMs !== undefined && { callTimeoutMs: options.callTimeoutMs }),
      ...(options.pingIntervalMs !== undefined && { pingIntervalMs: options.pingIntervalMs }),
      policy: {
        heartbeatIntervalS: options.heartbeatIntervalS ?? 300,
        // A station new to this site waits, Pending, until the engine has configured it.
        registration: (id) => {
          if (!options.pendingUntilConfigured) return 'Accepted';
          const record = store.chargePoints.get(id);
          return record && !record.configuredAt && !record.commissionedAt ? 'Pending' : 'Accepted';
        },
        nextTransactionId: store.counters.allocator('ocpp-transaction-id', TRANSACTION_ID_BLOCK, Math.floor(Date.now() / 1000) - 1_700_000_000),
      },
    });
    preloadSchemas(ocpp16);
    const settings: EngineSettings = {
      ...DEFAULT_ENGINE_SETTINGS,
      ...options.engine,
      stepTimeoutsS: { ...DEFAULT_ENGINE_SETTINGS.stepTimeoutsS, ...options.engine?.stepTimeoutsS },
    };
    const engine = new CommissioningEngine(store, csms, templates, settings, log);
    const refusals = new RefusalLog(log, () => store.chargePoints.ids());
    csms.on('refused', (refusal) => refusals.record(refusal));
    csms.on('connected', (cp) => refusals.connected(cp.id));
    const recovered = engine.recoverInterrupted();
    if (recovered > 0) log(`${recovered} session(s) interrupted by the last shutdown were marked failed`);

    const handlers: Handlers = routeHandlers({
      store,
      engine,
      tokens,
      templates,
      csms,
      loginLimiter: new LoginLimiter(passwordChecks),
      refusals,
      chargePointAuth: options.open ? null : chargePointAuth,
      referencePrefix: options.hosted ? 'DYN' : 'LOC',
      receivesSync: options.hosted === true,
      version: packageVersion(),
    });
    // A bug a request can reach could be reached a thousand times a second: digested like the rest.
    const internalErrors = new LineDigest(log, 'internal errors');
    const handler = createRequestHandler(handlers, tokens, (err, req) =>
      internalErrors.record('API', `internal error on ${req.method} ${clip(req.url ?? '', 200)}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    );
    const api = apiServer(handler, 'tcp', options.ocppPort === undefined ? { ...DEFAULT_API_LIMITS, maxConnections: upgradeLimits.maxConnections } : DEFAULT_API_LIMITS);
    const socketApi = options.apiSocket ? apiServer(handler, 'unix') : null;
    const apiHost = options.apiHost ?? '127.0.0.1';
    const ocppHost = options.ocppHost ?? '0.0.0.0';
    let ocppPort: number;
    let apiAddress: AddressInfo;
    try {
      if (options.tls && options.ocppPort === undefined) throw new Error('wss:// needs its own OCPP port (ocppPort)');
      if (socketApi && options.apiSocket) await listenOnSocket(socketApi, options.apiSocket);
      if (options.ocppPort === undefined) {
        csms.attach(api);
        apiAddress = await listen(api, options.port ?? 0, apiHost);
        ocppPort = apiAddress.port;
      } else {
        apiAddress = await listen(api, options.port ?? 0, apiHost);
        ocppPort = (await csms.listen(options.ocppPort, ocppHost, options.tls)).port;
      }
    } catch (err) {
      api.close();
      socketApi?.close();
      await csms.close();
      refusals.stop();
      internalErrors.stop();
      await store.close();
      throw err;
    }
    const apiUrl = `http://${urlHost(apiHost)}:${apiAddress.port}`;
    const ocppUrl = `${options.tls ? 'wss' : 'ws'}://${urlHost(options.ocppPort === undefined ? apiHost : ocppHost)}:${ocppPort}/ocpp`;
    return new LocalServer(dataDir, store, csms, engine, templates, api, socketApi, apiUrl, ocppUrl, ocppPort, createdCredentials, recovered, chargePointAuth, refusals, internalErrors);
  }

  /** Shuts down: running sessions fail with a reason, charge points get 1001, the store is closed. */
  async stop(): Promise<void> {
    await this.engine.shutdown('The local server was shut down during this session');
    // Charge points first: on a shared port their sockets would hold the API server's close.
    await this.csms.close();
    // Closing the socket's server removes its file too.
    for (const server of [this.api, this.socketApi]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.refusals.stop();
    this.internalErrors.stop();
    await this.store.close();
  }
}
