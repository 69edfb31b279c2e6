import type { ConfigurationKey } from '../store/charge-points.js';
import { WRITE_ONLY_KEYS } from './redact.js';
import type { StepContext } from './step-context.js';
import { statusOrCallError } from './steps/outcome.js';
import type { TemplateKey } from './templates.js';

export interface PushResult {
  applied: string[];
  rejected: { key: string; reason: string }[];
}

/** Values compare as the firmware may reformat them: booleans in any case, lists as sets, numbers as numbers. */
export function sameValue(expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const a = expected.trim();
  const b = actual.trim();
  if (/^(true|false)$/i.test(a)) return a.toLowerCase() === b.toLowerCase();
  if (/^-?\d+(\.\d+)?$/.test(a)) return Number(a) === Number(b);
  if (a.includes(',') || b.includes(',')) {
    const set = (s: string): string => s.split(',').map((v) => v.trim()).filter(Boolean).sort().join(',');
    return set(a) === set(b);
  }
  return a === b;
}

async function readAll(ctx: StepContext): Promise<ConfigurationKey[]> {
  const answer = await ctx.call('GetConfiguration', {});
  const keys = answer.configurationKey ?? [];
  ctx.link.rememberConfiguration(keys);
  return keys;
}

/**
 * Pushes configuration keys with ChangeConfiguration and checks what really changed: Accepted and
 * RebootRequired count as applied (a Reset(Soft) makes the latter take effect), Rejected and
 * NotSupported do not, and a key that reads back with another value was not applied whatever the
 * answer said. Used by the configuration step and by apply-template.
 */
export async function pushConfiguration(ctx: StepContext, keys: TemplateKey[]): Promise<PushResult> {
  await readAll(ctx);
  const applied: string[] = [];
  const rejected: { key: string; reason: string }[] = [];
  const needReboot: string[] = [];
  for (const [i, { key, value }] of keys.entries()) {
    ctx.progress(`ChangeConfiguration ${key} (${i + 1}/${keys.length})`);
    const status = await statusOrCallError(ctx.call('ChangeConfiguration', { key, value }));
    if (status === 'Accepted' || status === 'RebootRequired') {
      applied.push(key);
      if (status === 'RebootRequired') needReboot.push(key);
    } else if (status === 'NotSupported') {
      rejected.push({ key, reason: 'not supported by firmware' });
      ctx.log('warn', `Key '${key}' not supported by firmware — skipped`);
    } else {
      rejected.push({ key, reason: status });
      ctx.log('warn', `Key '${key}' was not applied: ChangeConfiguration answered ${status}`);
    }
  }

  if (needReboot.length > 0) {
    ctx.log('info', `${needReboot.join(', ')} need a reboot to take effect; sending Reset(Soft)`);
    ctx.progress('Reset(Soft) and waiting for the charge point to boot again');
    const booted = ctx.expect('BootNotification', () => true, (ctx.settings.reconnectGraceS + 30) * 1000);
    const status = await statusOrCallError(ctx.call('Reset', { type: 'Soft' }));
    if (status !== 'Accepted') ctx.log('warn', `Reset(Soft) answered ${status}; values needing a reboot may not be active`);
    else if (!(await booted)) ctx.log('warn', 'No BootNotification after Reset(Soft); reading the values back anyway');
  }

  ctx.progress('reading the configuration back');
  const after = new Map((await readAll(ctx)).map((k) => [k.key, k.value]));
  for (const key of [...applied]) {
    // A write-only key (the charge point's password) cannot be read back: its answer is all there is.
    if (WRITE_ONLY_KEYS.has(key)) continue;
    const expected = keys.find((k) => k.key === key)!.value;
    const actual = after.get(key);
    if (sameValue(expected, actual)) continue;
    applied.splice(applied.indexOf(key), 1);
    const reason = actual === undefined ? 'missing when read back' : `reads back '${actual}'`;
    rejected.push({ key, reason });
    ctx.log('warn', `Key '${key}' was accepted but ${reason} (expected '${expected}')`);
  }
  return { applied, rejected };
}
