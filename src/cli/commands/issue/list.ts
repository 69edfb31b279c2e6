import type { CliContext } from '../../context.js';
import { table } from '../../table.js';
import { humanTime } from '../../time-format.js';

export async function run(ctx: CliContext, o: { chargePointId: string }): Promise<number> {
  const client = await ctx.client();
  try {
    const list = await client.issues(o.chargePointId);
    if (ctx.out.json) {
      // The API's fields as it sent them; the charge point named on each, for a script that merges lists.
      ctx.out.document({ ...list, issues: list.issues.map((i) => ({ charge_point_id: o.chargePointId, ...i })) });
      return 0;
    }
    if (list.total === 0) {
      ctx.out.info(`No issues reported for ${o.chargePointId}`);
      return 0;
    }
    const rows = list.issues.map((i) => [
      i.reference_number,
      i.local_reference && i.local_reference !== i.reference_number ? i.local_reference : '-',
      i.category,
      i.severity,
      i.status,
      humanTime(i.created_at),
      i.sync_state ?? '-',
    ]);
    for (const line of table(ctx.theme, ['REFERENCE', 'LOCAL REF', 'CATEGORY', 'SEVERITY', 'STATUS', 'CREATED', 'SYNC'], rows)) ctx.out.line(line);
    ctx.out.info(`Read one in full: ${ctx.command(`issue view ${list.issues[0]!.reference_number}`)}`);
    return 0;
  } finally {
    await client.close();
  }
}
