import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../../../api/client.js';
import { NetworkError } from '../../../api/client-errors.js';
import type { IssueCategory, IssueCreated, IssueSeverity, ReportIssueRequest, StepName } from '../../../api/contract.js';
import { reportIssueSchema } from '../../../api/schemas.js';
import { problems } from '../../../api/validate.js';
import type { CliContext } from '../../context.js';
import { UsageError } from '../../errors.js';

export interface ReportOptions {
  chargePointId: string;
  category?: IssueCategory | undefined;
  severity?: IssueSeverity | undefined;
  description?: string | undefined;
  step?: StepName | undefined;
  photoUrls: string[];
}

/**
 * Sends a report with an Idempotency-Key, retrying a network failure with the same key: on a
 * weak link the first attempt may have arrived, and the key makes sure it counts once.
 */
export async function sendReport(client: ApiClient, chargePointId: string, body: ReportIssueRequest): Promise<IssueCreated> {
  const key = randomUUID();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await client.reportIssue(chargePointId, body, key);
    } catch (err) {
      if (!(err instanceof NetworkError) || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt + Math.random() * 500));
    }
  }
}

/** The step to suggest: the one that failed, else the one running, of the latest session. */
export async function suggestedStep(client: ApiClient, chargePointId: string): Promise<StepName | undefined> {
  try {
    const status = await client.status(chargePointId);
    return (status.steps.find((s) => s.status === 'failed') ?? status.steps.find((s) => s.status === 'running'))?.name;
  } catch {
    return undefined;
  }
}

export async function run(ctx: CliContext, o: ReportOptions): Promise<number> {
  const client = await ctx.client();
  try {
    const missing = [
      o.category === undefined && '--category',
      o.severity === undefined && '--severity',
      o.description === undefined && '--description',
    ].filter((m): m is string => m !== false);
    let created: IssueCreated | null;
    if (missing.length > 0) {
      if (!ctx.interactive) {
        throw new UsageError(`missing ${missing.join(', ')} (there is no terminal to ask on)`, 'dynamo issue report CP-1 --category hardware_defect --severity high --description "…at least 20 characters…"');
      }
      const { runIssueForm } = await import('../../ui/issue-form.js');
      const step = o.step ?? (await suggestedStep(client, o.chargePointId));
      created = await runIssueForm(ctx, client, o.chargePointId, { ...o, ...(step && { step }) });
      if (!created) return 2;
    } else {
      const body: ReportIssueRequest = { category: o.category!, severity: o.severity!, description: o.description! };
      if (o.step) body.step = o.step;
      if (o.photoUrls.length > 0) body.photo_urls = o.photoUrls;
      const found = problems(reportIssueSchema, body);
      if (found.length > 0) throw new UsageError(found.map((p) => p.message).join('; '));
      created = await sendReport(client, o.chargePointId, body);
    }
    if (ctx.out.json) ctx.out.document(created);
    else ctx.out.info(ctx.theme.ok(`Reported ${created.reference_number} (${created.issue_id}): ${created.category}, ${created.severity}`));
    return 0;
  } finally {
    await client.close();
  }
}
