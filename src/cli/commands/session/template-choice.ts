import type { StartResponse, TemplateChoice } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';

const WHY: Record<TemplateChoice, string> = {
  given: 'given with -t',
  last_used: 'the one it used last',
  model_match: 'its compatible_models names this model',
  default: 'the default: none given, none used before, none names this model',
};

/**
 * Which template the session uses and why, on stderr so that stdout stays the session's data
 * (`--json` has it as `template_id` and `template_choice`). A server that does not say, says nothing.
 */
export function sayTemplateChoice(ctx: CliContext, started: StartResponse): void {
  if (ctx.out.json || ctx.out.quiet || !started.template_id || !started.template_choice) return;
  ctx.out.warn(`template ${started.template_id} (${WHY[started.template_choice]})`);
}
