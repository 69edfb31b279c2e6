import type {
  ApplyTemplateResponse,
  CommissionResponse,
  Diagnostics,
  LogLevel,
  PauseResponse,
  ResumeResponse,
  StartResponse,
  StatusResponse,
  StepName,
  StopResponse,
  TemplateChoice,
} from '../../api/contract.js';
import { sessionStartLine } from '../../api/session-facts.js';
import { ApiError } from '../../api/errors.js';
import { clip } from '../../common/clip.js';
import { newId } from '../../common/ids.js';
import { hashPassword } from '../../common/password.js';
import { isoSeconds } from '../../common/time.js';
import { type AnyChargePoint, ChargePoint16 } from '../../ocpp/csms/charge-point.js';
import type { CsmsServer } from '../../ocpp/csms/server.js';
import { ConnectionClosedError } from '../../ocpp/errors.js';
import { describeError } from '../../ocpp/guarded-emit.js';
import type { FirmwareStatusNotificationRequest } from '../../ocpp/ocpp16.js';
import { stepState, toStatusResponse } from '../store/sessions.js';
import type { Store } from '../store/store.js';
import { buildDiagnostics } from './diagnostics.js';
import type { PushResult, Setting } from './protocol/adapter.js';
import { versionOf } from './protocol/adapters.js';
import { Gate, SessionAborted } from './gate.js';
import { KeyedLock } from './keyed-lock.js';
import { redactConfiguration } from './redact.js';
import { PROBLEM_LOG_LIMIT, SessionRunner } from './session-runner.js';
import { LineDigest } from '../line-digest.js';
import type { EngineSettings } from './settings.js';
import { type ChargePointLink, StepContext } from './step-context.js';
import type { Template, TemplateCatalog } from './templates.js';

export type ServerLog = (message: string) => void;

/**
 * How long a session should take, for the start response: the median of the latest that passed
 * here with this template (the second charger of a site takes what the first took), else a
 * reckoning from the template.
 */
function estimateSeconds(template: Template, skipTestTransaction: boolean, recent: number[], chargeSeconds: number): number {
  if (recent.length >= 3) {
    const sorted = [...recent].sort((a, b) => a - b);
    return Math.max(1, Math.round(sorted[Math.floor(sorted.length / 2)]!));
  }
  const per: Record<StepName, number> = {
    connectivity: 2,
    heartbeat: 3,
    configuration: 5 + template.configuration.length,
    connector_test: 15,
    test_transaction: skipTestTransaction ? 0 : chargeSeconds + 15,
  };
  return template.steps.reduce((sum, s) => sum + per[s], 0);
}

/**
 * The commissioning engine: one runner per charge point with an active session, fed by the
 * OCPP server's events. It never sees HTTP: routes call it and map its ApiErrors.
 */
export class CommissioningEngine {
  private readonly runners = new Map<string, SessionRunner>();
  private readonly callListeners = new Map<string, Set<(action: string, request: unknown, response: unknown) => void>>();
  private readonly connectWaiters = new Map<string, Set<(cp: AnyChargePoint) => void>>();
  private readonly configLock = new KeyedLock();
  /** Stations being configured while Pending (--pending-until-configured), one run each at a time. */
  private readonly configuringPending = new Set<string>();
  private readonly problems: LineDigest;
  private readonly churn: LineDigest;

