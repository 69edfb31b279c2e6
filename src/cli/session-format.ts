import type { StatusResponse, StepState } from '../api/contract.js';
import { shellWord } from '../common/shell-word.js';
import type { Theme } from './theme.js';
import { humanTime } from './time-format.js';

export const isFinished = (s: { status: string }): boolean => s.status !== 'running' && s.status !== 'paused';

/** 0 when the session passed; 3 when it ended any other way (failed, or stopped before passing). */
export const exitCodeOfSession = (s: StatusResponse): number => (s.status === 'completed' && s.result === 'passed' ? 0 : 3);

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatElapsed(fromIso: string, to: number = Date.now()): string {
  const s = Math.max(0, Math.round((to - Date.parse(fromIso)) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * How a step is shown: `warning` for one that passed with warnings (the API's status stays
 * `passed`; the warnings are in the step and the logs), its own status otherwise.
 */
export const shownStatus = (step: StepState): string => (step.status === 'passed' && (step.warnings?.length ?? 0) > 0 ? 'warning' : step.status);

/** Warnings of the whole session. */
export const warningCount = (s: StatusResponse): number => s.steps.reduce((n, step) => n + (step.warnings?.length ?? 0), 0);

export function stepLine(theme: Theme, step: StepState): string {
  const status = theme.status(shownStatus(step)).padEnd(theme.color ? 20 : 9);
  const name = step.name.padEnd(17);
  const duration = formatDuration(step.duration_ms).padStart(10);
  return `${status} ${name}${duration}${step.detail ? `  ${step.detail}` : ''}`.trimEnd();
}

/** A step's line and, under it, each of its warnings. */
export function stepLines(theme: Theme, step: StepState): string[] {
  return [stepLine(theme, step), ...(step.warnings ?? []).map((w) => `  ${theme.color ? theme.paint('yellow', '⚠') : 'warning:'} ${w}`)];
}

export function sessionHeader(theme: Theme, s: StatusResponse): string {
  const result = s.result ? ` ${theme.status(s.result)}` : '';
  const paused = s.status === 'paused' && s.paused_at_step ? ` at ${s.paused_at_step}` : '';
  return `${theme.paint('bold', s.charge_point_id)}  session ${s.session_id}  ${theme.status(s.status)}${paused}${s.status === 'completed' ? result : ''}  ${s.template_id ?? ''}`.trimEnd();
}

/** The whole session as lines, for `status` without a live view. */
export function sessionLines(theme: Theme, s: StatusResponse): string[] {
  const lines = [sessionHeader(theme, s), `started ${humanTime(s.started_at)}${s.completed_at ? `, ended ${humanTime(s.completed_at)}` : ''}`];
  for (const step of s.steps) lines.push(...stepLines(theme, step).map((l) => `  ${l}`));
  if (s.failure_reason) lines.push(theme.paint('red', `  ${s.failure_reason}`));
  return lines;
}

/** One-line outcome of a finished session. */
export function summaryLine(theme: Theme, s: StatusResponse): string {
  const passed = s.steps.filter((x) => x.status === 'passed').length;
  const failed = s.steps.find((x) => x.status === 'failed');
  if (s.status === 'completed' && s.result === 'passed') {
    const warnings = warningCount(s);
    const withWarnings = warnings > 0 ? ` with ${warnings} warning${warnings === 1 ? '' : 's'}` : '';
    return `${theme.mark(warnings > 0 ? 'warning' : 'passed')}${s.charge_point_id} passed commissioning${withWarnings}: ${passed} of ${s.steps.length} steps passed${s.steps.some((x) => x.status === 'skipped') ? ' (some skipped)' : ''}`;
  }
  if (s.status === 'stopped') return `${theme.mark('stopped')}${s.charge_point_id}: session ${s.session_id} was stopped`;
  return `${theme.mark('failed')}${s.charge_point_id} failed commissioning${failed ? ` at ${failed.name}: ${failed.detail ?? ''}` : ''}`.trimEnd();
}

/** Lines for what changed between two snapshots (for plain-text watching). */
export function changes(theme: Theme, before: StatusResponse | null, after: StatusResponse): string[] {
  const out: string[] = [];
  if (!before || before.session_id !== after.session_id) {
    out.push(sessionHeader(theme, after));
  } else if (before.status !== after.status && !isFinished(after)) {
    out.push(`session ${theme.status(after.status)}${after.status === 'paused' && after.paused_at_step ? ` at ${after.paused_at_step}` : ''}`);
  }
  for (const step of after.steps) {
    const prev = before?.session_id === after.session_id ? before.steps.find((x) => x.name === step.name) : undefined;
    if (step.status === 'pending') continue;
    if (!prev || prev.status !== step.status) out.push(...stepLines(theme, step).map((l) => `  ${l}`));
  }
  return out;
}

/** After a session that failed: where to look, and how to go again, as commands to paste. */
export function failureNextSteps(s: StatusResponse, command: (args: string) => string): string | null {
  if (s.status === 'stopped' || (s.status === 'completed' && s.result === 'passed')) return null;
  const id = shellWord(s.charge_point_id);
  return `See why: ${command(`logs ${id} --min-level warn`)}  ·  try again: ${command(`restart ${id}`)}`;
}
