import type { StepContext } from '../step-context.js';
import { failed, passed, statusOrCallError, type StepOutcome } from './outcome.js';

/**
 * TriggerMessage(Heartbeat) and a Heartbeat back within the trigger window. A charge point
 * without RemoteTrigger, or one that will not trigger, gets the chance to send its regular
 * heartbeat (interval + grace) instead.
 */
export async function heartbeat(ctx: StepContext): Promise<StepOutcome> {
  const config = await ctx.call('GetConfiguration', { key: ['HeartbeatInterval'] });
  const interval = Number.parseInt(config.configurationKey?.find((k) => k.key === 'HeartbeatInterval')?.value ?? '', 10);
  const windowMs = ctx.settings.triggerWaitMs;

  if (await ctx.supportsTrigger()) {
    ctx.progress('TriggerMessage(Heartbeat)');
    const beat = ctx.expect('Heartbeat', () => true, windowMs);
    const sentAt = Date.now();
    const status = await statusOrCallError(ctx.call('TriggerMessage', { requestedMessage: 'Heartbeat' }));
    if (status === 'Accepted') {
      if (await beat) return passed(`Heartbeat received in ${Date.now() - sentAt} ms`);
      ctx.log('warn', `TriggerMessage(Heartbeat) accepted but no Heartbeat within ${windowMs / 1000} s; waiting for a regular one`);
    } else {
      ctx.log('warn', `TriggerMessage(Heartbeat) answered ${status}; waiting for a regular heartbeat`);
    }
  } else {
    ctx.log('info', 'RemoteTrigger is not among SupportedFeatureProfiles; waiting for a regular heartbeat');
  }

  if (!Number.isFinite(interval) || interval <= 0) {
    return failed('No triggered Heartbeat, and HeartbeatInterval is not set, so none is due');
  }
  const waitS = interval + ctx.settings.heartbeatGraceS;
  ctx.progress(`waiting up to ${waitS} s for a regular heartbeat`);
  const started = Date.now();
  const regular = await ctx.expect('Heartbeat', () => true, waitS * 1000);
  if (regular) return passed(`Regular heartbeat received after ${((Date.now() - started) / 1000).toFixed(1)} s (interval ${interval} s)`);
  return failed(`No Heartbeat within ${waitS} s (interval ${interval} s + ${ctx.settings.heartbeatGraceS} s grace)`);
}
