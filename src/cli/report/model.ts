/**
 * The commissioning report as data: built from the installer API's answers only (status, logs,
 * diagnostics, issues), so that a report made against the local server and one made against the
 * hosted API say the same thing. Pure: no I/O, no clock (the caller gives the time). Field names
 * are the JSON format's, documented in docs/report.md; a change to them is a new schema_version.
 */
import type { Diagnostics, IssueSummary, LogEntry, StatusResponse, StepState } from '../../api/contract.js';
import { readFacts, type SettingFact } from '../../api/session-facts.js';

export const REPORT_SCHEMA_VERSION = 1;

/** Log lines at warn or error shown per charge point; the rest are counted. */
export const LOG_PROBLEMS_SHOWN = 50;

/** What the API said about one charge point. */
export interface ChargePointAnswers {
  charge_point_id: string;
  /** null: the server has no session for it yet. */
  status: StatusResponse | null;
  diagnostics: Diagnostics;
  /** The session's info, warn and error lines (debug frames are not needed). */
  logs: LogEntry[];
  issues: IssueSummary[];
  /** From the local server's list; null where the server does not say (the hosted API). */
  commissioned: boolean | null;
}

export interface ServerInfo {
  api_url: string;
  kind: 'local' | 'hosted';
  /** What its /healthz said, when it said. */
  version: string | null;
}

/**
 * Where the report's facts came from, as its reader should know it: the site's own server is on
 * the installer's laptop, and its loopback URL would mean nothing to a CPO. Plain text, for each
 * format to escape.
 */
export function sourceOf(server: ServerInfo): string {
  const version = server.version ? ` (version ${server.version})` : '';
  return server.kind === 'local' ? `the site's local server (dynamo local up on the installer's laptop)${version}` : `the hosted installer API at ${server.api_url}${version}`;
}

export type VerdictStatus = 'commissioned' | 'passed' | 'not_passed' | 'in_progress' | 'not_started';

export interface Verdict {
  status: VerdictStatus;
  /** A CPO can sign it off: its session passed and no open issue is high or critical. */
  sign_off: boolean;
  /** One line, for the top of the page. */
  headline: string;
  /** Why, one sentence each. */
  reasons: string[];
}

export interface ReportStep {
  name: string;
  status: string;
  duration_ms: number | null;
  detail: string | null;
  warnings: string[];
}

export interface ReportTemplate {
  template_id: string | null;
  /** Each setting and its outcome; null when the server's log does not carry them. */
  settings: SettingFact[] | null;
  applied: number | null;
  rejected: number | null;
}

export interface ReportTransaction {
  status: string;
  detail: string | null;
  duration_ms: number | null;
  transaction_id: string | null;
  energy_wh: number | null;
  energy_kwh: number | null;
  meter_start_wh: number | null;
  meter_stop_wh: number | null;
  meter_readings: number | null;
  readings_wh: number[];
  charging_s: number | null;
}

export interface ReportIssue {
  reference_number: string;
  local_reference: string | null;
  issue_id: string;
  category: string;
  severity: string;
  status: string;
  created_at: string;
  step: string | null;
  description: string | null;
  /** local (a server that does not sync), pending, synced, parked; null where the server does not say. */
  sync_state: string | null;
}

export interface ReportLogLine {
  timestamp: string;
  level: string;
  step: string | null;
  message: string;
}

export interface ChargePointReport {
  charge_point_id: string;
  verdict: Verdict;
  identity: {
    vendor: string | null;
    model: string | null;
    serial_number: string | null;
    firmware_version: string | null;
    ocpp_version: string | null;
    collected_at: string | null;
  };
  session: {
    session_id: string;
    status: string;
    result: string | null;
    started_at: string;
    completed_at: string | null;
    duration_s: number | null;
    installer_id: string | null;
    failure_reason: string | null;
    skip_test_transaction: boolean | null;
  } | null;
  template: ReportTemplate;
  steps: ReportStep[];
  test_transaction: ReportTransaction | null;
  warnings: { step: string; message: string }[];
  log_problems: { warn: number; error: number; lines: ReportLogLine[] };
  issues: ReportIssue[];
}

