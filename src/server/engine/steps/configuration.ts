import { settingLine } from '../../../api/session-facts.js';
import type { PushResult, Setting } from '../protocol/adapter.js';
import type { StepContext } from '../step-context.js';
import { failed, passed, type StepOutcome } from './outcome.js';

/**
 * Sets the template's settings for the charge point's OCPP version (1.6 keys or 2.0.1
 * variables) and checks what really changed. Fails only when a setting the template marks
 * required was not applied; optional ones that were not are warnings. A template with nothing
 * for this version says so, as a warning: nothing is invented. A station kept Pending until
 * configured is registered afterwards.
 */
export async function configuration(ctx: StepContext): Promise<StepOutcome> {
  const p = ctx.protocol;
  const settings = p.configuration.settings(ctx.template);
  let outcome: StepOutcome;
  if (settings === null) {
    ctx.warn(`Template ${ctx.template.template_id} has no settings for OCPP ${p.version}: nothing was configured`);
    outcome = passed(`Template ${ctx.template.template_id} has no settings for OCPP ${p.version}; nothing was configured`);
  } else {
    const pushed = await ctx.link.exclusive('session', () => p.configuration.push(ctx, settings));
    logOutcomes(ctx, settings, pushed);
    const { applied, rejected } = pushed;
    const noun = p.configuration.noun;
    const total = settings.length;
    const summary =
      rejected.length === 0
        ? `All ${total} ${noun} applied`
        : `${applied.length} of ${total} ${noun} applied; rejected: ${rejected.map((r) => r.name).join(', ')}`;
    const missing = settings.filter((s) => s.required && !applied.includes(s.name));
    if (missing.length > 0) {
      const why = missing.map((s) => `${s.name} (${rejected.find((r) => r.name === s.name)?.reason ?? 'not applied'})`).join(', ');
      return failed(`Required ${p.configuration.singular}${missing.length > 1 ? 's' : ''} not applied: ${why}. ${summary}`);
    }
    // Each was said in a warn line as it happened.
    for (const r of rejected) ctx.addWarning(`${r.name} not applied: ${r.reason}`);
    outcome = passed(total === 0 ? `The template sets no ${noun}` : summary);
  }
  if (ctx.link.state()?.registration === 'Pending') {
    ctx.progress('registering the station now that it is configured');
    const accepted = await p.boot.acceptPending(ctx);
    if (!accepted.ok) return failed(`${outcome.detail}; but the station did not register afterwards: ${accepted.detail}`);
    outcome = passed(`${outcome.detail}; the station, Pending until now, is registered (BootNotification accepted)`);
  }
  return outcome;
}

/** One line per setting, in the form a commissioning report reads back (api/session-facts.ts). */
function logOutcomes(ctx: StepContext, settings: Setting[], { applied, rejected, readBack, writeOnly }: PushResult): void {
  for (const s of settings) {
    const refusal = rejected.find((r) => r.name === s.name);
    const outcome = applied.includes(s.name) ? 'applied' : 'rejected';
    const hidden = writeOnly.includes(s.name);
    ctx.log('info', settingLine({
      name: s.name,
      sent: hidden ? null : s.value,
      outcome,
      reason: outcome === 'rejected' ? (refusal?.reason ?? 'not applied') : null,
      read_back: hidden ? null : (readBack.get(s.name) ?? null),
    }));
  }
}
