import type { LogLevel, StepName } from '../../api/contract.js';
import type { ChargePointConnection } from '../../ocpp/csms/charge-point.js';
import type { ChargePointState } from '../../ocpp/csms/registry.js';
import { ConnectionClosedError } from '../../ocpp/errors.js';
import type { CsmsCalls16 } from '../../ocpp/ocpp16.js';
import type { ConfigurationKey } from '../store/charge-points.js';
import type { EngineSettings } from './settings.js';
import type { Gate } from './gate.js';
import type { Template } from './templates.js';

/** What a step learns about the charge point it talks to; supplied by the engine. */
export interface ChargePointLink {
  readonly chargePointId: string;
  /** The live connection, waiting (within the reconnect grace) while it is away. */
  connection(): Promise<ChargePointConnection>;
  /** The live connection now, if any. */
  live(): ChargePointConnection | undefined;
  state(): ChargePointState | undefined;
  /** Listens for CALLs from the charge point, with our answers; returns the removal. */
  onCall(listener: (action: string, request: unknown, response: unknown) => void): () => void;
  /** Remembers the latest full GetConfiguration answer (for diagnostics). */
  rememberConfiguration(keys: ConfigurationKey[]): void;
  /** Accepts the password an AuthorizationKey of `value` gives, besides the current one, until it is used. */
  offerPassword(value: string): Promise<void>;
  /** The charge point refused the AuthorizationKey: forget the offered password. */
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
  private profiles: string[] | null = null;

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

  log(level: LogLevel, message: string): void {
    this.logger(level, message);
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
  async call<A extends keyof CsmsCalls16 & string>(
    action: A,
    payload: CsmsCalls16[A][0],
    options: { retry?: boolean; timeoutMs?: number } = {},
  ): Promise<CsmsCalls16[A][1]> {
    for (let attempt = 1; ; attempt += 1) {
      await this.guard(this.gate.pass());
      const cp = await this.guard(this.link.connection());
      await this.guard(this.gate.pass());
      try {
        return await this.guard(cp.call(action, payload, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }));
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
  async callNow<A extends keyof CsmsCalls16 & string>(action: A, payload: CsmsCalls16[A][0]): Promise<CsmsCalls16[A][1]> {
    const cp = this.link.live();
    if (!cp) throw new ConnectionClosedError('charge point not connected');
    return cp.call(action, payload, { timeoutMs: 10_000 });
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

  /** The charge point's feature profiles, asked once per step context. */
  async featureProfiles(): Promise<string[]> {
    if (this.profiles) return this.profiles;
    const answer = await this.call('GetConfiguration', { key: ['SupportedFeatureProfiles'] });
    const value = answer.configurationKey?.find((k) => k.key === 'SupportedFeatureProfiles')?.value ?? '';
    this.profiles = value.split(',').map((p) => p.trim()).filter(Boolean);
    return this.profiles;
  }

  /** TriggerMessage is in the RemoteTrigger profile: do not rely on it unless it is listed. */
  async supportsTrigger(): Promise<boolean> {
    return (await this.featureProfiles()).includes('RemoteTrigger');
  }
}
