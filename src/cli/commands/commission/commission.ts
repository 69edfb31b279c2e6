import type { CliContext } from '../../context.js';
import { atTime } from '../../time-format.js';

export async function run(ctx: CliContext, o: { chargePointId: string }): Promise<number> {
  const client = await ctx.client();
  try {
    const r = await client.commission(o.chargePointId);
    if (ctx.out.json) ctx.out.document(r);
    else ctx.out.info(ctx.theme.ok(`${r.charge_point_id} commissioned ${atTime(r.commissioned_at)} (session ${r.session_id})`));
    return 0;
  } finally {
    await client.close();
  }
}
