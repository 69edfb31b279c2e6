import type { SessionRecord, SessionResult, SessionStatus, StatusResponse, StepName, StepState, StepStatus } from '../../api/contract.js';
import type { Db } from './db.js';

export interface Step {
  position: number;
  name: StepName;
  status: StepStatus;
  durationMs: number | null;
  detail: string | null;
  /** A passed step's reservations (rejected optional settings, 0 Wh, a late heartbeat). */
  warnings: string[];
}

export interface Session {
  id: string;
  chargePointId: string;
  templateId: string;
  skipTestTransaction: boolean;
  status: SessionStatus;
  result: SessionResult;
  startedAt: string;
  completedAt: string | null;
  pausedAt: string | null;
  pausedAtStep: StepName | null;
  resumedAt: string | null;
  estimatedDurationSeconds: number;
  failureReason: string | null;
  supersededBy: string | null;
  origin: 'local' | 'synced';
  steps: Step[];
}

export type SessionPatch = Partial<
  Pick<Session, 'status' | 'result' | 'completedAt' | 'pausedAt' | 'pausedAtStep' | 'resumedAt' | 'failureReason' | 'supersededBy'>
>;
export type StepPatch = Partial<Pick<Step, 'status' | 'durationMs' | 'detail' | 'warnings'>>;

interface Row {
  id: string;
  charge_point_id: string;
  template_id: string;
  skip_test_transaction: number;
  status: SessionStatus;
  result: SessionResult;
  started_at: string;
  completed_at: string | null;
  paused_at: string | null;
  paused_at_step: StepName | null;
  resumed_at: string | null;
  estimated_duration_seconds: number;
  failure_reason: string | null;
  superseded_by: string | null;
  origin: 'local' | 'synced';
}

interface StepRow {
  position: number;
  name: StepName;
  status: StepStatus;
  duration_ms: number | null;
  detail: string | null;
  warnings: string | null;
}

const COLUMNS: Record<keyof SessionPatch, string> = {
  status: 'status',
  result: 'result',
  completedAt: 'completed_at',
  pausedAt: 'paused_at',
  pausedAtStep: 'paused_at_step',
  resumedAt: 'resumed_at',
  failureReason: 'failure_reason',
  supersededBy: 'superseded_by',
};

const STEP_COLUMNS: Record<keyof StepPatch, string> = { status: 'status', durationMs: 'duration_ms', detail: 'detail', warnings: 'warnings' };

function setClause<P extends object>(patch: P, columns: Record<keyof P, string>): { sql: string; values: unknown[] } {
  const keys = (Object.keys(patch) as (keyof P)[]).filter((k) => patch[k] !== undefined);
  // Lists (a step's warnings) are stored as JSON; an empty one as nothing.
  const value = (v: unknown): unknown => (Array.isArray(v) ? (v.length > 0 ? JSON.stringify(v) : null) : v);
  return { sql: keys.map((k) => `${columns[k]} = ?`).join(', '), values: keys.map((k) => value(patch[k])) };
}

export class Sessions {
  constructor(private readonly db: Db) {}