  constructor(
    private readonly store: Store,
    private readonly csms: CsmsServer,
    private readonly templates: TemplateCatalog,
    private readonly settings: EngineSettings,
    private readonly serverLog: ServerLog,
    /** Work that owns the charge point outside any session (a firmware update rebooting it), said as why a start must wait. */
    private readonly busyOutsideSessions: (chargePointId: string) => string | null = () => null,
  ) {
    this.problems = new LineDigest(serverLog, 'OCPP problems');
    this.churn = new LineDigest(serverLog, 'connections and disconnections');
    csms.on('connected', (cp) => this.onConnected(cp));
    csms.on('disconnected', (cp, code, reason) => this.onDisconnected(cp, code, reason));
    csms.on('booted', (cp, boot) => {
      this.store.observe(() => this.store.chargePoints.recordBoot(cp.id, boot, new Date()));
      const registration = this.csms.state(cp.id)?.registration;
      const pending = registration === 'Pending' ? '; answered Pending until it is configured' : '';
      this.serverLog(`${cp.id} booted: ${boot.vendor} ${boot.model}${boot.firmwareVersion ? ` (firmware ${boot.firmwareVersion})` : ''}${pending}`);
      // After the answer is out: the station may not be asked anything before it has it.
      if (registration === 'Pending') setImmediate(() => void this.configurePending(cp.id));
    });
    csms.on('call', (cp, action, request, response) => this.onCall(cp.id, action, request, response));
    csms.on('frame', (chargePointId, direction, frame, at) => {
      const runner = this.runners.get(chargePointId);
      if (runner?.active) runner.logFrame(direction, frame, at);
    });
    csms.on('problem', (id, problem) => {
      const runner = this.runners.get(id);
      if (runner?.active) runner.logProblem(problem.message);
      this.problems.record(id, clip(problem.message, PROBLEM_LOG_LIMIT));
    });
  }

  /** Sessions a previous process left running are failed, with a log line saying why. */
  recoverInterrupted(): number {
    const unfinished = this.store.sessions.unfinished();
    const at = isoSeconds();
    const reason = 'The server stopped while this session was running (crash or power loss)';
    for (const session of unfinished) {
      this.store.logs.append(session.id, session.chargePointId, 'error', null, `Session failed: ${reason}; marked failed at restart`);
      this.store.write(() => {
        for (const step of session.steps) {
          if (step.status === 'running') {
            this.store.sessions.updateStep(session.id, step.position, { status: 'failed', detail: 'Interrupted: the server stopped during this step' });
          } else if (step.status === 'pending') {
            this.store.sessions.updateStep(session.id, step.position, { status: 'skipped' });
          }
        }
        this.store.sessions.update(session.id, { status: 'failed', result: 'failed', completedAt: at, failureReason: reason });
        this.store.outbox.add('session', session.id, session.chargePointId);
      });
    }
    return unfinished.length;
  }

  start(chargePointId: string, options: { templateId?: string; skipTestTransaction?: boolean; installerId?: string | null }): StartResponse {
    const record = this.requireChargePoint(chargePointId);
    if (record.commissionedAt) throw new ApiError('already_commissioned', `${chargePointId} was commissioned at ${record.commissionedAt}`);
    const active = this.store.sessions.active(chargePointId);
    if (active) throw new ApiError('session_already_running', `session ${active.id} is ${active.status} for ${chargePointId}`);
    this.requireNotBusyOutsideSessions(chargePointId);
    const { template, choice } = this.chooseTemplate(chargePointId, options.templateId);
    if (!this.csms.chargePoint(chargePointId)) {
      throw new ApiError('not_connected', `${chargePointId} is not connected over OCPP; check its Central System URL and credentials`);
    }
    return { ...this.begin(chargePointId, template, options.skipTestTransaction ?? false, null, { installerId: options.installerId ?? null }), template_choice: choice };
  }

  /**
   * A commissioned charge point (its board replaced, say) commissioned again: a new session whose
   * first log line says who asked, when, and which commissioning it sets aside. `inWrite` runs in
   * the transaction that creates the session and clears the commissioning, so none of the three
   * exists without the others.
   */
  recommission(
    chargePointId: string,
    options: { templateId?: string; skipTestTransaction?: boolean; installerId?: string | null },
    by: string,
    inWrite: (session: { id: string; previousSessionId: string | null; previousAt: string; at: string }) => void,
  ): StartResponse {
    const record = this.requireChargePoint(chargePointId);
    if (!record.commissionedAt) throw new ApiError('invalid_session_state', `${chargePointId} is not commissioned: start it without --recommission`);
    const active = this.store.sessions.active(chargePointId);
    if (active) throw new ApiError('session_already_running', `session ${active.id} is ${active.status} for ${chargePointId}`);
    this.requireNotBusyOutsideSessions(chargePointId);
    const { template, choice } = this.chooseTemplate(chargePointId, options.templateId);
    if (!this.csms.chargePoint(chargePointId)) throw new ApiError('not_connected', `${chargePointId} is not connected over OCPP; check its Central System URL and credentials`);
    const previous = { previousSessionId: record.commissionedSessionId, previousAt: record.commissionedAt };
    const at = isoSeconds();
    const note = `Re-commissioning ${chargePointId}, asked by ${by} at ${at}: the commissioning of ${previous.previousAt} (session ${previous.previousSessionId ?? 'unknown'}) is set aside`;
    const started = this.begin(chargePointId, template, options.skipTestTransaction ?? false, null, {
      installerId: options.installerId ?? null,
      inWrite: (sessionId) => {
        this.store.chargePoints.clearCommissioned(chargePointId);
        inWrite({ id: sessionId, ...previous, at });
      },
      firstLine: note,
    });
    this.serverLog(`${chargePointId}: ${note}`);
    return { ...started, template_choice: choice };
  }

