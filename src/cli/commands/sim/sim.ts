import { readFileSync } from 'node:fs';
import { isoSeconds } from '../../../common/time.js';
import type { CommonFaults, SimOcppVersion, StationSpec } from '../../../sim/create.js';
import type { FirmwareFailure } from '../../../sim/http-transfer.js';
import type { CliContext } from '../../context.js';
import { clockTime } from '../../time-format.js';
import { runUntilInterrupted } from '../../signals.js';
import { OfflineError, UsageError } from '../../errors.js';
import { connect } from 'node:net';
import { visible } from '../../visible.js';
import { readLocalServerInfo } from '../../local-runtime.js';

/** The flags as commander parsed them. */
export interface SimFlags {
  ocpp: SimOcppVersion;
  url?: string;
  id: string;
  count: number;
  password?: string;
  passwordStdin?: boolean;
  ca?: string;
  connectors: number;
  vendor: string;
  model: string;
  power: number;
  rejectKeys?: string;
  unsupportedKeys?: string;
  ignoreKeys?: string;
  unknownComponents?: string;
  rebootKeys?: string;
  authorizationKeyAsText?: boolean;
  trigger: boolean;
  refuseRemoteStart?: boolean;
  dropAfter?: number;
  returnAfter?: number;
  slow?: number;
  invalidPayloads?: boolean;
  heartbeats: boolean;
  wrongPassword?: boolean;
  silentReconnect?: boolean;
  zeroEnergy?: boolean;
  firmwareFailure?: FirmwareFailure;
  firmwareDropAt?: number;
  diagnosticsFailure?: boolean;
}

const keys = (csv: string | undefined): string[] | undefined => csv?.split(',').map((k) => k.trim()).filter(Boolean);

export function faultsFrom(f: SimFlags): CommonFaults {
  if (f.ocpp !== '1.6' && f.authorizationKeyAsText) throw new UsageError('--authorization-key-as-text is a 1.6 quirk (2.0.1 sends the password itself)');
  if (f.ocpp !== '2.0.1' && f.firmwareFailure === 'signature') throw new UsageError('--firmware-failure signature is for 2.0.1 stations (1.6 UpdateFirmware carries no signature)');
  if (f.ocpp !== '2.0.1' && f.unknownComponents) throw new UsageError('--unknown-components is for 2.0.1 stations (1.6 has no components)');
  const faults: CommonFaults = {};
  const set = <K extends keyof CommonFaults>(k: K, v: CommonFaults[K] | undefined): void => {
    if (v !== undefined && v !== false) faults[k] = v;
  };
  set('rejectSettings', keys(f.rejectKeys));
  set('unknownSettings', keys(f.unsupportedKeys));
  set('ignoreSettings', keys(f.ignoreKeys));
  set('rebootSettings', keys(f.rebootKeys));
  set('unknownComponents', keys(f.unknownComponents));
  set('authorizationKeyAsText', f.authorizationKeyAsText);
  set('noTrigger', f.trigger === false);
  set('refuseRemoteStart', f.refuseRemoteStart);
  set('dropAfterS', f.dropAfter);
  set('returnAfterS', f.returnAfter);
  set('slowResponsesMs', f.slow);
  set('invalidPayloads', f.invalidPayloads);
  set('noHeartbeats', f.heartbeats === false);
  set('wrongPassword', f.wrongPassword);
  set('silentReconnect', f.silentReconnect);
  set('zeroEnergy', f.zeroEnergy);
  set('firmwareFailure', f.firmwareFailure);
  set('firmwareDropAtBytes', f.firmwareDropAt);
  set('diagnosticsFailure', f.diagnosticsFailure);
  return faults;
}

/**
 * A Central System that is not there is said at once (exit 7), not retried in silence: the
 * simulator reconnects after a drop, but a first connection refused is a wrong URL or no server.
 */
async function assertListening(url: string): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'wss:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const reason = await new Promise<string | null>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve('no answer in 5 s');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'nothing is listening there' : (err.code ?? err.message)));
  });
  if (reason) {
    throw new OfflineError(`cannot reach the Central System at ${url}: ${reason}`, (c) => `start the local server first (${c('local up', { server: false })}), or give its OCPP URL with --url`);
  }
}

/** `CP-SIM` for one; `CP-SIM-001`… for many. */
export function simIds(prefix: string, count: number): string[] {
  if (count <= 1) return [prefix];
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);
}

export async function run(ctx: CliContext, f: SimFlags): Promise<number> {
  if (f.count < 1) throw new UsageError('--count must be at least 1');
  const url = f.url ?? readLocalServerInfo(ctx.dataDir)?.ocpp_url ?? 'ws://127.0.0.1:9000/ocpp';
  const faults = faultsFrom(f);
  await assertListening(url);
  const { createStation } = await import('../../../sim/create.js');
  const password = await ctx.password(f.password, f.passwordStdin === true, 'DYNAMO_CP_PASSWORD');
  const ca = f.ca ? readFileSync(f.ca) : undefined;
  const say = (id: string, message: string): void => {
    if (ctx.out.json) ctx.out.ndjson({ time: isoSeconds(), charge_point_id: id, message });
    // A Central System's answers (a refusal's body) are quoted here: made visible.
    else ctx.out.line(`${ctx.theme.paint('dim', clockTime())}  ${id.padEnd(12)} ${visible(message)}`);
  };
  const sims = await Promise.all(simIds(f.id, f.count).map(async (id) => {
    const spec: StationSpec = {
      ocpp: f.ocpp,
      url,
      id,
      connectors: f.connectors,
      vendor: f.vendor,
      model: f.model,
      powerW: f.power,
      faults,
      ...(password !== undefined && { password }),
      ...(ca && { wsOptions: { ca } }),
    };
    const sim = await createStation(spec);
    sim.on('log', (line) => say(id, line));
    sim.on('connected', () => say(id, `connected to ${url}`));
    sim.on('status', (evse, status, connector) => say(id, `${connector === undefined ? `connector ${evse}` : `EVSE ${evse} connector ${connector}`} ${status}`));
    return sim;
  }));
  ctx.out.info(`${sims.length} simulated OCPP ${f.ocpp} charge point(s) → ${url}${Object.keys(faults).length ? ` with faults: ${Object.keys(faults).join(', ')}` : ''}. Ctrl-C to stop.`);
  for (const sim of sims) sim.connect().catch(() => undefined);
  await runUntilInterrupted(() => {
    for (const sim of sims) sim.stop();
  });
  return 0;
}
