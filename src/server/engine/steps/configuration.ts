import { pushConfiguration } from '../configuration-push.js';
import type { StepContext } from '../step-context.js';
import { failed, passed, type StepOutcome } from './outcome.js';

/** Pushes the template's keys; fails only when a key the template marks required was not applied. */
export async function configuration(ctx: StepContext): Promise<StepOutcome> {
  const keys = ctx.template.configuration;
  const { applied, rejected } = await ctx.link.exclusive('session', () => pushConfiguration(ctx, keys));
  const total = keys.length;
  const summary =
    rejected.length === 0
      ? `All ${total} configuration keys applied`
      : `${applied.length} of ${total} configuration keys applied; rejected: ${rejected.map((r) => r.key).join(', ')}`;
  const missing = keys.filter((k) => k.required && !applied.includes(k.key));
  if (missing.length > 0) {
    const why = missing.map((k) => `${k.key} (${rejected.find((r) => r.key === k.key)?.reason ?? 'not applied'})`).join(', ');
    return failed(`Required key${missing.length > 1 ? 's' : ''} not applied: ${why}. ${summary}`);
  }
  return passed(total === 0 ? 'The template sets no configuration keys' : summary);
}
