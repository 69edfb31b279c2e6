import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { isoSeconds } from '../../../common/time.js';
import { CliContext } from '../../context.js';
import { listenForStop, type StopRequest } from '../../signals.js';
import { clockTime } from '../../time-format.js';
import { visible } from '../../visible.js';
import { LocalServerRunning, PortInUse, UsageError } from '../../errors.js';
import { portOwner } from '../../port-owner.js';
import { socketAnswers } from '../../../common/listen.js';
import { chooseApiSocket, type LocalServerInfo, readLocalServerInfo, removeLocalServerInfo, writeLocalServerInfo } from '../../local-runtime.js';
import { tildify } from '../../paths.js';
import { tokenStore } from '../../token-store.js';

export interface UpOptions {
  port: number;
  ocppPort: number;
  apiHost: string;
  open: boolean;
  heartbeatIntervalS: number;
  pendingUntilConfigured: boolean;
  syncTo?: string | undefined;
  /** PEM files for wss:// (security profile 2). */
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The laptop's addresses a charge point on the site LAN can reach. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a): a is NonNullable<typeof a> => !!a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

const NO_LAN = 'this laptop has no LAN address (only 127.0.0.1): chargers cannot reach it; join the site network (Wi-Fi or cable), then restart local up';

/** One server per data directory: two would share one database and fight over its charge points. */
async function refuseSecondServer(dataDir: string): Promise<void> {
  const running = readLocalServerInfo(dataDir);
  if (!running?.api_socket || !(await socketAnswers(running.api_socket))) return;
  throw new LocalServerRunning(
    `a local server already runs on ${tildify(dataDir)}: PID ${running.pid}, installer API ${running.api_url}, OCPP port ${running.ocpp_port}`,
    (c) => `use that one (${c('local cp list', { server: false }).replace('dynamo ', 'dynamo --local ')}), stop it first (kill ${running.pid}), or give this one another --data-dir`,
  );
}

/** One line for a port taken by another process: which flag it was, and who holds it if we can tell. */
function portInUse(port: number | undefined, o: UpOptions): PortInUse {
  const flag = port === o.port ? '--port' : port === o.ocppPort ? '--ocpp-port' : null;
  const owner = port === undefined ? null : portOwner(port);
  const by = owner ? ` by PID ${owner.pid} (${visible(owner.command)})` : '';
  return new PortInUse(`port ${port ?? '?'}${flag ? ` (${flag})` : ''} is already in use${by}`, `stop that process, or choose another port with ${flag ?? '--port and --ocpp-port'}`);
}

export async function run(ctx: CliContext, o: UpOptions): Promise<number> {
  // Listening before the server does: a Ctrl-C while it starts or prints its banner is then a
  // clean stop once it is up, not the default disposition killing a server chargers may reach.
  // On a terminal a reflex Ctrl-C must not fail running sessions: they are named, and a second one stops.
  const running = { sessions: (): string[] => [] };
  const tty = ctx.streams.stdin.isTTY === true && !ctx.out.json;
  const stop = listenForStop(tty ? { busy: () => running.sessions(), say: (text) => ctx.out.warn(ctx.theme.paint('yellow', text)) } : undefined);
  try {
    return await serve(ctx, o, stop, running);
  } finally {
    stop.cancel();
  }
}

async function serve(ctx: CliContext, o: UpOptions, stop: StopRequest, running: { sessions: () => string[] }): Promise<number> {
  const dataDir = ctx.dataDir;
  const json = ctx.out.json;
  const print = (at: Date, message: string): void => {
    if (json) ctx.out.ndjson({ time: isoSeconds(at), message });
    // What the server says quotes chargers (vendor, model, what they sent): made visible.
    else if (!ctx.out.quiet) ctx.out.line(`${ctx.theme.paint('dim', clockTime(at))}  ${visible(message)}`);
  };
  // What the server says while starting waits for the banner, so that the first line (with
  // --json, the first document) always says where the server is.
  let early: [Date, string][] | null = [];
  const log = (message: string): void => {
    if (early) early.push([new Date(), message]);
    else print(new Date(), message);
  };
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const tls = o.tlsCert && o.tlsKey ? { cert: readPem(o.tlsCert, '--tls-cert'), key: readPem(o.tlsKey, '--tls-key') } : undefined;
  await refuseSecondServer(dataDir);
  const { LocalServer } = await import('../../../server/local-server.js');
  const apiSocket = chooseApiSocket(dataDir);
  let server: Awaited<ReturnType<typeof LocalServer.start>>;
  try {
    server = await LocalServer.start({
      dataDir,
      command: (args) => ctx.command(args, { server: false }),
      apiSocket,
      port: o.port,
      apiHost: o.apiHost,
      ocppPort: o.ocppPort,
      ocppHost: '0.0.0.0',
      open: o.open,
      heartbeatIntervalS: o.heartbeatIntervalS,
      pendingUntilConfigured: o.pendingUntilConfigured,
      log,
      ...(tls && { tls }),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e.code === 'EADDRINUSE') throw portInUse(e.port, o);
    throw err;
  }
  const scheme = tls ? 'wss' : 'ws';
  const ocppUrls = lanAddresses().map((a) => `${scheme}://${a}:${server.ocppPort}/ocpp`);
  // Only 127.0.0.1 to offer: no charger on the site can reach that.
  const noLan = ocppUrls.length === 0;
  if (noLan) ocppUrls.push(server.ocppUrl);
  const info: LocalServerInfo = {
    api_url: server.apiUrl,
    api_socket: apiSocket,
    ocpp_url: server.ocppUrl,
    ocpp_urls: ocppUrls,
    ocpp_port: server.ocppPort,
    pid: process.pid,
    started_at: isoSeconds(),
  };
  writeLocalServerInfo(dataDir, info);
  const credentialsFile = join(dataDir, 'installer-credentials.json');

  if (json) {
    ctx.out.ndjson({ api_url: server.apiUrl, ocpp_urls: ocppUrls, ocpp_versions: ['1.6', '2.0.1'], data_dir: dataDir, open: o.open, pending_until_configured: o.pendingUntilConfigured, credentials_file: credentialsFile, sync_to: o.syncTo ?? null, ...(noLan && { warnings: [NO_LAN] }) });
  } else {
    const t = ctx.theme;
    ctx.out.line(`${t.paint('bold', 'Dynamo local server')} is running. Stop it with Ctrl-C.`);
    // The commands as another terminal must type them to reach this server (its --data-dir too).
    const site = new CliContext({ ...ctx.options, local: true, apiUrl: undefined }, ctx.streams, ctx.env);
    ctx.out.line(`  installer API   ${server.apiUrl}   (any dynamo command with --local: ${site.command('local cp list')})`);
    ctx.out.line('  charge points   set the Central System URL to one of:');
    for (const url of ocppUrls) ctx.out.line(`                    ${url}   (the charger appends its id)`);
    if (noLan) ctx.out.line(t.paint('yellow', `  warning         ${NO_LAN}`));
    if (o.open) {
      ctx.out.line(t.paint('yellow', `  security        OPEN: any charge point may connect, without a password${tls ? ' (over TLS)' : ''}`));
    } else {
      ctx.out.line(`  security        profile ${tls ? '2: TLS (wss://) and' : '1:'} Basic auth; give each charge point a password with`);
      ctx.out.line(`                    ${ctx.command('local cp add <charge-point-id>', { server: false })}`);
    }
    ctx.out.line(`  OCPP            1.6J and 2.0.1 (a charger offering both gets the one it lists first)`);
    if (o.pendingUntilConfigured) ctx.out.line('  registration    new charge points wait Pending until their template is applied, then are accepted');
    ctx.out.line(`  data            ${tildify(dataDir)}`);
    if (server.createdCredentials) {
      ctx.out.line('');
      ctx.out.line(`  First start: installer account ${server.createdCredentials.email}, password ${server.createdCredentials.password}`);
      ctx.out.line(`  (shown once; kept for this laptop's CLI in ${tildify(credentialsFile)}, mode 0600)`);
    }
    ctx.out.line('');
  }
  for (const [at, message] of early) print(at, message);
  early = null;

  let stopSync: (() => Promise<void>) | null = null;
  if (o.syncTo) {
    const url = o.syncTo.replace(/\/+$/, '');
    const { startBackgroundSync } = await import('../../../server/sync/background-sync.js');
    stopSync = startBackgroundSync({ store: server.store, url, token: () => ctx.env['DYNAMO_TOKEN'] || tokenStore.get(url)?.token || null, log });
    if (!json) ctx.out.line(`  sync            to ${url} whenever it answers (${ctx.command('sync --status', { server: false })} shows the outbox)\n`);
  }

  // The last resort behind the guards on every request and frame: the site's CSMS keeps running.
  // Said on stderr with its kind, so a supervisor or the fuzzers see it.
  const survive = (kind: string) => (err: unknown): void => {
    const detail = err instanceof Error ? (ctx.env['DYNAMO_DEBUG'] ? (err.stack ?? err.message) : err.message) : String(err);
    ctx.out.warn(`internal error (${kind}; the server keeps running): ${detail}`);
  };
  const onException = survive('uncaught exception');
  const onRejection = survive('unhandled rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);

  running.sessions = () => server.store.sessions.unfinished().map((s) => `${s.chargePointId} (session ${s.id})`);
  await stop.asked;
  log('shutting down');
  await stopSync?.();
  await server.stop();
  removeLocalServerInfo(dataDir, info);
  // Only now: a stray error while sessions are failed and the store closed must not end it half-way.
  process.off('uncaughtException', onException);
  process.off('unhandledRejection', onRejection);
  return 0;
}