  restart(chargePointId: string, options: { templateId?: string; installerId?: string | null }): StartResponse {
    const record = this.requireChargePoint(chargePointId);
    if (record.commissionedAt) throw new ApiError('already_commissioned', `${chargePointId} was commissioned at ${record.commissionedAt}`);
    this.requireNotBusyOutsideSessions(chargePointId);
    const previous = this.store.sessions.latest(chargePointId);
    const { template, choice } = this.chooseTemplate(chargePointId, options.templateId ?? previous?.templateId);
    if (!this.csms.chargePoint(chargePointId)) throw new ApiError('not_connected', `${chargePointId} is not connected over OCPP`);
    const id = newId('comm');
    const runner = this.runners.get(chargePointId);
    if (runner) {
      runner.stop(id);
      this.runners.delete(chargePointId);
    }
    // The previous session's template counts as the last used one when none is given.
    const why: TemplateChoice = options.templateId ? 'given' : previous ? 'last_used' : choice;
    return { ...this.begin(chargePointId, template, previous?.skipTestTransaction ?? false, id, { installerId: options.installerId ?? null }), template_choice: why };
  }

  /** A session started meanwhile would fail for the reboot, and its checks would hold up the update's. */
  private requireNotBusyOutsideSessions(chargePointId: string, then = 'start the session'): void {
    const busy = this.busyOutsideSessions(chargePointId);
    if (busy) throw new ApiError('invalid_session_state', `${busy} on ${chargePointId}; ${then} once it has ended`);
  }

  private begin(
    chargePointId: string,
    template: Template,
    skipTestTransaction: boolean,
    id: string | null,
    /** Who asked; what else the session's first write holds; a line logged before the others. */
    how: { installerId: string | null; inWrite?: (sessionId: string) => void; firstLine?: string },
  ): StartResponse {
    const { installerId, inWrite, firstLine } = how;
    const startedAt = isoSeconds();
    const sessionId = id ?? newId('comm');
    const session = this.store.write(() => {
      inWrite?.(sessionId);
      return this.store.sessions.create(
        {
          id: sessionId,
          chargePointId,
          templateId: template.template_id,
          skipTestTransaction,
          status: 'running',
          result: null,
          startedAt,
          completedAt: null,
          pausedAt: null,
          pausedAtStep: null,
          resumedAt: null,
          estimatedDurationSeconds: estimateSeconds(
            template,
            skipTestTransaction,
            this.store.sessions.recentPassedDurations(template.template_id, skipTestTransaction),
            this.settings.testTransaction.duration_seconds ?? template.test_transaction.duration_seconds,
          ),
          failureReason: null,
          supersededBy: null,
          origin: 'local',
        },
        template.steps,
      );
    });
    this.store.chargePoints.setTemplate(chargePointId, template.template_id);
    const runner = new SessionRunner(session, template, this.store, this.settings, this.link(chargePointId, session.id));
    this.runners.set(chargePointId, runner);
    if (firstLine) runner.log('info', firstLine, null);
    runner.log('info', `Session started with template ${template.template_id}${skipTestTransaction ? ' (test transaction skipped)' : ''}`, null);
    // Who ran it, in the log rather than a column: the log is what reaches the hosted API.
    runner.log('info', sessionStartLine({ installer_id: installerId, template_id: template.template_id, skip_test_transaction: skipTestTransaction }), null);
    this.serverLog(`${chargePointId}: commissioning session ${session.id} started (${template.template_id})`);
    void runner.run().then(() => this.finished(runner));
    return {
      charge_point_id: chargePointId,
      session_id: session.id,
      status: 'running',
      started_at: startedAt,
      estimated_duration_seconds: session.estimatedDurationSeconds,
      steps: session.steps.map(stepState),
      template_id: template.template_id,
    };
  }

