import type { StepContext } from '../step-context.js';
import { failed, passed, type StepOutcome } from './outcome.js';

/**
 * The charge point is connected and registered with us: its BootNotification accepted (or
 * answered Pending, while the operator has it wait until configured). A charge point that is
 * connected but has not booted on this connection is asked for a BootNotification where its
 * version allows it (see the protocol adapters).
 */
export async function connectivity(ctx: StepContext): Promise<StepOutcome> {
  const cp = await ctx.guard(ctx.link.connection());
  const booted = await ctx.protocol.boot.ensureBooted(ctx);
  if (!booted.ok) return failed(booted.detail);
  const known = ctx.link.identity();
  const identity = known
    ? `${known.identity.vendor} ${known.identity.model}${known.identity.firmwareVersion ? `, firmware ${known.identity.firmwareVersion}` : ''}`
    : 'no boot data';
  const address = (cp.remoteAddress ?? 'unknown address').replace(/^::ffff:/, '');
  const registration = ctx.link.state()?.registration === 'Pending' ? 'answered Pending until it is configured' : 'accepted';
  return passed(`WebSocket connected from ${address} (${cp.protocol}); BootNotification ${registration}: ${identity}${booted.note ? `; ${booted.note}` : ''}`);
}
