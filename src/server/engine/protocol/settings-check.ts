import type { StepContext } from '../step-context.js';
import { statusOrCallError } from '../steps/outcome.js';

/**
 * What both versions do after setting values: a reboot for those that need one, whether a value
 * read back is the one sent, and whether a charge point that took a new password came back with it.
 */

/**
 * A Reset (`reset`, the version's call and its name) so that values answered RebootRequired take
 * effect, waiting for the boot after it. A reset refused or a boot that never comes is a warning
 * on the step: the values may not be active, which the read-back alone cannot tell.
 */
export async function rebootFor(ctx: StepContext, names: string[], reset: { name: string; call: () => Promise<unknown> }): Promise<void> {
  ctx.log('info', `${names.join(', ')} need a reboot to take effect; sending ${reset.name}`);
  ctx.progress(`${reset.name} and waiting for the charge point to boot again`);
  const booted = ctx.expect('BootNotification', () => true, (ctx.settings.reconnectGraceS + 30) * 1000);
  const status = await statusOrCallError(reset.call());
  if (status !== 'Accepted') ctx.warn(`${reset.name} answered ${status}; ${names.join(', ')} may not be active until the charge point restarts`);
  else if (!(await booted)) ctx.warn(`No BootNotification after ${reset.name}; ${names.join(', ')} may not be active until it restarts`);
}

/** Values compare as the firmware may reformat them: booleans in any case, lists as sets, numbers as numbers. */
export function sameValue(expected: string, actual: string | undefined | null): boolean {
  if (actual === undefined || actual === null) return false;
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

/**
 * A charge point that took a new password closes its connection and comes back with it (the 1.6
 * whitepaper, 2.0.1 A01), often a moment later. Until it has, the next call could go down the
 * connection it is closing and be lost: wait for the new one, up to a bound, for firmware that
 * switches only at its next reconnect.
 */
export async function switchedPassword(ctx: StepContext): Promise<void> {
  const waitMs = ctx.settings.passwordSwitchWaitMs;
  ctx.progress('waiting for the charge point to reconnect with its new password');
  if (await ctx.newConnection(waitMs)) ctx.log('info', 'The charge point reconnected with its new password');
  else ctx.log('info', `Still connected with the old password after ${waitMs / 1000} s; it will use the new one when it next connects`);
}