  private finished(runner: SessionRunner): void {
    if (this.runners.get(runner.chargePointId) === runner) this.runners.delete(runner.chargePointId);
    this.store.logs.release(runner.sessionId);
    const session = this.store.sessions.get(runner.sessionId);
    if (!session) return;
    // "failed (failed)" says nothing; why it failed is what the operator watching local up needs.
    const result = session.result && session.result !== session.status ? ` (${session.result})` : '';
    const why = session.status === 'failed' && session.failureReason ? `: ${clip(session.failureReason, 200)}` : '';
    this.serverLog(`${session.chargePointId}: session ${session.id} ${session.status}${result}${why}`);
  }

  status(chargePointId: string): StatusResponse {
    this.requireChargePoint(chargePointId);
    const session = this.store.sessions.latest(chargePointId);
    if (!session) throw new ApiError('not_found', `no commissioning session for ${chargePointId} yet`);
    const response = toStatusResponse(session);
    const progress = this.runners.get(chargePointId)?.currentProgress;
    if (progress) {
      const step = response.steps.find((s) => s.name === progress.step && s.status === 'running');
      if (step) step.detail = progress.detail;
    }
    return response;
  }

  pause(chargePointId: string): PauseResponse {
    return this.activeRunner(chargePointId).pause();
  }

  resume(chargePointId: string): ResumeResponse {
    return this.activeRunner(chargePointId).resume();
  }

  stop(chargePointId: string): StopResponse {
    const runner = this.activeRunner(chargePointId);
    this.runners.delete(chargePointId);
    return runner.stop();
  }

  /** Says the problems counted so far instead of waiting for the end of the minute. */
  flushProblems(): void {
    this.problems.flush();
    this.churn.flush();
  }

  /** Ends every running session as failed with `reason`, and waits for their clean-ups. */
  async shutdown(reason: string): Promise<void> {
    this.problems.stop();
    this.churn.stop();
    const runners = [...this.runners.values()];
    for (const runner of runners) runner.gate.end(new SessionAborted(reason));
    await Promise.all(runners.map((r) => r.done));
  }

  async applyTemplate(chargePointId: string, templateId: string): Promise<ApplyTemplateResponse> {
    this.requireChargePoint(chargePointId);
    const template = this.template(templateId);
    if (!this.csms.chargePoint(chargePointId)) throw new ApiError('not_connected', `${chargePointId} is not connected over OCPP`);
    // Settings written while the charger installs new firmware may be lost in its reboot, or refused half-way.
    this.requireNotBusyOutsideSessions(chargePointId, 'apply the template');
    const runner = this.runners.get(chargePointId);
    if (runner?.gate.paused && this.configLock.holder(chargePointId) === 'session') {
      throw new ApiError('invalid_session_state', `the session is paused inside its configuration step; resume or stop it before applying a template`);
    }
    const log = (level: LogLevel, message: string): void => {
      if (runner) runner.log(level, message);
      else if (level !== 'debug') this.serverLog(`${chargePointId}: ${message}`);
    };
    const { result, noun } = await this.configureOutsideSession(chargePointId, template, log, 'apply-template', async () => undefined);
    const rejected = result.rejected.map((r) => r.name);
    log('info', `Template ${templateId} applied: ${result.applied.length} ${noun}s applied${rejected.length ? `; rejected: ${rejected.join(', ')}` : ''}`);
    return {
      charge_point_id: chargePointId,
      template_id: template.template_id,
      applied_keys: result.applied.length,
      rejected_keys: rejected,
      applied_at: isoSeconds(),
    };
  }