  create(session: Omit<Session, 'steps'>, stepNames: readonly StepName[]): Session {
    this.db
      .prepare(
        `INSERT INTO sessions (id, charge_point_id, template_id, skip_test_transaction, status, result, started_at,
           completed_at, paused_at, paused_at_step, resumed_at, estimated_duration_seconds, failure_reason, superseded_by, origin)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        session.id,
        session.chargePointId,
        session.templateId,
        session.skipTestTransaction ? 1 : 0,
        session.status,
        session.result,
        session.startedAt,
        session.completedAt,
        session.pausedAt,
        session.pausedAtStep,
        session.resumedAt,
        session.estimatedDurationSeconds,
        session.failureReason,
        session.supersededBy,
        session.origin,
      );
    const insertStep = this.db.prepare('INSERT INTO steps (session_id, position, name, status) VALUES (?, ?, ?, ?)');
    stepNames.forEach((name, position) => insertStep.run(session.id, position, name, 'pending'));
    return { ...session, steps: stepNames.map((name, position) => ({ position, name, status: 'pending', durationMs: null, detail: null, warnings: [] })) };
  }

  get(id: string): Session | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return row && this.hydrate(row);
  }

  /** The most recent session of a charge point (running, paused or finished). */
  latest(chargePointId: string): Session | undefined {
    const row = this.db
      .prepare('SELECT * FROM sessions WHERE charge_point_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1')
      .get(chargePointId) as Row | undefined;
    return row && this.hydrate(row);
  }

  active(chargePointId: string): Session | undefined {
    const row = this.db
      .prepare("SELECT * FROM sessions WHERE charge_point_id = ? AND status IN ('running', 'paused') ORDER BY rowid DESC LIMIT 1")
      .get(chargePointId) as Row | undefined;
    return row && this.hydrate(row);
  }

  /**
   * How long the latest sessions of this kind took to pass here, in seconds: never paused, so the
   * time is the chargers' and the site's, not a coffee break.
   */
  recentPassedDurations(templateId: string, skipTestTransaction: boolean, limit = 20): number[] {
    const rows = this.db
      .prepare(
        `SELECT (julianday(completed_at) - julianday(started_at)) * 86400 AS seconds FROM sessions
         WHERE template_id = ? AND skip_test_transaction = ? AND result = 'passed' AND paused_at IS NULL AND origin = 'local' AND completed_at IS NOT NULL
         ORDER BY rowid DESC LIMIT ?`,
      )
      .all(templateId, skipTestTransaction ? 1 : 0, limit) as { seconds: number | null }[];
    return rows.flatMap((r) => (r.seconds !== null && r.seconds >= 0 ? [r.seconds] : []));
  }

  /** Sessions a previous process left running or paused. */
  unfinished(): Session[] {
    const rows = this.db.prepare("SELECT * FROM sessions WHERE status IN ('running', 'paused') AND origin = 'local'").all() as Row[];
    return rows.map((r) => this.hydrate(r));
  }

  update(id: string, patch: SessionPatch): void {
    const { sql, values } = setClause(patch, COLUMNS);
    if (sql) this.db.prepare(`UPDATE sessions SET ${sql} WHERE id = ?`).run(...values, id);
  }

  updateStep(id: string, position: number, patch: StepPatch): void {
    const { sql, values } = setClause(patch, STEP_COLUMNS);
    if (sql) this.db.prepare(`UPDATE steps SET ${sql} WHERE session_id = ? AND position = ?`).run(...values, id, position);
  }

  /** Sync: stores another site's final session record as sent; a repeated PUT overwrites it. */
  upsertRecord(record: SessionRecord): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM steps WHERE session_id = ?').run(record.session_id);
      this.db
        .prepare(
          `INSERT INTO sessions (id, charge_point_id, template_id, status, result, started_at, completed_at, paused_at,
             paused_at_step, failure_reason, origin)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'synced')
           ON CONFLICT(id) DO UPDATE SET template_id = excluded.template_id, status = excluded.status, result = excluded.result,
             started_at = excluded.started_at, completed_at = excluded.completed_at, paused_at = excluded.paused_at,
             paused_at_step = excluded.paused_at_step, failure_reason = excluded.failure_reason`,
        )
        .run(
          record.session_id,
          record.charge_point_id,
          record.template_id ?? 'unknown',
          record.status,
          record.result,
          record.started_at,
          record.completed_at,
          record.paused_at ?? null,
          record.paused_at_step ?? null,
          record.failure_reason ?? null,
        );
      const insertStep = this.db.prepare('INSERT INTO steps (session_id, position, name, status, duration_ms, detail, warnings) VALUES (?, ?, ?, ?, ?, ?, ?)');
      record.steps.forEach((s, position) =>
        insertStep.run(record.session_id, position, s.name, s.status, s.duration_ms ?? null, s.detail ?? null, s.warnings?.length ? JSON.stringify(s.warnings) : null),
      );
    })();
  }

  private hydrate(row: Row): Session {
    const steps = (this.db.prepare('SELECT * FROM steps WHERE session_id = ? ORDER BY position').all(row.id) as StepRow[]).map((s) => ({
      position: s.position,
      name: s.name,
      status: s.status,
      durationMs: s.duration_ms,
      detail: s.detail,
      warnings: s.warnings ? (JSON.parse(s.warnings) as string[]) : [],
    }));
    return {
      id: row.id,
      chargePointId: row.charge_point_id,
      templateId: row.template_id,
      skipTestTransaction: row.skip_test_transaction === 1,
      status: row.status,
      result: row.result,
      startedAt: row.started_at,
      completedAt: row.completed_at,
      pausedAt: row.paused_at,
      pausedAtStep: row.paused_at_step,
      resumedAt: row.resumed_at,
      estimatedDurationSeconds: row.estimated_duration_seconds,
      failureReason: row.failure_reason,
      supersededBy: row.superseded_by,
      origin: row.origin,
      steps,
    };
  }
}

export function stepState(step: Step): StepState {
  const state: StepState = { name: step.name, status: step.status };
  if (step.durationMs !== null) state.duration_ms = step.durationMs;
  if (step.detail !== null) state.detail = step.detail;
  if (step.warnings.length > 0) state.warnings = step.warnings;
  return state;
}

/** The API's status document of a session. */
export function toStatusResponse(session: Session): StatusResponse {
  const response: StatusResponse = {
    charge_point_id: session.chargePointId,
    session_id: session.id,
    status: session.status,
    result: session.result,
    started_at: session.startedAt,
    completed_at: session.completedAt,
    steps: session.steps.map(stepState),
    template_id: session.templateId,
  };
  if (session.status === 'paused') {
    if (session.pausedAt) response.paused_at = session.pausedAt;
    response.paused_at_step = session.pausedAtStep;
  }
  if (session.failureReason) response.failure_reason = session.failureReason;
  return response;
}
