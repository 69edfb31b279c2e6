/**
 * The report as one self-contained HTML file: inline CSS, no script, no external asset (a
 * Content-Security-Policy forbids both, should anything slip through), readable on a phone, and
 * printable to A4 with a header on every page and each charge point on a page of its own.
 * Every string that came from a charger or a server is escaped here, and its control and bidi
 * characters made visible, so that a model named `<script>` is text, not markup.
 */
import { visible } from '../visible.js';
import { duration, sourceOf, type ChargePointReport, type Report } from './model.js';
import { identityFacts, orDash, sessionFacts, settingsSummary, transactionFacts, verdictWord } from './text.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content and attribute values. */
export const h = (v: unknown): string => visible(String(v ?? '')).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** Text inside a CSS string (the page header): anything but plain characters as a CSS escape. */
const cssString = (v: string): string => `"${visible(v).replace(/[^A-Za-z0-9 .,:/_()@-]/g, (c) => `\\${c.codePointAt(0)!.toString(16)} `)}"`;

const STATUS_CLASS: Record<string, string> = { passed: 'ok', failed: 'bad', skipped: 'muted', pending: 'muted', running: 'warn', applied: 'ok', rejected: 'bad' };
const badge = (status: string): string => `<span class="badge ${STATUS_CLASS[status] ?? 'muted'}">${h(status)}</span>`;

const facts = (rows: [string, string][]): string => `<dl class="facts">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`).join('')}</dl>`;

/** `nowrap`: how many leading columns hold short words (names, statuses) that must not break. */
const table = (head: string[], rows: string[][], nowrap = 0): string =>
  `<div class="scroll"><table><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i < nowrap ? ' class="nowrap"' : ''}>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;

function chargePoint(cp: ChargePointReport, first: boolean): string {
  const v = cp.verdict;
  const parts: string[] = [];
  parts.push(`<h2>${h(cp.charge_point_id)}</h2>`);
  parts.push(
    `<div class="verdict ${v.sign_off ? 'ok' : 'bad'}"><strong>${h(verdictWord(v))}</strong> · ${h(v.headline)}<ul>${v.reasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul></div>`,
  );
  parts.push(`<div class="cols"><section><h3>Charge point</h3>${facts(identityFacts(cp))}</section><section><h3>Session</h3>${facts(sessionFacts(cp))}</section></div>`);

  parts.push(`<h3>Steps</h3>`);
  parts.push(
    cp.steps.length === 0
      ? '<p class="muted">No steps ran.</p>'
      : table(
          ['Step', 'Result', 'Duration', 'Detail'],
          cp.steps.map((s) => [h(s.name), badge(s.status), h(duration(s.duration_ms)), `${h(orDash(s.detail))}${s.warnings.map((w) => `<div class="warn-line">⚠ ${h(w)}</div>`).join('')}`]),
          3,
        ),
  );

  parts.push(`<h3>Template ${h(orDash(cp.template.template_id))}</h3><p>${h(settingsSummary(cp))}</p>`);
  if (cp.template.settings && cp.template.settings.length > 0) {
    parts.push(
      table(
        ['Setting', 'Sent', 'Outcome', 'Read back'],
        cp.template.settings.map((s) => [
          `<code>${h(s.name)}</code>`,
          s.sent === null ? '<span class="muted">(write-only, not shown)</span>' : `<code>${h(s.sent)}</code>`,
          `${badge(s.outcome)}${s.reason ? ` ${h(s.reason)}` : ''}`,
          s.read_back === null ? '<span class="muted">not read back</span>' : `<code>${h(s.read_back)}</code>`,
        ]),
      ),
    );
  }

  parts.push('<h3>Test transaction</h3>');
  parts.push(cp.test_transaction ? facts(transactionFacts(cp.test_transaction)) : '<p class="muted">Not part of this session.</p>');

  parts.push('<h3>Warnings</h3>');
  parts.push(cp.warnings.length === 0 ? '<p class="muted">None.</p>' : `<ul>${cp.warnings.map((w) => `<li><strong>${h(w.step)}</strong>: ${h(w.message)}</li>`).join('')}</ul>`);

  parts.push('<h3>Issues</h3>');
  parts.push(
    cp.issues.length === 0
      ? '<p class="muted">None reported.</p>'
      : table(
          ['Reference', 'Category', 'Severity', 'Status', 'Sync', 'Reported', 'Description'],
          cp.issues.map((i) => [
            `<strong>${h(i.reference_number)}</strong>${i.local_reference ? `<div class="muted">${h(i.local_reference)}</div>` : ''}`,
            h(i.category),
            h(i.severity),
            h(i.status),
            h(orDash(i.sync_state)),
            h(i.created_at),
            `${i.step ? `<em>${h(i.step)}</em>: ` : ''}${h(orDash(i.description))}`,
          ]),
          1,
        ),
  );

  const lp = cp.log_problems;
  if (lp.warn + lp.error > 0) {
    parts.push(`<h3>Log warnings and errors</h3><p>${lp.warn} warning line(s), ${lp.error} error line(s)${lp.lines.length < lp.warn + lp.error ? `; the first ${lp.lines.length} shown` : ''}.</p>`);
    parts.push(`<ul class="log">${lp.lines.map((l) => `<li><span class="muted">${h(l.timestamp)}</span> <strong>${h(l.level)}</strong> ${h(l.step ?? '-')}: ${h(l.message)}</li>`).join('')}</ul>`);
  }
  parts.push(`<div class="sign"><div>Checked by (CPO)</div><div>Date</div><div>Signature</div></div>`);
  return `<section class="cp${first ? ' first' : ''}" id="${h(cp.charge_point_id)}">${parts.join('\n')}</section>`;
}