  /**
   * `local up --pending-until-configured`: a new station, answered Pending at its boot, gets its
   * template's settings (the one its model matches, else the default) and is then registered
   * (asked to boot again, and accepted). Once per connection; a session started meanwhile does it
   * itself, in its configuration step. A required setting not applied leaves it Pending, said.
   */
  private async configurePending(chargePointId: string): Promise<void> {
    if (this.configuringPending.has(chargePointId) || this.runners.get(chargePointId)?.active) return;
    this.configuringPending.add(chargePointId);
    const log = (level: LogLevel, message: string): void => {
      if (level !== 'debug') this.serverLog(`${chargePointId}: ${message}`);
    };
    try {
      const template = this.resolveTemplate(chargePointId, undefined);
      log('info', `configuring it with ${template.template_id} while it is Pending`);
      await this.configureOutsideSession(chargePointId, template, log, 'pending-registration', async (ctx, settings, result) => {
        const missing = settings.filter((s) => s.required && !result.applied.includes(s.name)).map((s) => s.name);
        if (missing.length > 0) {
          log('warn', `stays Pending: required ${missing.join(', ')} not applied (see above); dynamo start ${chargePointId} --local retries and says why`);
          return;
        }
        const accepted = await ctx.protocol.boot.acceptPending(ctx);
        log(accepted.ok ? 'info' : 'warn', accepted.ok ? `configured with ${template.template_id} and registered (BootNotification accepted)` : `configured, but not registered: ${accepted.detail}`);
      });
    } catch (err) {
      // After "retrying when the charge point is back", the operator must learn that the retry is
      // its next connection, not that all is lost.
      log('warn', `stays Pending: configuring it failed (${describeError(err)}); tried again at its next BootNotification or connection`);
    }
  }

  /** The configuration step's push outside a session, under the configuration lock; `then` runs with its context. */
  private async configureOutsideSession(
    chargePointId: string,
    template: Template,
    log: (level: LogLevel, message: string) => void,
    holder: string,
    then: (ctx: StepContext, settings: Setting[], result: PushResult) => Promise<void>,
  ): Promise<{ result: PushResult; noun: string }> {
    const gate = new Gate();
    const ctx = new StepContext(null, template, this.settings, this.link(chargePointId, null), gate, log);
    try {
      const settings = ctx.protocol.configuration.settings(template);
      if (settings === null) {
        throw new ApiError('validation_error', `template ${template.template_id} has no settings for OCPP ${ctx.protocol.version}, which ${chargePointId} speaks`, [{ field: 'template_id', issue: 'wrong_version' }]);
      }
      const result = await this.configLock.run(chargePointId, holder, async () => {
        const pushed = await ctx.protocol.configuration.push(ctx, settings);
        await then(ctx, settings, pushed);
        return pushed;
      });
      this.store.chargePoints.setTemplate(chargePointId, template.template_id);
      return { result, noun: ctx.protocol.configuration.singular };
    } catch (err) {
      if (err instanceof ConnectionClosedError) throw new ApiError('not_connected', `${chargePointId} disconnected while the template was applied`);
      throw err;
    } finally {
      gate.end(new Error(`${holder} finished`));
    }
  }

  /** With `full`, the configuration it last reported (kept with the session that read it). */
  diagnostics(chargePointId: string, options: { full?: boolean } = {}): Diagnostics {
    const record = this.requireChargePoint(chargePointId);
    const diagnostics = buildDiagnostics(record, this.store.chargePoints.configuration(chargePointId) ?? [], this.csms.state(chargePointId));
    return options.full ? { ...diagnostics, configuration_report: this.store.reports.latest(chargePointId) } : diagnostics;
  }

  commission(chargePointId: string): CommissionResponse {
    const record = this.requireChargePoint(chargePointId);
    if (record.commissionedAt) throw new ApiError('already_commissioned', `${chargePointId} was commissioned at ${record.commissionedAt}`);
    const latest = this.store.sessions.latest(chargePointId);
    if (!latest || latest.status !== 'completed' || latest.result !== 'passed') {
      const state = latest ? `its latest session ${latest.id} is ${latest.status}${latest.result ? ` (${latest.result})` : ''}` : 'it has no session';
      throw new ApiError('checks_not_passed', `${chargePointId} cannot be commissioned: ${state}`);
    }
    const at = isoSeconds();
    this.store.write(() => {
      this.store.chargePoints.markCommissioned(chargePointId, latest.id, at);
      // Synced once the session it rests on has been (outbox-sync holds it back until then).
      this.store.outbox.add('commission', latest.id, chargePointId);
    });
    this.serverLog(`${chargePointId}: commissioned (session ${latest.id})`);
    return { charge_point_id: chargePointId, status: 'commissioned', commissioned_at: at, session_id: latest.id };
  }

