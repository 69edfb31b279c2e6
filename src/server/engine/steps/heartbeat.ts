import type { StepContext } from '../step-context.js';
import { failed, passed, type StepOutcome } from './outcome.js';

/**
 * A Heartbeat asked for with TriggerMessage comes back within the trigger window. A charge point
 * that cannot be asked, or will not answer, gets the chance to send its regular heartbeat
 * (interval + grace) instead: that passes with a warning, since a live link should answer.
 */
export async function heartbeat(ctx: StepContext): Promise<StepOutcome> {
  const p = ctx.protocol.heartbeat;
  const interval = await p.interval(ctx);
  const windowMs = ctx.settings.triggerWaitMs;

  if (await p.canTrigger(ctx)) {
    ctx.progress('TriggerMessage(Heartbeat)');
    const beat = ctx.expect('Heartbeat', () => true, windowMs);
    const sentAt = Date.now();
    const status = await p.trigger(ctx);
    if (status === 'Accepted') {
      if (await beat) return passed(`Heartbeat received in ${Date.now() - sentAt} ms`);
      ctx.warn(`TriggerMessage(Heartbeat) accepted but no Heartbeat within ${windowMs / 1000} s; waiting for a regular one`);
    } else {
      ctx.warn(`TriggerMessage(Heartbeat) answered ${status}; waiting for a regular heartbeat`);
    }
  } else {
    ctx.warn('The charge point cannot be asked for a Heartbeat (no RemoteTrigger); waiting for a regular one');
  }

  if (interval === null || interval <= 0) {
    return failed('No triggered Heartbeat, and the heartbeat interval is not set, so none is due');
  }
  const waitS = interval + ctx.settings.heartbeatGraceS;
  ctx.progress(`waiting up to ${waitS} s for a regular heartbeat`);
  const started = Date.now();
  const regular = await ctx.expect('Heartbeat', () => true, waitS * 1000);
  if (regular) return passed(`Regular heartbeat received after ${((Date.now() - started) / 1000).toFixed(1)} s (interval ${interval} s)`);
  return failed(`No Heartbeat within ${waitS} s (interval ${interval} s + ${ctx.settings.heartbeatGraceS} s grace)`);
}
