/**
 * The report as Markdown, for pasting into a ticket. Text from chargers and servers has its
 * control characters made visible and Markdown's punctuation escaped (a pipe would end a table
 * cell, a backtick open code, a `<` start HTML that some trackers render).
 */
import { visible } from '../visible.js';
import { duration, sourceOf, type ChargePointReport, type Report } from './model.js';
import { identityFacts, orDash, sessionFacts, settingsSummary, transactionFacts, verdictWord } from './text.js';

/** CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that bite inline. */
export const md = (v: unknown): string => visible(String(v ?? '')).replace(/[\\`*_[\]<>|~&#!]/g, (c) => `\\${c}`);

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: string[][]): string[] => [row(head), row(head.map(() => '---')), ...rows.map(row)];
const factTable = (facts: [string, string][]): string[] => table(['', ''], facts.map(([k, v]) => [`**${md(k)}**`, md(v)]));

function chargePoint(cp: ChargePointReport): string[] {
  const v = cp.verdict;
  const out: string[] = [`## ${md(cp.charge_point_id)}`, '', `**${verdictWord(v)}** · ${md(v.headline)}`, '', ...v.reasons.map((r) => `- ${md(r)}`), ''];
  out.push('### Charge point', '', ...factTable(identityFacts(cp)), '', '### Session', '', ...factTable(sessionFacts(cp)), '');
  out.push('### Steps', '');
  if (cp.steps.length === 0) out.push('No steps ran.');
  else out.push(...table(['Step', 'Result', 'Duration', 'Detail'], cp.steps.map((s) => [md(s.name), md(s.status), md(duration(s.duration_ms)), [md(orDash(s.detail)), ...s.warnings.map((w) => `⚠ ${md(w)}`)].join('<br>')])));
  out.push('', `### Template ${md(orDash(cp.template.template_id))}`, '', md(settingsSummary(cp)), '');
  if (cp.template.settings && cp.template.settings.length > 0) {
    out.push(
      ...table(
        ['Setting', 'Sent', 'Outcome', 'Read back'],
        cp.template.settings.map((s) => [md(s.name), s.sent === null ? '(write-only, not shown)' : md(s.sent), `${md(s.outcome)}${s.reason ? `: ${md(s.reason)}` : ''}`, s.read_back === null ? 'not read back' : md(s.read_back)]),
      ),
      '',
    );
  }
  out.push('### Test transaction', '');
  out.push(...(cp.test_transaction ? factTable(transactionFacts(cp.test_transaction)) : ['Not part of this session.']), '');
  out.push('### Warnings', '', ...(cp.warnings.length === 0 ? ['None.'] : cp.warnings.map((w) => `- **${md(w.step)}**: ${md(w.message)}`)), '');
  out.push('### Issues', '');
  if (cp.issues.length === 0) out.push('None reported.');
  else {
    out.push(
      ...table(
        ['Reference', 'Local ref', 'Category', 'Severity', 'Status', 'Sync', 'Reported', 'Description'],
        cp.issues.map((i) => [md(i.reference_number), md(orDash(i.local_reference)), md(i.category), md(i.severity), md(i.status), md(orDash(i.sync_state)), md(i.created_at), `${i.step ? `*${md(i.step)}*: ` : ''}${md(orDash(i.description))}`]),
      ),
    );
  }
  const lp = cp.log_problems;
  if (lp.warn + lp.error > 0) out.push('', `Log: ${lp.warn} warning line(s), ${lp.error} error line(s).`);
  return [...out, ''];
}

export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const lines = [
    `# Commissioning report`,
    '',
    `Generated ${md(report.generated_at)} by ${md(report.generator)} from ${md(sourceOf(report.server))}.`,
    '',
    `**${md(s.headline)}**: ${s.commissioned} commissioned, ${s.passed} passed, ${s.not_passed} not passed, ${s.in_progress} in progress, ${s.not_started} not started.`,
    '',
  ];
  if (report.charge_points.length > 1) {
    lines.push(...table(['Charge point', 'Sign-off', 'Verdict'], report.charge_points.map((cp) => [md(cp.charge_point_id), cp.verdict.sign_off ? 'yes' : 'no', md(cp.verdict.headline)])), '');
  }
  for (const cp of report.charge_points) lines.push(...chargePoint(cp));
  return `${lines.join('\n').trimEnd()}\n`;
}
