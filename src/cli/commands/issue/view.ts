import type { ApiClient } from '../../../api/client.js';
import type { IssueSummary } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { NotFound, UsageError } from '../../errors.js';
import { shellWord } from '../../../common/shell-word.js';
import { humanTime } from '../../time-format.js';

const matches = (reference: string) => (i: IssueSummary): boolean => i.reference_number === reference || i.local_reference === reference || i.issue_id === reference;

/**
 * The API lists issues per charge point and has no route for one issue: the local server's
 * charge points are all searched; against the hosted API the charge point must be named.
 */
async function find(ctx: CliContext, client: ApiClient, reference: string, chargePointId: string | undefined): Promise<IssueSummary & { charge_point_id: string }> {
  const ids = chargePointId !== undefined ? [chargePointId] : ctx.local ? (await client.localChargePoints()).charge_points.map((c) => c.id) : null;
  if (!ids) throw new UsageError('the hosted API lists issues per charge point: add --charge-point <id>', (c) => c(`issue view ${shellWord(reference)} --charge-point CP-ID`));
  for (const id of ids) {
    const found = (await client.issues(id)).issues.find(matches(reference));
    if (found) return { charge_point_id: id, ...found };
  }
  throw new NotFound(`no issue ${reference}${chargePointId ? ` for ${chargePointId}` : ' on this server'}`);
}

export async function run(ctx: CliContext, o: { reference: string; chargePointId?: string | undefined }): Promise<number> {
  const client = await ctx.client();
  try {
    const issue = await find(ctx, client, o.reference, o.chargePointId);
    if (ctx.out.json) {
      ctx.out.document(issue);
      return 0;
    }
    const label = (s: string): string => ctx.theme.paint('dim', s.padEnd(12));
    ctx.out.line(`${ctx.theme.paint('bold', issue.reference_number)}  ${issue.charge_point_id}  ${issue.status}`);
    if (issue.local_reference && issue.local_reference !== issue.reference_number) ctx.out.line(`${label('local ref')}${issue.local_reference}`);
    ctx.out.line(`${label('category')}${issue.category}, severity ${issue.severity}${issue.step ? `, step ${issue.step}` : ''}`);
    ctx.out.line(`${label('created')}${humanTime(issue.created_at)}${issue.sync_state ? ` (sync: ${issue.sync_state})` : ''}`);
    if (issue.description !== undefined) ctx.out.line(`${label('description')}${issue.description}`);
    for (const url of issue.photo_urls ?? []) ctx.out.line(`${label('photo')}${url}`);
    return 0;
  } finally {
    await client.close();
  }
}
