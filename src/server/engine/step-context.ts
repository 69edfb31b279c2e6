import type { ConfigurationReportItem, LogLevel, StepName } from '../../api/contract.js';
import type { AnyChargePoint, OcppVersion } from '../../ocpp/csms/charge-point.js';
import type { ChargePointState, StationIdentity } from '../../ocpp/csms/registry.js';
import { ConnectionClosedError } from '../../ocpp/errors.js';
import type { ConfigurationReport, ProtocolAdapter } from './protocol/adapter.js';
import { adapterFor } from './protocol/adapters.js';
import type { EngineSettings } from './settings.js';
import type { Gate } from './gate.js';
import type { Template } from './templates.js';

/** What a step learns about the charge point it talks to; supplied by the engine. */
export interface ChargePointLink {
  readonly chargePointId: string;
  /** The live connection, waiting (within the reconnect grace) while it is away. */
  connection(): Promise<AnyChargePoint>;
  /** The live connection now, if any. */
  live(): AnyChargePoint | undefined;
  state(): ChargePointState | undefined;
  /** The OCPP version it speaks now, or spoke when last connected. */
  version(): OcppVersion;
  /** Who it said it was in its last BootNotification, on this connection or an earlier one. */
  identity(): { identity: StationIdentity; at: string } | null;
  /** Listens for CALLs from the charge point, with our answers; returns the removal. */
  onCall(listener: (action: string, request: unknown, response: unknown) => void): () => void;
  /** Remembers its full configuration as it just reported it (diagnostics; kept with the session). */
  rememberConfiguration(report: ConfigurationReport): void;
  /** A station kept Pending until configured is configured: its next BootNotification is accepted. */
  markConfigured(): void;
  /** Its configuration as it last reported it, if it ever did. */
  configuration(): ConfigurationReportItem[] | null;
  /** Accepts these passwords (one may be the bytes an AuthorizationKey encodes) besides the current one, until one is used. */
  offerPassword(candidates: Uint8Array[]): Promise<void>;
  /** The charge point refused its new password: forget the offered one. */
  withdrawOfferedPassword(): void;
  /**
   * Runs a configuration push alone: the configuration step and apply-template must not
   * interleave their ChangeConfigurations and read-backs on one charge point.
   */
  exclusive<T>(holder: 'session' | 'apply-template', fn: () => Promise<T>): Promise<T>;
}

export class StepEnded extends Error {}

/**
 * Everything a commissioning step uses: OCPP calls that respect pause and stop, waits for the
 * charge point's own calls, running-time sleeps, logging, and cleanups that run if the step
 * does not finish normally.
 */
export class StepContext {
  private ended: Error | null = null;
  private readonly endListeners = new Set<(e: Error) => void>();
  private readonly cleanups = new Set<() => Promise<unknown>>();
  /** What the version adapter keeps for the length of a step (1.6 feature profiles, 2.0.1 limits). */
  readonly memo = new Map<string, unknown>();

  constructor(
    readonly step: StepName | null,
    readonly template: Template,
    readonly settings: EngineSettings,
    readonly link: ChargePointLink,
    private readonly gate: Gate,
    private readonly logger: (level: LogLevel, message: string) => void,
    private readonly onProgress: (detail: string) => void = () => undefined,
  ) {
    gate.onEnd((error) => this.end(error));
  }

  get chargePointId(): string {
    return this.link.chargePointId;
  }

  /** How this charge point's OCPP version does what the step needs. */
  get protocol(): ProtocolAdapter {
    return adapterFor(this.link.version());
  }

  log(level: LogLevel, message: string): void {
    this.logger(level, message);
  }

  /** What a step that passes still wants checked: a warn line, and a warning on the step. */
  readonly warnings: string[] = [];

  warn(message: string): void {
    this.addWarning(message);
    this.log('warn', message);
  }

  /** A warning on the step for what a warn line already said. */
  addWarning(message: string): void {
    // A charge point cannot make a step carry thousands: the first ones say enough.
    if (this.warnings.length < 20) this.warnings.push(message);
  }

  /** What the step is doing now, shown as the running step's detail. */
  progress(detail: string): void {
    this.onProgress(detail);
  }

