import type { CliContext } from '../../context.js';
import { exitCodeOfSession, isFinished, sessionLines } from '../../session-format.js';
import { followSession } from './follow.js';

export interface StatusOptions {
  chargePointId: string;
  watch: boolean;
}

/** Exit 0, or 3 when the latest session has ended without passing. */
export async function run(ctx: CliContext, o: StatusOptions): Promise<number> {
  const client = await ctx.client();
  try {
    if (o.watch) return await followSession(ctx, client, o.chargePointId, null);
    const status = await client.status(o.chargePointId);
    if (ctx.out.json) ctx.out.document(status);
    else for (const line of sessionLines(ctx.theme, status)) ctx.out.line(line);
    return isFinished(status) ? exitCodeOfSession(status) : 0;
  } finally {
    await client.close();
  }
}
