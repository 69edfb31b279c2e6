import type { CliContext } from '../../context.js';
import { table } from '../../table.js';

export async function run(ctx: CliContext, o: { chargePointId: string }): Promise<number> {
  const client = await ctx.client();
  try {
    const list = await client.issues(o.chargePointId);
    if (ctx.out.json) {
      ctx.out.document(list);
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
      i.created_at,
      i.sync_state ?? '-',
    ]);
    for (const line of table(ctx.theme, ['REFERENCE', 'LOCAL REF', 'CATEGORY', 'SEVERITY', 'STATUS', 'CREATED', 'SYNC'], rows)) ctx.out.line(line);
    return 0;
  } finally {
    await client.close();
  }
}