  private requireChargePoint(id: string) {
    const record = this.store.chargePoints.get(id);
    if (!record) throw new ApiError('not_found', `charge point ${id} not found`);
    return record;
  }

  private activeRunner(chargePointId: string): SessionRunner {
    this.requireChargePoint(chargePointId);
    const runner = this.runners.get(chargePointId);
    if (!runner) throw new ApiError('no_active_session', `no running or paused session for ${chargePointId}`);
    return runner;
  }

  /** A template by id; one whose drop-in file is not valid is named with its file and the reason. */
  private template(id: string): Template {
    const template = this.templates.get(id);
    if (template) return template;
    const invalid = this.templates.invalid().find((p) => p.templateId === id);
    if (!invalid) throw new ApiError('not_found', `template ${id} not found`);
    throw new ApiError('not_found', `template ${id} not found: its file ${invalid.file} is not valid (${invalid.message})`, [
      { field: 'template_id', issue: 'invalid_template_file', file: invalid.file, reason: invalid.message },
    ]);
  }

  /** The template asked for; else the charge point's own; else one made for its model; else the default. */
  private chooseTemplate(chargePointId: string, requested: string | undefined): { template: Template; choice: TemplateChoice } {
    if (requested) return { template: this.template(requested), choice: 'given' };
    const record = this.store.chargePoints.get(chargePointId);
    const last = record?.templateId ? this.templates.get(record.templateId) : undefined;
    if (last) return { template: last, choice: 'last_used' };
    const boot = this.csms.state(chargePointId)?.boot ?? record?.boot;
    const forModel = this.templates.forModel(boot?.vendor, boot?.model);
    if (forModel) return { template: forModel, choice: 'model_match' };
    const fallback = this.templates.get(this.settings.defaultTemplateId);
    if (!fallback) throw new ApiError('not_found', `no template given and the default ${this.settings.defaultTemplateId} is not installed`);
    return { template: fallback, choice: 'default' };
  }

  private resolveTemplate(chargePointId: string, requested: string | undefined): Template {
    return this.chooseTemplate(chargePointId, requested).template;
  }

  /**
   * A session's view of its charge point (`sessionId`), or apply-template's (null), which does not
   * wait for a charge point that is away.
   */
  private link(chargePointId: string, sessionId: string | null): ChargePointLink {
    const waitForReturn = sessionId !== null;
    return {
      chargePointId,
      live: () => this.csms.chargePoint(chargePointId),
      version: () => versionOf(this.csms.chargePoint(chargePointId)?.protocol ?? this.store.chargePoints.get(chargePointId)?.protocol),
      identity: () => {
        const live = this.csms.state(chargePointId);
        if (live?.boot && live.bootedAt) return { identity: live.boot, at: isoSeconds(live.bootedAt) };
        const record = this.store.chargePoints.get(chargePointId);
        return record?.boot && record.bootedAt ? { identity: record.boot, at: record.bootedAt } : null;
      },
      configuration: () => this.store.chargePoints.configuration(chargePointId),
      markConfigured: () => this.store.write(() => this.store.chargePoints.markConfigured(chargePointId, isoSeconds())),
      connection: () => {
        const cp = this.csms.chargePoint(chargePointId);
        if (cp?.isOpen) return Promise.resolve(cp);
        if (!waitForReturn) return Promise.reject(new ConnectionClosedError(`${chargePointId} is not connected`));
        return new Promise((resolve) => {
          const waiters = this.connectWaiters.get(chargePointId) ?? new Set();
          waiters.add(resolve);
          this.connectWaiters.set(chargePointId, waiters);
        });
      },
      state: () => this.csms.state(chargePointId),
      onCall: (listener) => {
        const listeners = this.callListeners.get(chargePointId) ?? new Set();
        listeners.add(listener);
        this.callListeners.set(chargePointId, listeners);
        return () => listeners.delete(listener);
      },
      // Firmware that wrongly reports a write-only key must not put it in the database.
      rememberConfiguration: ({ items }) => {
        const safe = redactConfiguration(items);
        const at = new Date();
        this.store.observe(() => {
          this.store.chargePoints.recordConfiguration(chargePointId, safe, at);
          const protocol = this.csms.chargePoint(chargePointId)?.protocol;
          if (sessionId && protocol) this.store.reports.put(sessionId, chargePointId, protocol, isoSeconds(at), safe);
        });
      },
      exclusive: (holder, fn) => this.configLock.run(chargePointId, holder, fn),
      offerPassword: async (candidates) => {
        const hashes = await Promise.all(candidates.map((p) => hashPassword(p)));
        this.store.write(() => this.store.chargePoints.offerPassword(chargePointId, hashes));
      },
      withdrawOfferedPassword: () => this.store.write(() => this.store.chargePoints.withdrawOfferedPassword(chargePointId)),
    };
  }

