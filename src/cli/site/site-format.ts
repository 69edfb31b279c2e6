import { shellWord } from '../../common/shell-word.js';
import { formatElapsed, warningCount } from '../session-format.js';
import type { Theme } from '../theme.js';
import { isFinal, type RowState, type SiteRow } from './site-run.js';

export interface SiteTotals {
  total: number;
  passed: number;
  failed: number;
  offline: number;
  stopped: number;
  errors: number;
  running: number;
  queued: number;
}

export function totalsOf(rows: readonly SiteRow[]): SiteTotals {
  const count = (...states: RowState[]): number => rows.filter((r) => states.includes(r.state)).length;
  return {
    total: rows.length,
    passed: count('passed'),
    failed: count('failed'),
    offline: count('offline'),
    stopped: count('stopped'),
    errors: count('error'),
    running: count('starting', 'running', 'paused'),
    queued: count('queued'),
  };
}

/** `12 / 14 passed, 1 failed, 1 offline`, then what is still going on. */
export function totalsLine(t: SiteTotals): string {
  const parts = [`${t.passed} / ${t.total} passed`];
  if (t.failed) parts.push(`${t.failed} failed`);
  if (t.offline) parts.push(`${t.offline} offline`);
  if (t.stopped) parts.push(`${t.stopped} stopped`);
  if (t.errors) parts.push(`${t.errors} refused`);
  const going = [t.running ? `${t.running} running` : '', t.queued ? `${t.queued} queued` : ''].filter(Boolean).join(', ');
  return `${parts.join(', ')}${going ? ` · ${going}` : ''}`;
}

/** Failed first, then what did not run (stopped, offline, refused), then the rest; the given order within each. */
const RANK: Record<RowState, number> = { failed: 0, error: 1, offline: 2, stopped: 3, paused: 4, running: 5, starting: 6, queued: 7, passed: 8 };
export const sortedRows = (rows: readonly SiteRow[]): SiteRow[] => rows.map((r, i) => [r, i] as const).sort((a, b) => RANK[a[0].state] - RANK[b[0].state] || a[1] - b[1]).map(([r]) => r);

/** The step a session is at (running or paused at), or where it failed. */
export function currentStep(row: SiteRow): string {
  const s = row.session;
  if (!s) return '';
  if (s.status === 'paused' && s.paused_at_step) return s.paused_at_step;
  return (s.steps.find((x) => x.status === 'running') ?? s.steps.find((x) => x.status === 'failed'))?.name ?? '';
}

export function elapsedOf(row: SiteRow, now = Date.now()): string {
  const s = row.session;
  if (!s) return '';
  return formatElapsed(s.started_at, s.completed_at ? Date.parse(s.completed_at) : now);
}

/** A row's state as people read it: the server `refused` what the API calls an error. */
export const shownState = (state: RowState): string => (state === 'error' ? 'refused' : state);

export const linkOf = (row: SiteRow): string => (row.connected === null ? '?' : row.connected ? 'online' : 'offline');

/** One document per state change, for --json (NDJSON). */
export function rowDocument(row: SiteRow) {
  return {
    kind: 'session' as const,
    charge_point_id: row.id,
    state: row.state,
    model: row.model,
    ocpp_version: row.ocppVersion,
    connected: row.connected,
    reason: row.reason,
    error_code: row.errorCode,
    followed: row.followed,
    session: row.session,
  };
}

interface SummaryItem {
  charge_point_id: string;
  session_id: string | null;
  reason: string;
}

/** The last document of a run: counts, and for each kind of not passing which charge points and why. */
export function summaryDocument(rows: readonly SiteRow[]) {
  const of = (state: RowState): SummaryItem[] => rows.filter((r) => r.state === state).map((r) => ({ charge_point_id: r.id, session_id: r.session?.session_id ?? null, reason: r.reason ?? state }));
  const t = totalsOf(rows);
  return {
    kind: 'summary' as const,
    total: t.total,
    passed: t.passed,
    warnings: rows.filter((r) => r.state === 'passed' && r.session && warningCount(r.session) > 0).map((r) => r.id),
    failed: of('failed'),
    offline: of('offline'),
    stopped: of('stopped'),
    refused: of('error'),
    not_started: rows.filter((r) => !isFinal(r.state)).map((r) => r.id),
    exit_code: exitCodeOfSite(rows),
  };
}

/** 0 only when every charge point's session passed; 3 otherwise. */
export const exitCodeOfSite = (rows: readonly SiteRow[]): number => (rows.length > 0 && rows.every((r) => r.state === 'passed') ? 0 : 3);

/** A plain line for a row's new state, for a log or a pipe. */
export function rowLine(theme: Theme, row: SiteRow): string {
  const step = currentStep(row);
  const what = row.reason ?? (step ? `at ${step}` : row.session ? `session ${row.session.session_id}` : '');
  return `${row.id}  ${theme.status(shownState(row.state))}${what ? `  ${what}` : ''}`;
}

/** Charge points listed after a run; --json and `dynamo site` have them all. */
const SUMMARY_ROWS = 20;

/** After the run: a line per charge point that did not pass (the first SUMMARY_ROWS), each with the command to look at it. */
export function summaryLines(theme: Theme, rows: readonly SiteRow[], command: (args: string) => string): string[] {
  const lines = [theme.paint('bold', totalsLine(totalsOf(rows)))];
  const notPassed = sortedRows(rows).filter((r) => r.state !== 'passed');
  for (const row of notPassed.slice(0, SUMMARY_ROWS)) {
    const id = shellWord(row.id);
    const next =
      row.state === 'failed'
        ? command(`logs ${id} --min-level warn`)
        : row.state === 'offline' || row.state === 'error'
          ? command('site')
          : isFinal(row.state)
            ? command(`status ${id}`)
            : command(`status ${id} --watch`);
    lines.push(`  ${theme.mark(row.state)}${row.id}  ${shownState(row.state)}${row.reason ? `: ${row.reason}` : ''}  →  ${next}`);
  }
  if (notPassed.length > SUMMARY_ROWS) lines.push(`  … and ${notPassed.length - SUMMARY_ROWS} more: ${command('site')}`);
  return lines;
}
