import type { CliContext } from '../../context.js';

export async function run(ctx: CliContext, o: { chargePointId: string; templateId: string }): Promise<number> {
  const client = await ctx.client();
  try {
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
