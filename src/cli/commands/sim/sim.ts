import { readFileSync } from 'node:fs';
import { isoSeconds } from '../../../common/time.js';
import type { CommonFaults, SimOcppVersion, StationSpec } from '../../../sim/create.js';
import type { CliContext } from '../../context.js';
import { untilInterrupted } from '../../signals.js';
import { UsageError } from '../../errors.js';
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
}

const keys = (csv: string | undefined): string[] | undefined => csv?.split(',').map((k) => k.trim()).filter(Boolean);

export function faultsFrom(f: SimFlags): CommonFaults {
  if (f.ocpp !== '1.6' && f.authorizationKeyAsText) throw new UsageError('--authorization-key-as-text is a 1.6 quirk (2.0.1 sends the password itself)');
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
  return faults;
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
  const { createStation } = await import('../../../sim/create.js');
  const password = await ctx.password(f.password, f.passwordStdin === true, 'DYNAMO_CP_PASSWORD');
  const ca = f.ca ? readFileSync(f.ca) : undefined;
  const say = (id: string, message: string): void => {
    if (ctx.out.json) ctx.out.ndjson({ time: isoSeconds(), charge_point_id: id, message });
    // A Central System's answers (a refusal's body) are quoted here: made visible.
    else ctx.out.line(`${ctx.theme.paint('dim', new Date().toLocaleTimeString())}  ${id.padEnd(12)} ${visible(message)}`);
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
  await untilInterrupted();
  for (const sim of sims) sim.stop();
  return 0;
}
