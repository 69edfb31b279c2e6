import type { LogLevel, PauseResponse, ResumeResponse, StepName, StopResponse } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { clip } from '../../common/clip.js';
import { isoSeconds } from '../../common/time.js';
import type { Session, Step, StepPatch } from '../store/sessions.js';
import type { Store } from '../store/store.js';
import { Gate, SessionAborted, SessionStopped } from './gate.js';
import { SessionLogBudget } from './log-budget.js';
import { redactFrame } from './redact.js';
import { type EngineSettings, stepTimeoutS } from './settings.js';
import { type ChargePointLink, StepContext, StepEnded } from './step-context.js';
import { configuration } from './steps/configuration.js';
import { connectivity } from './steps/connectivity.js';
import { connectorTest } from './steps/connector-test.js';
import { heartbeat } from './steps/heartbeat.js';
import { failed, type StepOutcome } from './steps/outcome.js';
import { testTransaction } from './steps/test-transaction.js';
import type { Template } from './templates.js';

const STEPS: Record<StepName, (ctx: StepContext) => Promise<StepOutcome>> = {
  connectivity,
  heartbeat,
  configuration,
  connector_test: connectorTest,
  test_transaction: testTransaction,
};

/** Longer frames are logged cut, with their length: the point is what came, not all of it. */
const FRAME_LOG_LIMIT = 4000;
/** Problems quote what the peer sent (an unknown action name may be a megabyte long). */
export const PROBLEM_LOG_LIMIT = 500;


function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `Stopped by an OCPP error: ${message}`;
}

/**
 * Runs one session's steps in order against one charge point. Pause takes effect between OCPP
 * calls; stop and engine failures end the session at once. Every state change is written before
 * it is acknowledged, and a failed step ends the session with the rest skipped.
 */
