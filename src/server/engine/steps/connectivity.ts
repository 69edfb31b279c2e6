import { compareVersions } from '../firmware-version.js';
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
  const detail = `WebSocket connected from ${address} (${cp.protocol}); BootNotification ${registration}: ${identity}${booted.note ? `; ${booted.note}` : ''}`;
  const below = belowMinimum(ctx, known?.identity.firmwareVersion ?? null);
  if (below && ctx.template.minimum_firmware?.on_lower === 'fail') return failed(`${detail}; ${below}`);
  if (below) ctx.warn(below);
  return passed(detail);
}

/** What to say when the firmware is below the template's minimum (or cannot be told); null when it is fine. */
function belowMinimum(ctx: StepContext, version: string | null): string | null {
  const minimum = ctx.template.minimum_firmware;
  if (!minimum) return null;
  const update = `update it with dynamo --local firmware update ${ctx.link.chargePointId} --file <image> --version <version>`;
  if (version === null) return `it reported no firmware version, so the template's minimum ${minimum.version} cannot be checked`;
  const order = compareVersions(version, minimum.version);
  if (order === null) return `firmware ${version} cannot be compared with the template's minimum ${minimum.version}; check it by hand`;
  return order < 0 ? `firmware ${version} is below the template's minimum ${minimum.version}: ${update}` : null;
}