  /** Ends the step's waits (time limit reached, or the session ended). */
  end(error: Error): void {
    if (this.ended) return;
    this.ended = error;
    for (const listener of this.endListeners) listener(error);
    this.endListeners.clear();
  }

  /** Rejects when the step or session ends before `promise` settles. */
  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<T>((resolve, reject) => {
      const listener = (e: Error): void => reject(e);
      this.endListeners.add(listener);
      promise.then(
        (v) => {
          this.endListeners.delete(listener);
          resolve(v);
        },
        (e: unknown) => {
          this.endListeners.delete(listener);
          reject(e);
        },
      );
    });
  }

  /**
   * Sends a call at the next point the session is allowed to (never while paused). If the
   * connection drops under it, waits for the charge point to return and sends it again: every
   * call our steps make is safe to repeat, except where a step says `retry: false`.
   */
  async call(action: string, payload: unknown, options: { retry?: boolean; timeoutMs?: number } = {}): Promise<unknown> {
    for (let attempt = 1; ; attempt += 1) {
      await this.guard(this.gate.pass());
      const cp = await this.guard(this.link.connection());
      await this.guard(this.gate.pass());
      try {
        return await this.guard(cp.callAny(action, payload, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }));
      } catch (err) {
        if (!(err instanceof ConnectionClosedError) || options.retry === false || attempt >= 3) throw err;
        this.log('warn', `${action} interrupted by a disconnect; retrying when the charge point is back (attempt ${attempt + 1})`);
      }
    }
  }

  /**
   * Starts listening for a CALL from the charge point now (before the call that provokes it),
   * resolving with its payload and our answer, or null when `timeoutMs` of running time pass.
   */
  expect<Req, Res = unknown>(
    action: string,
    match: (request: Req) => boolean,
    timeoutMs: number,
  ): Promise<{ request: Req; response: Res } | null> {
    const waiting = this.guard(
      new Promise<{ request: Req; response: Res } | null>((resolve) => {
        let cancelTimer = (): void => undefined;
        const removeListener = this.link.onCall((a, request, response) => {
          if (a !== action || !match(request as Req)) return;
          removeListener();
          cancelTimer();
          resolve({ request: request as Req, response: response as Res });
        });
        cancelTimer = this.gate.timer(timeoutMs, () => {
          removeListener();
          resolve(null);
        });
        this.endListeners.add(() => {
          removeListener();
          cancelTimer();
        });
      }),
    );
    // A step may stop before it awaits this (a call failed first): that must not be an
    // unhandled rejection. Awaiting it still rejects.
    waiting.catch(() => undefined);
    return waiting;
  }

  sleep(ms: number): Promise<void> {
    return this.guard(this.gate.sleep(ms));
  }

  /**
   * Waits up to `timeoutMs` of running time for the charge point to be on a connection other
   * than the one it has now (a reconnect with a new password); false if it is still on this one.
   */
  async newConnection(timeoutMs: number): Promise<boolean> {
    const before = this.link.live();
    for (let waited = 0; waited < timeoutMs; waited += 50) {
      await this.sleep(50);
      const now = this.link.live();
      if (now && now !== before && now.isOpen) return true;
    }
    return false;
  }

  /**
   * Registers an action that puts the charge point back as it was (stop a test transaction,
   * make a connector operative again) should the step not get to do it itself. Returns the
   * removal, for when the step did.
   */
  onCleanup(fn: () => Promise<unknown>): () => void {
    this.cleanups.add(fn);
    return () => this.cleanups.delete(fn);
  }

  /** A call for clean-ups: now, paused or not, without retries; fails fast if the charge point is away. */
  async callNow(action: string, payload: unknown): Promise<unknown> {
    const cp = this.link.live();
    if (!cp) throw new ConnectionClosedError('charge point not connected');
    return cp.callAny(action, payload, { timeoutMs: 10_000 });
  }

  /** Runs the cleanups left, ignoring pause and the step's end; each one best effort. */
  async runCleanups(): Promise<void> {
    for (const fn of [...this.cleanups].reverse()) {
      this.cleanups.delete(fn);
      try {
        await fn();
      } catch (err) {
        this.log('warn', `clean-up failed: ${(err as Error).message}`);
      }
    }
  }
}
