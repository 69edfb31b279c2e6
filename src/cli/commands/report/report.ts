import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { packageVersion } from '../../../common/package-info.js';
import type { CliContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import { collect } from '../../report/collect.js';
import { renderHtml } from '../../report/html.js';
import { renderJson } from '../../report/json.js';
import { renderMarkdown } from '../../report/markdown.js';
import { buildReport, type Report } from '../../report/model.js';
import { findChromium, htmlToPdf } from '../../report/pdf.js';

export type ReportFormat = 'html' | 'pdf' | 'md' | 'json';

export interface ReportOptions {
  chargePointIds: string[];
  site: boolean;
  format: ReportFormat | undefined;
  out: string | undefined;
}

/**
 * The report holds who commissioned what, serial numbers and issue descriptions: it is the
 * installer's to hand over, not every user's of the laptop to read. Written 0600 next to its
 * final name and renamed, so a reader never sees half of it and an existing file of wider mode
 * is replaced, not reused.
 */
function writeReport(path: string, content: string | Buffer): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    try {
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

async function render(report: Report, format: ReportFormat, chromium: string | null): Promise<string | Buffer> {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'pdf':
      return htmlToPdf(chromium!, renderHtml(report));
  }
}

export async function run(ctx: CliContext, o: ReportOptions): Promise<number> {
  if (o.site && o.chargePointIds.length > 0) throw new UsageError('give charge point ids or --site, not both');
  if (!o.site && o.chargePointIds.length === 0) throw new UsageError('name the charge points to report on, or --site for every one of the local server');
  if (o.site && !ctx.local) {
    throw new UsageError('--site lists the charge points of the local server (--local); the hosted API has no list of charge points', 'give their ids: dynamo report CP-1 CP-2 …');
  }
  const format = o.format ?? (ctx.out.json ? 'json' : 'html');
  if (format === 'pdf' && !o.out && ctx.streams.stdout.isTTY) throw new UsageError('a PDF is not for the terminal: give --out FILE (or redirect standard output)');
  // Before anything is fetched: a missing Chromium is said at once.
  const chromium = format === 'pdf' ? findChromium(ctx.env) : null;

  // The text as it came: each renderer makes it safe for where it goes.
  const client = await ctx.client({ asReceived: true });
  let report: Report;
  try {
    const list = ctx.local ? await client.localChargePoints() : null;
    const commissioned = list ? new Map(list.charge_points.map((c) => [c.id, c.commissioned])) : null;
    const ids = o.site ? list!.charge_points.map((c) => c.id) : [...new Set(o.chargePointIds)];
    const [health, answers] = await Promise.all([client.health().catch(() => null), collect(client, ids, commissioned)]);
    const server = { api_url: ctx.apiUrl(), kind: ctx.local ? ('local' as const) : ('hosted' as const), version: health?.version ?? null };
    report = buildReport(answers, server, new Date().toISOString(), `dynamo ${packageVersion()}`);
  } finally {
    await client.close();
  }

  const content = await render(report, format, chromium);
  if (o.out) {
    writeReport(o.out, content);
    ctx.out.info(`Report of ${report.charge_points.length} charge point${report.charge_points.length === 1 ? '' : 's'} (${report.summary.headline}) written to ${o.out}`);
  } else {
    ctx.streams.stdout.write(content);
  }
  return 0;
}
