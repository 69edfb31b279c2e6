import { AUTHORIZATION_KEY } from '../auth/authorization-key.js';
import type { ConfigurationKey } from '../store/charge-points.js';
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

/** Sends one key: Accepted or RebootRequired, or why it was not applied (logged). */
async function changeKey(ctx: StepContext, key: string, value: string, position: string): Promise<{ status: string; reason?: string }> {
  ctx.progress(`ChangeConfiguration ${key} (${position})`);
  const status = await statusOrCallError(ctx.call('ChangeConfiguration', { key, value }));
  if (status === 'Accepted' || status === 'RebootRequired') return { status };
  if (status === 'NotSupported') {
    ctx.log('warn', `Key '${key}' not supported by firmware — skipped`);
    return { status, reason: 'not supported by firmware' };
  }
  ctx.log('warn', `Key '${key}' was not applied: ChangeConfiguration answered ${status}`);
  return { status, reason: status };
}

/** A Reset(Soft) so that keys answered RebootRequired take effect, waiting for the boot after it. */
async function rebootFor(ctx: StepContext, keys: string[]): Promise<void> {
  ctx.log('info', `${keys.join(', ')} need a reboot to take effect; sending Reset(Soft)`);
  ctx.progress('Reset(Soft) and waiting for the charge point to boot again');
  const booted = ctx.expect('BootNotification', () => true, (ctx.settings.reconnectGraceS + 30) * 1000);
  const status = await statusOrCallError(ctx.call('Reset', { type: 'Soft' }));
  if (status !== 'Accepted') ctx.log('warn', `Reset(Soft) answered ${status}; values needing a reboot may not be active`);
  else if (!(await booted)) ctx.log('warn', 'No BootNotification after Reset(Soft); reading the values back anyway');
}

/**
 * A charge point that took a new password closes its connection and comes back with it (the
 * whitepaper), often a moment later. Until it has, the next call could go down the connection it
 * is closing and be lost: wait for the new one, up to a bound, for firmware that switches only at
 * its next reconnect.
 */
async function switchedPassword(ctx: StepContext): Promise<void> {
  const waitMs = ctx.settings.passwordSwitchWaitMs;
  ctx.progress('waiting for the charge point to reconnect with its new password');
  if (await ctx.newConnection(waitMs)) ctx.log('info', 'The charge point reconnected with its new password');
  else ctx.log('info', `Still connected with the old password after ${waitMs / 1000} s; it will use the new one when it next connects`);
}

/**
 * Pushes configuration keys with ChangeConfiguration and checks what really changed: Accepted and
 * RebootRequired count as applied (a Reset(Soft) makes the latter take effect), Rejected and
 * NotSupported do not, and a key that reads back with another value was not applied whatever the
 * answer said. Used by the configuration step and by apply-template.
 *
 * AuthorizationKey goes last, after the read-back: the charge point reconnects with its new
 * password once it has taken it, and it cannot be read back anyway.
 */
export async function pushConfiguration(ctx: StepContext, keys: TemplateKey[]): Promise<PushResult> {
  await readAll(ctx);
  const applied: string[] = [];
  const rejected: { key: string; reason: string }[] = [];
  const needReboot: string[] = [];
  const ordinary = keys.filter((k) => k.key !== AUTHORIZATION_KEY);
  const position = (i: number): string => `${i + 1}/${keys.length}`;
  for (const [i, { key, value }] of ordinary.entries()) {
    const { status, reason } = await changeKey(ctx, key, value, position(i));
    if (reason !== undefined) rejected.push({ key, reason });
    else applied.push(key);
    if (status === 'RebootRequired') needReboot.push(key);
  }
  if (needReboot.length > 0) await rebootFor(ctx, needReboot);

  ctx.progress('reading the configuration back');
  const after = new Map((await readAll(ctx)).map((k) => [k.key, k.value]));
  for (const key of [...applied]) {
    const expected = keys.find((k) => k.key === key)!.value;
    const actual = after.get(key);
    if (sameValue(expected, actual)) continue;
    applied.splice(applied.indexOf(key), 1);
    const reason = actual === undefined ? 'missing when read back' : `reads back '${actual}'`;
    rejected.push({ key, reason });
    ctx.log('warn', `Key '${key}' was accepted but ${reason} (expected '${expected}')`);
  }

  const password = keys.find((k) => k.key === AUTHORIZATION_KEY);
  if (password) {
    // Offered before it is sent: a charge point that switches at once must find it accepted.
    await ctx.link.offerPassword(password.value);
    const { status, reason } = await changeKey(ctx, password.key, password.value, position(keys.length - 1));
    if (reason !== undefined) {
      ctx.link.withdrawOfferedPassword();
      rejected.push({ key: password.key, reason });
    } else {
      applied.push(password.key);
      ctx.log('info', `${AUTHORIZATION_KEY} accepted: the charge point connects with its new password from now on; the old one works until it does`);
      if (status === 'RebootRequired') await rebootFor(ctx, [password.key]);
      else await switchedPassword(ctx);
    }
  }
  return { applied, rejected };
}
