import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
import { ocpp201 } from '../ocpp/ocpp201.js';
import { type ChargePointAuthenticator, type ChargePointAuthLimits, chargePointAuthenticator, passwordCheckQueue } from './auth/charge-point-auth.js';
import { ensureFirstInstaller, type LocalCredentials } from './auth/installer-account.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { RefusalLog } from './auth/refusals.js';
import { TokenService } from './auth/tokens.js';
import { CommissioningEngine } from './engine/engine.js';
import { ChargerDiagnostics, DEFAULT_DIAGNOSTICS_SETTINGS, type DiagnosticsSettings } from './engine/charger-diagnostics.js';
import { DEFAULT_FIRMWARE_SETTINGS, type FirmwareSettings, FirmwareUpdates } from './engine/firmware.js';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from './engine/settings.js';
import { TemplateCatalog } from './engine/templates.js';
import { apiServer, DEFAULT_API_LIMITS } from './http/api-server.js';
import { createRequestHandler, type Handlers } from './http/app.js';
import { IdClashLog } from './id-clashes.js';
import { SiteFiles } from './files/site-files.js';
import type { FileServerLimits } from './files/file-server.js';
import { LineDigest } from './line-digest.js';
import { ocppConnectionCap } from './open-files.js';
import { routeHandlers } from './routes/index.js';
import { Store } from './store/store.js';

export interface LocalServerOptions {
  dataDir: string;
  /** A dynamo command as this server's operator types it (with its --data-dir), for next steps in its lines. */
  command?: (args: string) => string;
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
  firmware?: Partial<FirmwareSettings>;
  diagnostics?: Partial<DiagnosticsSettings>;
  /** Heartbeat interval given to charge points in the BootNotification answer. */
  heartbeatIntervalS?: number;
  tokenTtlS?: number;
  /** What unauthenticated work may cost (the defaults are the README's numbers; tests lower them). */
  limits?: { upgrades?: Partial<UpgradeLimits>; chargePointAuth?: Partial<ChargePointAuthLimits>; files?: Partial<FileServerLimits> };
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
    readonly files: SiteFiles,
    readonly firmware: FirmwareUpdates,
    readonly chargerDiagnostics: ChargerDiagnostics,
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
    const waitsUntilConfigured = (id: string): boolean => {
      if (!options.pendingUntilConfigured) return false;
      const record = store.chargePoints.get(id);
      return !!record && !record.configuredAt && !record.commissionedAt;
    };
    // A bug a request can reach could be reached a thousand times a second: digested like the rest.
    const internalErrors = new LineDigest(log, 'internal errors');
    let ocppPort = 0;
    const files = new SiteFiles(
      dataDir,
      { scheme: options.tls ? 'https' : 'http', port: () => ocppPort, fallbackHost: urlHost(options.ocppPort === undefined ? (options.apiHost ?? '127.0.0.1') : (options.ocppHost ?? '0.0.0.0')) },
      options.limits?.files,
      (err) => internalErrors.record('files', `internal error in the file server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    );
    const csms = new CsmsServer({
      limits: upgradeLimits,
      requests: files.handle,
      ...(options.open
        ? { open: true }
        : { authenticate: chargePointAuth.authenticate }),
      ...(options.callTimeoutMs !== undefined && { callTimeoutMs: options.callTimeoutMs }),
      ...(options.pingIntervalMs !== undefined && { pingIntervalMs: options.pingIntervalMs }),
      policy: {
        heartbeatIntervalS: options.heartbeatIntervalS ?? 300,
        // A station new to this site waits, Pending, until the engine has configured it.
        registration: (id) => (waitsUntilConfigured(id) ? 'Pending' : 'Accepted'),
        registrationOnConnect: (id) => (waitsUntilConfigured(id) ? 'Pending' : null),
        nextTransactionId: store.counters.allocator('ocpp-transaction-id', TRANSACTION_ID_BLOCK, Math.floor(Date.now() / 1000) - 1_700_000_000),
      },
    });
    // Compiled at start, not on the first charge point of each version to connect.
    for (const dialect of [ocpp16, ocpp201]) preloadSchemas(dialect);
    const settings: EngineSettings = {
      ...DEFAULT_ENGINE_SETTINGS,
      ...options.engine,
      stepTimeoutsS: { ...DEFAULT_ENGINE_SETTINGS.stepTimeoutsS, ...options.engine?.stepTimeoutsS },
    };
    const firmware = new FirmwareUpdates(store, csms, files, { ...DEFAULT_FIRMWARE_SETTINGS, ...options.firmware }, log);
    const engine = new CommissioningEngine(store, csms, templates, settings, log, (id) => firmware.underWay(id));
    firmware.recoverInterrupted();
    firmware.pruneImages(true);
    const chargerDiagnostics = new ChargerDiagnostics(store, csms, files, { ...DEFAULT_DIAGNOSTICS_SETTINGS, ...options.diagnostics });
    chargerDiagnostics.recoverInterrupted();
    const refusals = new RefusalLog(log, () => store.chargePoints.ids(), {}, options.command);
    csms.on('refused', (refusal) => refusals.record(refusal));
    const clashes = new IdClashLog(log);
    csms.on('connected', (cp) => {
      refusals.connected(cp.id);
      clashes.connected(cp.id, cp.remoteAddress);
    });
    csms.on('disconnected', (cp, _code, reason) => {
      if (reason.startsWith('replaced')) clashes.replaced(cp.id, cp.remoteAddress);
    });
    const recovered = engine.recoverInterrupted();
    if (recovered > 0) log(`${recovered} session(s) interrupted by the last shutdown were marked failed`);

    const handlers: Handlers = routeHandlers({
      store,
      engine,
      firmware,
      chargerDiagnostics,
      tokens,
      templates,
      csms,
      loginLimiter: new LoginLimiter(passwordChecks),
      refusals,
      clashes,
      chargePointAuth: options.open ? null : chargePointAuth,
      referencePrefix: options.hosted ? 'DYN' : 'LOC',
      receivesSync: options.hosted === true,
      version: packageVersion(),
    });
    const handler = createRequestHandler(handlers, tokens, (err, req) =>
      internalErrors.record('API', `internal error on ${req.method} ${clip(req.url ?? '', 200)}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    );
    // On a shared port the chargers fetch their files from the API's server (never its Unix socket).
    const tcpHandler = options.ocppPort === undefined ? (req: IncomingMessage, res: ServerResponse) => void (files.handle(req, res) || handler(req, res)) : handler;
    const api = apiServer(tcpHandler, 'tcp', options.ocppPort === undefined ? { ...DEFAULT_API_LIMITS, maxConnections: upgradeLimits.maxConnections } : DEFAULT_API_LIMITS);
    const socketApi = options.apiSocket ? apiServer(handler, 'unix') : null;
    const apiHost = options.apiHost ?? '127.0.0.1';
    const ocppHost = options.ocppHost ?? '0.0.0.0';
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
    return new LocalServer(dataDir, store, csms, engine, templates, api, socketApi, apiUrl, ocppUrl, ocppPort, createdCredentials, recovered, chargePointAuth, refusals, internalErrors, files, firmware, chargerDiagnostics);
  }

  /** Shuts down: running sessions fail with a reason, charge points get 1001, the store is closed. */
  async stop(): Promise<void> {
    await this.engine.shutdown('The local server was shut down during this session');
    this.firmware.shutdown();
    this.chargerDiagnostics.shutdown();
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
