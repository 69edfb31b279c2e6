import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import { LocalServer, type LocalServerOptions } from '../../src/server/local-server.js';
import { createStation, SIM_OCPP_VERSIONS, type SimOcppVersion, type StationSpec } from '../../src/sim/create.js';
import { SimulatedChargePoint, type SimOptions } from '../../src/sim/simulator.js';
import type { SimulatedStation } from '../../src/sim/station.js';
import { filesOutsideSecretHomes, secretLeaks } from './secrets.js';

export interface TestServer {
  server: LocalServer;
  client: ApiClient;
  dataDir: string;
  token: string;
  lines: string[];
  /** Registers a charge point and returns its generated password. */
  addChargePoint(id: string): Promise<string>;
  /** Registers a charge point and starts a 1.6 simulator for it; resolves once booted. */
  simulator(id: string, options?: Partial<SimOptions>): Promise<SimulatedChargePoint>;
  /** The same for either OCPP version: for tests that run once per version. */
  station(id: string, ocpp: SimOcppVersion, options?: Partial<Omit<StationSpec, 'ocpp' | 'url' | 'id'>>, wait?: { boot: boolean }): Promise<SimulatedStation>;
  /** Stops the server; the data directory stays for a restart unless `remove`. */
  stop(remove?: boolean): Promise<void>;
}

/** Engine timings short enough for tests; every other behaviour as shipped. */
export const FAST_ENGINE: LocalServerOptions['engine'] = {
  testTransaction: { duration_seconds: 1 },
  reconnectGraceS: 5,
  triggerWaitMs: 2000,
  passwordSwitchWaitMs: 2000,
};

/** Simulators that come back and reboot quickly. */
const QUICK_SIM = { reconnect: { minDelayMs: 50, maxDelayMs: 200 }, rebootDelayMs: 100 };

/** Both OCPP versions, for `describe.each` / `test.each`. */
export const OCPP_VERSIONS = SIM_OCPP_VERSIONS;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dynamo-test-'));
}

/** A local server on loopback port 0 with a temporary data directory, logged in. */
export async function startServer(options: Partial<LocalServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const lines: string[] = [];
  const server = await LocalServer.start({
    port: 0,
    apiHost: '127.0.0.1',
    heartbeatIntervalS: 3600,
    ...options,
    engine: { ...FAST_ENGINE, ...options.engine },
    dataDir,
    log: (line) => lines.push(line),
  });
  const client = new ApiClient(server.apiUrl, { maxRetries: 0 });
  const credentials = server.createdCredentials ?? (JSON.parse((await import('node:fs')).readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')) as { email: string; password: string });
  const token = (await client.login(credentials.email, credentials.password)).access_token;
  client.setToken(token);
  const sims: SimulatedStation[] = [];
  const passwords = new Map<string, string>();
  const addChargePoint = async (id: string): Promise<string> => {
    const added = await client.addLocalChargePoint({ id });
    passwords.set(id, added.password!);
    return added.password!;
  };
  return {
    server,
    client,
    dataDir,
    token,
    lines,
    addChargePoint,
    async simulator(id, simOptions = {}) {
      const password = passwords.get(id) ?? (await addChargePoint(id));
      const sim = new SimulatedChargePoint({ url: server.ocppUrl, id, password, ...QUICK_SIM, ...simOptions });
      sims.push(sim);
      await sim.start();
      return sim;
    },
    async station(id, ocpp, spec = {}, wait = { boot: true }) {
      const password = passwords.get(id) ?? (await addChargePoint(id));
      const sim = await createStation({ ocpp, url: server.ocppUrl, id, password, ...QUICK_SIM, ...spec });
      sims.push(sim);
      await (wait.boot ? sim.start() : sim.connect());
      return sim;
    },
    async stop(remove = true) {
      for (const sim of sims) sim.stop();
      await client.close();
      await server.stop();
      // Every test server doubles as a check that no secret reached its output or its files.
      const known = { 'installer password': credentials.password, token, ...Object.fromEntries([...passwords].map(([id, p]) => [`password of ${id}`, p])) };
      const leaks = secretLeaks({ 'server output': lines.join('\n'), ...filesOutsideSecretHomes(dataDir) }, known);
      if (remove) rmSync(dataDir, { recursive: true, force: true });
      if (leaks.length > 0) throw new Error(`secrets leaked: ${leaks.join('; ')}`);
    },
  };
}

/** Polls the status until the session leaves running/paused. */
export async function waitForEnd(client: ApiClient, chargePointId: string, timeoutMs = 20_000) {
  const started = Date.now();
  for (;;) {
    const status = await client.status(chargePointId);
    if (status.status !== 'running' && status.status !== 'paused') return status;
    if (Date.now() - started > timeoutMs) throw new Error(`session still ${status.status} after ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Drops a template into the server's templates folder, as an installer would. */
export function writeTemplate(dataDir: string, template: Record<string, unknown>): void {
  const full = {
    name: 'Test template',
    description: 'Short limits for tests',
    compatible_models: [],
    created_at: '2024-01-01T00:00:00Z',
    ...template,
  };
  writeFileSync(join(dataDir, 'templates', `${String(template['template_id'])}.json`), JSON.stringify(full, null, 2));
}
