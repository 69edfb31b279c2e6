import type { BootNotificationRequest } from '../../../ocpp/ocpp16.js';
import type { StepContext } from '../step-context.js';
import { failed, passed, statusOrCallError, type StepOutcome } from './outcome.js';

/**
 * The charge point is connected and its BootNotification was accepted. Real firmware may
 * reconnect without booting and then stay silent, so a connection without a boot on it is asked
 * for one with TriggerMessage(BootNotification).
 */
export async function connectivity(ctx: StepContext): Promise<StepOutcome> {
  const cp = await ctx.guard(ctx.link.connection());
  if (!ctx.link.state()?.bootedThisConnection) {
    ctx.log('warn', 'Connected without a BootNotification on this connection; asking for one (TriggerMessage)');
    const boot = ctx.expect('BootNotification', () => true, ctx.settings.triggerWaitMs * 5);
    const status = await statusOrCallError(ctx.call('TriggerMessage', { requestedMessage: 'BootNotification' }));
    if (status !== 'Accepted') {
      return failed(`Connected, but sent no BootNotification and TriggerMessage(BootNotification) was answered ${status}`);
    }
    if (!(await boot)) {
      return failed(`Connected, but no BootNotification within ${(ctx.settings.triggerWaitMs * 5) / 1000} s of TriggerMessage`);
    }
  }
  const state = ctx.link.state();
  const boot: BootNotificationRequest | null = state?.boot ?? null;
  const address = (cp.remoteAddress ?? 'unknown address').replace(/^::ffff:/, '');
  const identity = boot
    ? `${boot.chargePointVendor} ${boot.chargePointModel}${boot.firmwareVersion ? `, firmware ${boot.firmwareVersion}` : ''}`
    : 'no boot data';
  return passed(`WebSocket connected from ${address} (${cp.protocol}); BootNotification accepted: ${identity}`);
}