export interface Report {
  schema_version: typeof REPORT_SCHEMA_VERSION;
  generated_at: string;
  generator: string;
  server: ServerInfo;
  summary: {
    charge_points: number;
    commissioned: number;
    passed: number;
    not_passed: number;
    in_progress: number;
    not_started: number;
    sign_off: number;
    headline: string;
  };
  charge_points: ChargePointReport[];
}

const BLOCKING_SEVERITIES = new Set(['high', 'critical']);

const seconds = (from: string, to: string | null): number | null => {
  if (!to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms / 1000) : null;
};

function verdictOf(a: ChargePointAnswers, issues: ReportIssue[]): Verdict {
  const s = a.status;
  const openBlocking = issues.filter((i) => i.status === 'open' && BLOCKING_SEVERITIES.has(i.severity));
  const blockers = openBlocking.map((i) => `Open ${i.severity} issue ${i.reference_number} (${i.category}) must be resolved first.`);
  if (!s) return { status: 'not_started', sign_off: false, headline: 'Not commissioned: no commissioning session has run', reasons: ['The server has no commissioning session for this charge point.', ...blockers] };
  if (s.status === 'running' || s.status === 'paused') {
    return { status: 'in_progress', sign_off: false, headline: `Not commissioned yet: its session is ${s.status}`, reasons: [`Session ${s.session_id} is still ${s.status}; this report is provisional.`, ...blockers] };
  }
  if (s.status === 'completed' && s.result === 'passed') {
    const warnings = s.steps.reduce((n, step) => n + (step.warnings?.length ?? 0), 0);
    const ran = s.steps.filter((step) => step.status === 'passed').length;
    const skipped = s.steps.filter((step) => step.status === 'skipped').map((step) => step.name);
    const reasons = [
      `Session ${s.session_id} passed: ${ran} of ${s.steps.length} steps passed${skipped.length ? ` (skipped: ${skipped.join(', ')})` : ''}${warnings ? `, with ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}.`,
      ...blockers,
    ];
    const status: VerdictStatus = a.commissioned ? 'commissioned' : 'passed';
    const signOff = openBlocking.length === 0;
    const headline = status === 'commissioned' ? 'Commissioned' : 'Passed commissioning checks';
    return { status, sign_off: signOff, headline: signOff ? headline : `${headline}, but ${openBlocking.length} open issue${openBlocking.length === 1 ? ' blocks' : 's block'} sign-off`, reasons };
  }
  const failedSteps = s.steps.filter((step) => step.status === 'failed');
  const reasons =
    s.status === 'stopped'
      ? [`Session ${s.session_id} was stopped before it finished.`]
      : [
          ...failedSteps.map((step) => `Step ${step.name} failed: ${step.detail ?? 'no detail given'}.`),
          ...(s.failure_reason ? [`The session failed: ${s.failure_reason}.`] : []),
        ];
  if (reasons.length === 0) reasons.push(`Session ${s.session_id} ended ${s.status} without passing.`);
  return { status: 'not_passed', sign_off: false, headline: `Not commissioned: the session ${s.status === 'stopped' ? 'was stopped' : 'failed'}`, reasons: [...reasons, ...blockers] };
}

const stepOf = (st: StepState): ReportStep => ({ name: st.name, status: st.status, duration_ms: st.duration_ms ?? null, detail: st.detail ?? null, warnings: st.warnings ?? [] });

export function chargePointReport(a: ChargePointAnswers): ChargePointReport {
  const facts = readFacts(a.logs);
  const s = a.status;
  const d = a.diagnostics;
  const issues: ReportIssue[] = a.issues.map((i) => ({
    reference_number: i.reference_number,
    local_reference: i.local_reference && i.local_reference !== i.reference_number ? i.local_reference : null,
    issue_id: i.issue_id,
    category: i.category,
    severity: i.severity,
    status: i.status,
    created_at: i.created_at,
    step: i.step ?? null,
    description: i.description ?? null,
    sync_state: i.sync_state ?? null,
  }));
  const steps = s?.steps.map(stepOf) ?? [];
  const configuration = steps.find((st) => st.name === 'configuration');
  // An engine that writes the fact lines writes its start line too; a configuration step that ran
  // on one that does not (a hosted engine) leaves the outcomes unknown, not "none".
  const ran = configuration?.status === 'passed' || configuration?.status === 'failed';
  const settings = facts.settings.length > 0 || facts.start || !ran ? facts.settings : null;
  const tx = steps.find((st) => st.name === 'test_transaction');
  const t = facts.transaction;
  const problems = a.logs.filter((l) => l.level === 'warn' || l.level === 'error');
  return {
    charge_point_id: a.charge_point_id,
    verdict: verdictOf(a, issues),
    identity: {
      vendor: d.firmware.vendor,
      model: d.hardware.model ?? null,
      serial_number: d.hardware.serial_number ?? null,
      firmware_version: d.firmware.version,
      ocpp_version: d.ocpp.version,
      collected_at: d.collected_at,
    },
    session: s && {
      session_id: s.session_id,
      status: s.status,
      result: s.result,
      started_at: s.started_at,
      completed_at: s.completed_at,
      duration_s: seconds(s.started_at, s.completed_at),
      installer_id: facts.start?.installer_id ?? null,
      failure_reason: s.failure_reason ?? null,
      skip_test_transaction: facts.start ? facts.start.skip_test_transaction : null,
    },
    template: {
      template_id: s?.template_id ?? facts.start?.template_id ?? null,
      settings,
      applied: settings ? settings.filter((x) => x.outcome === 'applied').length : null,
      rejected: settings ? settings.filter((x) => x.outcome === 'rejected').length : null,
    },
    steps,
    test_transaction: tx
      ? {
          status: tx.status,
          detail: tx.detail,
          duration_ms: tx.duration_ms,
          transaction_id: t?.transaction_id ?? null,
          energy_wh: t?.energy_wh ?? null,
          energy_kwh: t ? Number((t.energy_wh / 1000).toFixed(3)) : null,
          meter_start_wh: t?.meter_start_wh ?? null,
          meter_stop_wh: t?.meter_stop_wh ?? null,
          meter_readings: t?.meter_readings ?? null,
          readings_wh: t?.readings_wh ?? [],
          charging_s: t?.charging_s ?? null,
        }
      : null,
    warnings: steps.flatMap((st) => st.warnings.map((message) => ({ step: st.name, message }))),
    log_problems: {
      warn: problems.filter((l) => l.level === 'warn').length,
      error: problems.filter((l) => l.level === 'error').length,
      lines: problems.slice(0, LOG_PROBLEMS_SHOWN).map((l) => ({ timestamp: l.timestamp, level: l.level, step: l.step, message: l.message })),
    },
    issues,
  };
}

export function buildReport(answers: ChargePointAnswers[], server: ServerInfo, generatedAt: string, generator: string): Report {
  const charge_points = answers.map(chargePointReport);
  const count = (status: VerdictStatus): number => charge_points.filter((c) => c.verdict.status === status).length;
  const signOff = charge_points.filter((c) => c.verdict.sign_off).length;
  const n = charge_points.length;
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    generated_at: generatedAt,
    generator,
    server,
    summary: {
      charge_points: n,
      commissioned: count('commissioned'),
      passed: count('passed'),
      not_passed: count('not_passed'),
      in_progress: count('in_progress'),
      not_started: count('not_started'),
      sign_off: signOff,
      headline: `${signOff} of ${n} charge point${n === 1 ? '' : 's'} ready for sign-off`,
    },
    charge_points,
  };
}

/** A number of milliseconds as people read it: `342 ms`, `8.2 s`, `2 min 15 s`. */
export function duration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
