import type { ApiClient } from '../../../api/client.js';
import { namesModel } from '../../../api/model-match.js';
import { confirm } from '../../confirm.js';
import type { CliContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import { visible } from '../../visible.js';

export interface ApplyOptions {
  chargePointId: string;
  templateId: string;
  /** Skip the question a template made for other models asks. */
  yes: boolean;
}

/**
 * Why this template may not suit this charger, if it may not: its `compatible_models` list
 * others. Unknown (a hosted API without `model` in diagnostics, a template not listed, a charger
 * never booted, a template for any model) is not a reason to warn.
 */
async function mismatch(client: ApiClient, o: ApplyOptions): Promise<string | null> {
  const [templates, diagnostics] = await Promise.all([client.templates().catch(() => null), client.diagnostics(o.chargePointId).catch(() => null)]);
  const template = templates?.templates.find((t) => t.template_id === o.templateId);
  const model = diagnostics?.model;
  if (!template || template.compatible_models.length === 0 || !model) return null;
  if (namesModel(template.compatible_models, diagnostics.firmware.vendor, model)) return null;
  const charger = [diagnostics.firmware.vendor, model].filter(Boolean).join(' ');
  return `${o.templateId} is made for ${template.compatible_models.join(', ')}; ${o.chargePointId} reports itself as ${charger}`;
}

export async function run(ctx: CliContext, o: ApplyOptions): Promise<number> {
  const client = await ctx.client();
  try {
    const why = await mismatch(client, o);
    if (why) {
      ctx.out.warn(`warning: ${visible(why)}`);
      // Scripts keep going (the warning is on stderr); a person is asked, unless --yes.
      if (ctx.interactive && !o.yes && !(await confirm(ctx, `Push ${o.templateId} to ${o.chargePointId} anyway?`, { yes: false, what: 'apply-template' }))) {
        throw new UsageError(`${o.templateId} not applied (not confirmed)`);
      }
    }
    ctx.out.info(`Pushing ${o.templateId} to ${o.chargePointId}…`);
    const r = await client.applyTemplate(o.chargePointId, o.templateId);
    if (ctx.out.json) ctx.out.document(r);
    else {
      const rejected = r.rejected_keys.length ? `; rejected: ${r.rejected_keys.join(', ')}` : '';
      ctx.out.info(ctx.theme.ok(`${r.applied_keys} setting${r.applied_keys === 1 ? '' : 's'} applied to ${r.charge_point_id}${rejected}`));
    }
    return 0;
  } finally {
    await client.close();
  }
}