export class SessionRunner {
  readonly gate = new Gate();
  private current: { position: number; name: StepName; startedAt: number; pausedMs: number } | null = null;
  private pausedSince: number | null = null;
  private progress: string | null = null;
  /** What the step was doing when its charge point went away, shown again when it is back. */
  private beforeDisconnect: string | null = null;
  private ctx: StepContext | null = null;
  private finished = false;
  private graceCancel: (() => void) | null = null;
  private readonly budget: SessionLogBudget;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private session: Session,
    private readonly template: Template,
    private readonly store: Store,
    private readonly settings: EngineSettings,
    private readonly link: ChargePointLink,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.budget = new SessionLogBudget(settings.logBudget);
  }

  get sessionId(): string {
    return this.session.id;
  }

  get chargePointId(): string {
    return this.session.chargePointId;
  }

  /** False once the session has ended: frames after that belong to no session. */
  get active(): boolean {
    return !this.finished;
  }

  /** The step the session is in, for log lines (frames included). */
  get currentStep(): StepName | null {
    return this.current?.name ?? null;
  }

  /** What the running step is doing now. */
  get currentProgress(): { step: StepName; detail: string } | null {
    return this.current && this.progress ? { step: this.current.name, detail: this.progress } : null;
  }

  log(level: LogLevel, message: string, step: StepName | null = this.currentStep, at = Date.now()): void {
    this.store.logs.append(this.session.id, this.session.chargePointId, level, step, message, at);
  }

  /** A frame to or from this session's charge point: a debug line while the log budget lasts. */
  logFrame(direction: 'in' | 'out', frame: string, at: number): void {
    const verdict = this.budget.frame(frame.length);
    if (verdict === 'log') this.log('debug', `${direction === 'in' ? 'received' : 'sent'} ${clip(redactFrame(frame), FRAME_LOG_LIMIT)}`, this.currentStep, at);
    else if (verdict === 'first-dropped') this.log('warn', this.budget.spentLine('frames'));
  }

  /** Something the charge point sent that could not be processed: a warning while the budget lasts. */
  logProblem(message: string): void {
    this.logCounted('warn', `OCPP problem: ${clip(message, PROBLEM_LOG_LIMIT)}`);
  }

  /**
   * A line the charge point can make us write as often as it likes (a problem, a drop and return):
   * it spends the problem budget, so a charge point that reconnects in a loop cannot grow the log.
   */
  private logCounted(level: LogLevel, message: string): void {
    const verdict = this.budget.problem();
    if (verdict === 'log') this.log(level, message);
    else if (verdict === 'first-dropped') this.log('warn', this.budget.spentLine('problems'));
  }

  /** Before a session's last line: what the budget kept out of its log. */
  private sayWhatWasNotLogged(): void {
    const summary = this.budget.summary();
    if (summary) this.log('warn', summary);
  }

  async run(): Promise<void> {
    try {
      for (const step of this.session.steps) {
        if (step.status !== 'pending') continue;
        if (step.name === 'test_transaction' && this.session.skipTestTransaction) {
          this.writeStep(step.position, { status: 'skipped', detail: 'Skipped: skip_test_transaction was requested' });
          this.log('info', 'Step test_transaction skipped at the installer\'s request', 'test_transaction');
          continue;
        }
        await this.gate.pass();
        const outcome = await this.runStep(step.position, step.name);
        if (this.finished) return;
        if (outcome.status === 'failed') {
          this.finish('failed');
          return;
        }
      }
      this.finish('passed');
    } catch (err) {
      if (err instanceof SessionStopped || this.finished) return;
      const reason = err instanceof SessionAborted ? err.message : `Internal error: ${err instanceof Error ? err.message : String(err)}`;
      this.abortCurrent(reason);
    } finally {
      await this.ctx?.runCleanups();
      this.graceCancel?.();
      this.store.logs.barrier();
      this.resolveDone();
    }
  }

  private async runStep(position: number, name: StepName): Promise<StepOutcome> {
    this.current = { position, name, startedAt: Date.now(), pausedMs: 0 };
    this.progress = null;
    this.writeStep(position, { status: 'running' });
    this.log('info', `Step ${name} started`);
    const ctx = new StepContext(
      name,
      this.template,
      this.settings,
      this.link,
      this.gate,
      (level, message) => this.log(level, message, name),
      (detail) => {
        this.progress = detail;
      },
    );
    this.ctx = ctx;
    const limitS = stepTimeoutS(this.settings, name, this.template.step_timeouts_seconds);
    let cancelLimit = (): void => undefined;
    const limit = new Promise<StepOutcome>((resolve) => {
      cancelLimit = this.gate.timer(limitS * 1000, () => {
        resolve(failed(`Did not finish within ${limitS} s${this.progress ? ` (last: ${this.progress})` : ''}`));
      });
    });
    const work = STEPS[name](ctx).catch((err: unknown) => {
      if (err instanceof SessionStopped || err instanceof SessionAborted) throw err;
      if (err instanceof StepEnded) return failed('Ended');
      return failed(describeError(err));
    });
    // The race may be won by the limit; the step's own rejection then has nobody to hear it.
    work.catch(() => undefined);
    let outcome: StepOutcome;
    try {
      outcome = await Promise.race([work, limit]);
    } finally {
      cancelLimit();
      ctx.end(new StepEnded('step ended'));
    }
    await ctx.runCleanups();
    if (this.finished) return outcome;
    const durationMs = Date.now() - this.current.startedAt - this.current.pausedMs - (this.pausedSince ? Date.now() - this.pausedSince : 0);
    const warnings = outcome.status === 'passed' ? ctx.warnings : [];
    this.writeStep(position, { status: outcome.status, durationMs: Math.max(0, durationMs), detail: outcome.detail, warnings });
    const also = warnings.length > 0 ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : '';
    this.log(outcome.status === 'passed' ? 'info' : 'error', `Step ${name} ${outcome.status}${also}: ${outcome.detail}`);
    this.current = null;
    this.progress = null;
    if (this.gate.paused) {
      const next = this.session.steps.find((s) => s.position > position && s.status === 'pending');
      this.store.write(() => this.store.sessions.update(this.session.id, { pausedAtStep: next?.name ?? null }));
      this.session.pausedAtStep = next?.name ?? null;
    }
    return outcome;
  }

  pause(): PauseResponse {
    if (this.session.status !== 'running') throw new ApiError('invalid_session_state', `session ${this.session.id} is ${this.session.status}, not running`);
    this.gate.pause();
    this.pausedSince = Date.now();
    const at = isoSeconds();
    const step = this.currentStep ?? this.session.steps.find((s) => s.status === 'pending')?.name ?? null;
    this.store.write(() => this.store.sessions.update(this.session.id, { status: 'paused', pausedAt: at, pausedAtStep: step }));
    Object.assign(this.session, { status: 'paused', pausedAt: at, pausedAtStep: step });
    this.log('info', `Paused by the installer${step ? ` at step ${step}` : ''}; a call already sent completes first`, step);
    return { charge_point_id: this.chargePointId, session_id: this.sessionId, status: 'paused', paused_at: at, paused_at_step: step };
  }

  resume(): ResumeResponse {
    if (this.session.status !== 'paused') throw new ApiError('invalid_session_state', `session ${this.session.id} is ${this.session.status}, not paused`);
    const at = isoSeconds();
    const step = this.session.pausedAtStep;
    if (this.current && this.pausedSince) this.current.pausedMs += Date.now() - this.pausedSince;
    this.pausedSince = null;
    this.store.write(() =>
      this.store.sessions.update(this.session.id, { status: 'running', resumedAt: at, pausedAt: null, pausedAtStep: null }),
    );
    Object.assign(this.session, { status: 'running', resumedAt: at, pausedAt: null, pausedAtStep: null });
    this.log('info', `Resumed by the installer${step ? ` at step ${step}` : ''}`, step);
    this.gate.resume();
    return { charge_point_id: this.chargePointId, session_id: this.sessionId, status: 'running', resumed_at: at, resuming_at_step: step };
  }

  /** Stops at once; `supersededBy` when a restart replaces this session. */
  stop(supersededBy: string | null = null): StopResponse {
    const at = isoSeconds();
    this.finished = true;
    this.sayWhatWasNotLogged();
    this.store.write(() => {
      for (const step of this.session.steps) {
        if (step.status === 'running') this.writeStepNow(step.position, { status: 'skipped', detail: 'Stopped by the installer' });
        else if (step.status === 'pending') this.writeStepNow(step.position, { status: 'skipped' });
      }
      this.store.sessions.update(this.session.id, { status: 'stopped', result: null, completedAt: at, supersededBy });
      this.store.outbox.add('session', this.session.id, this.session.chargePointId);
    });
    this.session.status = 'stopped';
    this.log('info', supersededBy ? `Stopped by a restart; the new session is ${supersededBy}` : 'Stopped by the installer');
    this.gate.end(new SessionStopped());
    return { charge_point_id: this.chargePointId, session_id: this.sessionId, status: 'stopped', stopped_at: at };
  }

  /** The charge point went away; the session fails unless it is back within the grace period. */
  disconnected(code: number, reason: string): void {
    if (this.finished || this.graceCancel) return;
    const grace = this.settings.reconnectGraceS;
    const since = isoSeconds();
    this.logCounted('warn', `Charge point disconnected (${code}${reason ? `, ${clip(reason, 120)}` : ''}); waiting up to ${grace} s for it to return`);
    // What the running step shows while it waits, so every view says so at once.
    this.beforeDisconnect = this.progress;
    this.progress = `charger disconnected; waiting up to ${grace} s for it to return`;
    this.graceCancel = this.gate.timer(grace * 1000, () => {
      this.graceCancel = null;
      this.gate.end(new SessionAborted(`Charge point disconnected at ${since} and did not return within ${grace} s: check its power and its network link (cable, Wi-Fi or 4G signal)`));
    });
  }

  reconnected(): void {
    if (!this.graceCancel) return;
    this.graceCancel();
    this.graceCancel = null;
    this.progress = this.beforeDisconnect === null ? 'charger reconnected; continuing' : this.beforeDisconnect;
    this.logCounted('info', 'Charge point reconnected; continuing');
  }

  private abortCurrent(reason: string): void {
    this.finished = true;
    this.sayWhatWasNotLogged();
    const at = isoSeconds();
    this.store.write(() => {
      for (const step of this.session.steps) {
        if (step.status === 'running') this.writeStepNow(step.position, { status: 'failed', detail: reason });
        else if (step.status === 'pending') this.writeStepNow(step.position, { status: 'skipped' });
      }
      this.store.sessions.update(this.session.id, { status: 'failed', result: 'failed', completedAt: at, failureReason: reason });
      this.store.outbox.add('session', this.session.id, this.session.chargePointId);
    });
    this.session.status = 'failed';
    this.log('error', `Session failed: ${reason}`);
  }

  /** Every step ran or was skipped: completed, passed unless a step failed. */
  private finish(result: 'passed' | 'failed'): void {
    this.finished = true;
    this.sayWhatWasNotLogged();
    const at = isoSeconds();
    this.store.write(() => {
      for (const step of this.session.steps) {
        if (step.status === 'pending') this.writeStepNow(step.position, { status: 'skipped' });
      }
      this.store.sessions.update(this.session.id, { status: 'completed', result, completedAt: at });
      this.store.outbox.add('session', this.session.id, this.session.chargePointId);
    });
    this.session.status = 'completed';
    this.log(result === 'passed' ? 'info' : 'error', `Session completed: ${result}`, null);
  }

  private writeStep(position: number, patch: StepPatch & { status: Step['status'] }): void {
    this.store.write(() => this.writeStepNow(position, patch));
  }

  private writeStepNow(position: number, patch: StepPatch & { status: Step['status'] }): void {
    this.store.sessions.updateStep(this.session.id, position, patch);
    Object.assign(this.session.steps[position]!, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
  }
}