  private onConnected(cp: AnyChargePoint): void {
    this.store.observe(() => {
      if (this.csms.isOpenMode) this.store.chargePoints.ensure(cp.id);
      this.store.chargePoints.recordConnection(cp.id, cp.remoteAddress, cp.protocol, cp.connectedAt);
    });
    this.churn.record(cp.id, `connected from ${(cp.remoteAddress ?? '?').replace(/^::ffff:/, '')} (${cp.protocol})`);
    const runner = this.runners.get(cp.id);
    if (runner) {
      runner.reconnected();
      this.askForBootIfSilent(cp, runner);
    } else this.configureIfPendingWithoutBoot(cp);
    const waiters = this.connectWaiters.get(cp.id);
    if (waiters) {
      this.connectWaiters.delete(cp.id);
      for (const resolve of waiters) resolve(cp);
    }
  }

  /**
   * A station kept Pending that reconnects without booting (a 2.0.1 one may) is still Pending,
   * and is configured as if it had booted; one that boots is configured on its boot.
   */
  private configureIfPendingWithoutBoot(cp: AnyChargePoint): void {
    setTimeout(() => {
      const state = this.csms.state(cp.id);
      if (cp.isOpen && state?.registration === 'Pending' && !state.bootedThisConnection) void this.configurePending(cp.id);
    }, this.settings.triggerWaitMs).unref();
  }

  /**
   * 1.6 firmware may reconnect without a BootNotification and then say nothing: ask for one. (A
   * 2.0.1 station need not boot on a reconnect, and refuses to when asked: F06.FR.17.)
   */
  private askForBootIfSilent(cp: AnyChargePoint, runner: SessionRunner): void {
    if (!(cp instanceof ChargePoint16)) return;
    setTimeout(() => {
      if (!cp.isOpen || this.csms.state(cp.id)?.bootedThisConnection) return;
      runner.log('warn', 'Reconnected without a BootNotification; sending TriggerMessage(BootNotification)');
      cp.triggerMessage('BootNotification').catch((err: Error) => runner.log('warn', `TriggerMessage(BootNotification) failed: ${err.message}`));
    }, this.settings.triggerWaitMs).unref();
  }

  private onDisconnected(cp: AnyChargePoint, code: number, reason: string): void {
    this.store.observe(() => this.store.chargePoints.recordSeen(cp.id, new Date(this.csms.state(cp.id)?.lastSeenMs ?? Date.now())));
    // The close reason is the peer's text (up to 123 bytes): clipped, and digested with the rest.
    this.churn.record(cp.id, `disconnected (${code}${reason ? `, ${clip(reason, 120)}` : ''})`);
    this.configuringPending.delete(cp.id);
    // A replaced socket is followed at once by the new one: no grace period needed for that.
    if (reason.startsWith('replaced')) return;
    this.runners.get(cp.id)?.disconnected(code, reason);
  }

  private onCall(chargePointId: string, action: string, request: unknown, response: unknown): void {
    if (action === 'FirmwareStatusNotification' && (request as FirmwareStatusNotificationRequest).status === 'Installed') {
      this.store.observe(() => this.store.chargePoints.recordFirmwareInstalled(chargePointId, new Date()));
    }
    const listeners = this.callListeners.get(chargePointId);
    if (listeners) for (const listener of [...listeners]) listener(action, request, response);
  }
}