const CSS = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1f24;margin:0;padding:12px;background:#fff}
main{max-width:960px;margin:0 auto}
header.top{border-bottom:2px solid #1b1f24;margin-bottom:12px;padding-bottom:6px}
header.top h1{font-size:1.35em;margin:0 0 4px}
h2{font-size:1.25em;margin:18px 0 6px;word-break:break-all}
h3{font-size:1em;margin:14px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:#444}
.muted{color:#666}
.verdict{border-left:6px solid;padding:6px 10px;margin:6px 0;background:#f6f8fa}
.verdict.ok{border-color:#1a7f37}.verdict.bad{border-color:#cf222e}
.verdict ul{margin:4px 0 0;padding-left:18px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:12px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:0}
dl.facts dt{color:#555}dl.facts dd{margin:0;word-break:break-word}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.nowrap,th{white-space:nowrap}
th{background:#f6f8fa}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.92em;word-break:break-all}
.badge{display:inline-block;white-space:nowrap;padding:0 6px;border-radius:8px;font-size:.85em;font-weight:600;border:1px solid}
.badge.ok{color:#1a7f37}.badge.bad{color:#cf222e}.badge.warn{color:#9a6700}.badge.muted{color:#666}
.warn-line{color:#9a6700}
ul.log{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8em;padding-left:16px;word-break:break-all}
.sign{display:grid;grid-template-columns:2fr 1fr 2fr;gap:12px;margin-top:22px}
.sign div{border-top:1px solid #1b1f24;padding-top:2px;font-size:.85em;color:#555;min-height:3em}
@media (max-width:640px){.cols{grid-template-columns:1fr}body{font-size:14px;padding:8px}.sign{grid-template-columns:1fr}}
@media print{
  body{padding:0;font-size:10.5pt}
  main{max-width:none}
  .cp{break-before:page}
  .cp.first{break-before:auto}
  tr,dl.facts,.verdict,.sign{break-inside:avoid}
  h2,h3{break-after:avoid}
  .scroll{overflow:visible}
}`;

export function renderHtml(report: Report): string {
  const title = `Commissioning report · ${report.charge_points.length === 1 ? report.charge_points[0]!.charge_point_id : `${report.charge_points.length} charge points`}`;
  const pageHeader = `Dynamo commissioning report · ${report.server.kind === 'local' ? 'site server' : report.server.api_url} · ${report.generated_at}`;
  const s = report.summary;
  // A site gets a first page of one row per charge point; each charge point then starts a page.
  const overview = report.charge_points.length > 1;
  const rows = report.charge_points.map((cp) => [
    `<a href="#${h(cp.charge_point_id)}">${h(cp.charge_point_id)}</a>`,
    `${cp.verdict.sign_off ? badge('passed') : badge('failed')} ${h(cp.verdict.headline)}`,
    h(orDash(cp.identity.model)),
    h(orDash(cp.identity.firmware_version)),
    h(orDash(cp.identity.ocpp_version)),
    h(cp.test_transaction?.energy_kwh == null ? '–' : `${cp.test_transaction.energy_kwh} kWh`),
    String(cp.issues.length),
  ]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${h(title)}</title>
<style>${CSS}
@page{size:A4;margin:18mm 14mm 16mm;@top-left{content:${cssString(pageHeader)};font:8pt sans-serif;color:#555}@bottom-right{content:"Page " counter(page) " of " counter(pages);font:8pt sans-serif;color:#555}}
</style>
</head>
<body>
<main>
<header class="top">
<h1>${h(title)}</h1>
<div class="muted">Generated ${h(report.generated_at)} by ${h(report.generator)} from ${h(sourceOf(report.server))}</div>
<div><strong>${h(s.headline)}</strong>: ${s.commissioned} commissioned, ${s.passed} passed, ${s.not_passed} not passed, ${s.in_progress} in progress, ${s.not_started} not started.</div>
</header>
${overview ? table(['Charge point', 'Verdict', 'Model', 'Firmware', 'OCPP', 'Energy', 'Issues'], rows) : ''}
${report.charge_points.map((cp, i) => chargePoint(cp, i === 0 && !overview)).join('\n')}
</main>
</body>
</html>
`;
}
