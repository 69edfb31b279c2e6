import type { CliContext } from '../../context.js';
import { table } from '../../table.js';

export async function run(ctx: CliContext): Promise<number> {
  const client = await ctx.client();
  try {
    const list = await client.templates();
    if (ctx.out.json) {
      ctx.out.document(list);
      return 0;
    }
    const rows = list.templates.map((t) => [t.template_id, t.name, t.steps.join(','), t.compatible_models.join(', ') || '-']);
    for (const line of table(ctx.theme, ['TEMPLATE', 'NAME', 'STEPS', 'MODELS'], rows)) ctx.out.line(line);
    return 0;
  } finally {
    await client.close();
  }
}
