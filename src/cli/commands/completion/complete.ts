import { CliContext } from '../../context.js';

/** A TAB must not hang: what the local server does not say by then is not offered. */
const DEADLINE_MS = 1500;

/**
 * Ids for the completion scripts, one a line, from the local server of the data directory when
 * it runs; nothing (and exit 0) when it does not, so a TAB never prints an error.
 */
export async function run(parent: CliContext, o: { kind: string }): Promise<number> {
  const ctx = new CliContext({ ...parent.options, local: true, json: false }, parent.streams, parent.env);
  try {
    const client = await ctx.client({ deadline: Date.now() + DEADLINE_MS });
    try {
      const ids =
        o.kind === 'charge-point'
          ? (await client.localChargePoints()).charge_points.map((c) => c.id)
          : o.kind === 'template'
            ? (await client.templates()).templates.map((t) => t.template_id)
            : [];
      // Ids go into a shell's word list: only plain ones, never a charger's escape sequences.
      for (const id of ids) if (/^[\w.:@%+=,-]+$/.test(id)) ctx.out.line(id);
    } finally {
      await client.close();
    }
  } catch {
    // No local server, or not answering: no ids.
  }
  return 0;
}
