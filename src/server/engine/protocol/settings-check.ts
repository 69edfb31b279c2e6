import type { StepContext } from '../step-context.js';

/**
 * What both versions check after setting values: whether a value read back is the one sent, and
 * whether a charge point that took a new password came back with it.
 */

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
