import type { CliContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import { shellWord } from '../../../common/shell-word.js';
import { exitCodeOfSite, rowDocument, rowLine, summaryDocument, summaryLines } from '../../site/site-format.js';
import { SiteRun } from '../../site/site-run.js';
import { resolveTargets, type Selection } from '../../site/targets.js';

export interface StartManyOptions {
  chargePointIds: string[];
  allConnected: boolean;
  allPending: boolean;
  concurrency: number;
  templateId?: string | undefined;
  skipTestTransaction: boolean;
  recommission: boolean;
}

function selectionOf(o: StartManyOptions): Selection {
  // Setting a commissioning aside is asked and logged per charge point, never for a whole site.
  if (o.recommission) {
    const first = o.chargePointIds[0];
    throw new UsageError('--recommission takes one charge point at a time: each is asked and logged', first ? (c) => c(`start ${shellWord(first)} --recommission`) : undefined);
  }
  const flags = [o.allConnected && '--all-connected', o.allPending && '--all-pending'].filter(Boolean);
  if (flags.length > 1) throw new UsageError('--all-connected and --all-pending pick two different sets: use one');
  if (flags.length === 1 && o.chargePointIds.length > 0) throw new UsageError(`give charge point ids or ${flags[0]}, not both`);
  if (o.allConnected) return { all: 'connected' };
  if (o.allPending) return { all: 'pending' };
  if (o.chargePointIds.length === 0) throw new UsageError('missing charge point ids (or --all-connected / --all-pending with the local server)');
  return { ids: o.chargePointIds };
}

/**
 * `dynamo start CP-1 CP-2 …`, `--all-connected`, `--all-pending`: a session for each, at most
 * --concurrency running at once, followed to the end (queued ones start as others end, so the
 * command always waits). The site view on a terminal; NDJSON with --json (a `session` document
 * per change, a `summary` at the end); a line per change otherwise. Exit 0 when every session
 * passed, 3 otherwise.
 */
export async function run(ctx: CliContext, o: StartManyOptions): Promise<number> {
  const selection = selectionOf(o);
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw new UsageError('--concurrency must be at least 1');
  const client = await ctx.client();
  try {
    const targets = await resolveTargets(client, selection);
    if (targets.length === 0) {
      const none = 'all' in selection ? `no charge point is ${selection.all === 'connected' ? 'connected and not commissioned' : 'pending (connected, not commissioned, no session running or passed)'}` : 'no charge points';
      if (ctx.out.json) ctx.out.ndjson(summaryDocument([]));
      else ctx.out.info(`Nothing to start: ${none}. See the site: ${ctx.command('site')}`);
      return 3;
    }
    const site = new SiteRun(client, targets, { concurrency: o.concurrency, templateId: o.templateId, skipTestTransaction: o.skipTestTransaction });
    if (ctx.interactive) {
      const { runSiteView } = await import('../../ui/site-view.js');
      return await runSiteView(ctx, client, site);
    }
    site.onChange((row) => {
      if (!row) {
        if (site.offline) ctx.out.warn(`warning: ${site.offline}; retrying with back-off`);
        return;
      }
      if (ctx.out.json) ctx.out.ndjson(rowDocument(row));
      else ctx.out.line(rowLine(ctx.theme, row));
    });
    if (!ctx.out.json) ctx.out.info(`Starting ${targets.length} charge point${targets.length === 1 ? '' : 's'}, at most ${o.concurrency} at once`);
    await site.run();
    if (ctx.out.json) ctx.out.ndjson(summaryDocument(site.rows));
    else for (const line of summaryLines(ctx.theme, site.rows, (a) => ctx.command(a))) ctx.out.line(line);
    return exitCodeOfSite(site.rows);
  } finally {
    await client.close();
  }
}
