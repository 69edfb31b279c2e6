import type { ApiClient } from '../../../api/client.js';
import type { StatusResponse } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { watchStatus } from '../../poll.js';
import { shellWord } from '../../../common/shell-word.js';
import { changes, exitCodeOfSession, failureNextSteps, summaryLine } from '../../session-format.js';

/**
 * Follows a session to its end: the live view for a person at a terminal; NDJSON snapshots with
 * --json; a line per change otherwise. Returns 0 when it passed, 3 when it did not.
 */
export async function followSession(ctx: CliContext, client: ApiClient, chargePointId: string, first: StatusResponse | null): Promise<number> {
  if (ctx.interactive) {
    const { runSessionView } = await import('../../ui/session-view.js');
    return runSessionView(ctx, client, chargePointId, ctx.command(`status ${shellWord(chargePointId)} --watch`));
  }
  let last = first;
  for await (const event of watchStatus(client, chargePointId, first ? { first } : {})) {
    if (event.kind === 'offline') {
      ctx.out.warn(`warning: ${event.error.message}; retrying in ${Math.round(event.retryInMs / 1000)} s`);
      continue;
    }
    if (ctx.out.json) {
      if (event.changed) ctx.out.ndjson(event.status, 'status');
    } else {
      for (const line of changes(ctx.theme, last, event.status)) ctx.out.line(line);
    }
    last = event.status;
  }
  if (!last) return 1;
  if (!ctx.out.json) {
    ctx.out.line(summaryLine(ctx.theme, last));
    const next = failureNextSteps(last, (a) => ctx.command(a));
    if (next) ctx.out.info(next);
  }
  return exitCodeOfSession(last);
}
