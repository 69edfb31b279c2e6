import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../../../api/client.js';
import { NetworkError } from '../../../api/client-errors.js';
import type { IssueCategory, IssueCreated, IssueSeverity, ReportIssueRequest, StepName } from '../../../api/contract.js';
import { reportIssueSchema } from '../../../api/schemas.js';
import { problems } from '../../../api/validate.js';
import type { CliContext } from '../../context.js';
import { MissingInput, UsageError } from '../../errors.js';
import { shellWord } from '../../../common/shell-word.js';

export interface ReportOptions {
  chargePointId: string;
  category?: IssueCategory | undefined;
  severity?: IssueSeverity | undefined;
  description?: string | undefined;
  step?: StepName | undefined;
  photoUrls: string[];
  attachDiagnostics?: boolean;
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

/**
 * The charger's diagnostics file, named in the description: its id, size and checksum, synced
 * with the issue as text, while the file itself stays in the site laptop's data directory.
 */
async function diagnosticsReference(client: ApiClient, chargePointId: string): Promise<string> {
  const fetch = await client.diagnosticsFetch(chargePointId).catch(() => null);
  if (fetch?.state !== 'stored') throw new UsageError(`no diagnostics file of ${chargePointId} to attach`, `fetch one first: dynamo --local diagnostics ${chargePointId} --fetch`);
  return `\n\nCharger diagnostics file: ${fetch.fetch_id}, ${fetch.size} bytes, sha256 ${fetch.sha256}, fetched ${fetch.finished_at}${fetch.session_id ? ` beside session ${fetch.session_id}` : ''} (kept on the site laptop's local server).`;
}

export async function run(ctx: CliContext, o: ReportOptions): Promise<number> {
  const client = await ctx.client();
  try {
    if (o.attachDiagnostics) {
      if (o.description === undefined) throw new UsageError('--attach-diagnostics needs --description (the reference is added to it)');
      o = { ...o, description: `${o.description}${await diagnosticsReference(client, o.chargePointId)}` };
    }
    const missing = [
      o.category === undefined && '--category',
      o.severity === undefined && '--severity',
      o.description === undefined && '--description',
    ].filter((m): m is string => m !== false);
    let created: IssueCreated | null;
    if (missing.length > 0) {
      if (!ctx.interactive) {
        const description = o.description !== undefined ? shellWord(o.description) : '"what happened, 20 characters at least"';
        throw new MissingInput(
          `missing ${missing.join(', ')} (there is no terminal to ask on)`,
          (c) => c(`issue report ${shellWord(o.chargePointId)} --category ${o.category ?? 'hardware_defect'} --severity ${o.severity ?? 'high'} --description ${description}`),
        );
      }
      const { issueStepsOf, runIssueForm } = await import('../../ui/issue-form.js');
      // Asked only when it helps: with --step given, a slow link does not hold the form up.
      const session = o.step ? {} : await client.status(o.chargePointId).then(issueStepsOf).catch(() => ({}) as ReturnType<typeof issueStepsOf>);
      const step = o.step ?? session.step;
      created = await runIssueForm(ctx, client, o.chargePointId, { ...o, ...(step && { step }) }, session.steps);
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
