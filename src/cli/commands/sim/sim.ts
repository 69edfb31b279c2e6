import { readFileSync } from 'node:fs';
import { isoSeconds } from '../../../common/time.js';
import type { SimFaults, SimOptions } from '../../../sim/simulator.js';
import type { CliContext } from '../../context.js';
import { untilInterrupted } from '../../signals.js';
import { UsageError } from '../../errors.js';
import { visible } from '../../visible.js';
import { readLocalServerInfo } from '../../local-runtime.js';

/** The flags as commander parsed them. */
export interface SimFlags {
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

export function faultsFrom(f: SimFlags): SimFaults {
  const faults: SimFaults = {};
  const set = <K extends keyof SimFaults>(k: K, v: SimFaults[K] | undefined): void => {
    if (v !== undefined && v !== false) faults[k] = v;
  };
  set('rejectKeys', keys(f.rejectKeys));
  set('unsupportedKeys', keys(f.unsupportedKeys));
  set('ignoreKeys', keys(f.ignoreKeys));
  set('rebootRequiredKeys', keys(f.rebootKeys));
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
  const { SimulatedChargePoint } = await import('../../../sim/simulator.js');
  const faults = faultsFrom(f);
  const password = await ctx.password(f.password, f.passwordStdin === true, 'DYNAMO_CP_PASSWORD');
  const ca = f.ca ? readFileSync(f.ca) : undefined;
  const say = (id: string, message: string): void => {
    if (ctx.out.json) ctx.out.ndjson({ time: isoSeconds(), charge_point_id: id, message });
    // A Central System's answers (a refusal's body) are quoted here: made visible.
    else ctx.out.line(`${ctx.theme.paint('dim', new Date().toLocaleTimeString())}  ${id.padEnd(12)} ${visible(message)}`);
  };
  const sims = simIds(f.id, f.count).map((id) => {
    const options: SimOptions = {
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
    const sim = new SimulatedChargePoint(options);
    sim.on('log', (line) => say(id, line));
    sim.on('connected', () => say(id, `connected to ${url}`));
    sim.on('status', (connector, status) => say(id, `connector ${connector} ${status}`));
    return sim;
  });
  ctx.out.info(`${sims.length} simulated charge point(s) → ${url}${Object.keys(faults).length ? ` with faults: ${Object.keys(faults).join(', ')}` : ''}. Ctrl-C to stop.`);
  for (const sim of sims) sim.connect().catch(() => undefined);
  await untilInterrupted();
  for (const sim of sims) sim.stop();
  return 0;
}
