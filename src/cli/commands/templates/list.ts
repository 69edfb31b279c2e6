import type { CliContext } from '../../context.js';
import { table } from '../../table.js';
import { visible } from '../../visible.js';

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
    const invalid = list.invalid_templates ?? [];
    if (invalid.length > 0) {
      ctx.out.line('');
      ctx.out.line(ctx.theme.paint('yellow', `Left out, not valid (fix the file; it is read again as soon as it changes):`));
      for (const t of invalid) ctx.out.line(`  ${visible(t.file)}${t.template_id ? ` (${visible(t.template_id)})` : ''}: ${visible(t.reason)}`);
    }
    return 0;
  } finally {
    await client.close();
  }
}
