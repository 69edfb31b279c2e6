/**
 * The control a session runner checks between OCPP calls: running, paused, stopped by the
 * installer, or aborted by the engine. Its timers count running time only, so a pause does not
 * eat into a step's time limit or a test transaction's duration.
 */
export class SessionStopped extends Error {
  constructor() {
    super('stopped by the installer');
  }
}

export class SessionAborted extends Error {}

interface Timer {
  remaining: number;
  startedAt: number;
  handle: NodeJS.Timeout | null;
  fire(): void;
}

type GateState = 'running' | 'paused' | 'ended';

export class Gate {
  private state: GateState = 'running';
  private endError: Error | null = null;
  private readonly waiters = new Set<{ resolve(): void; reject(e: Error): void }>();
  private readonly timers = new Set<Timer>();
  private readonly endListeners = new Set<(error: Error) => void>();

  get paused(): boolean {
    return this.state === 'paused';
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    const now = Date.now();
    for (const t of this.timers) {
      if (t.handle) clearTimeout(t.handle);
      t.handle = null;
      t.remaining -= now - t.startedAt;
    }
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    for (const t of this.timers) this.arm(t);
    for (const w of this.waiters) w.resolve();
    this.waiters.clear();
  }

  /** Ends the gate: every wait and timer rejects with `error`. */
  end(error: Error): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endError = error;
    for (const t of this.timers) if (t.handle) clearTimeout(t.handle);
    this.timers.clear();
    for (const w of this.waiters) w.reject(error);
    this.waiters.clear();
    for (const listener of this.endListeners) listener(error);
    this.endListeners.clear();
  }

  /** Resolves when running; waits while paused; rejects once ended. */
  pass(): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    if (this.state === 'ended') return Promise.reject(this.endError!);
    return new Promise((resolve, reject) => this.waiters.add({ resolve, reject }));
  }

  /** Sleeps for `ms` of running time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const cancel = this.onEnd(reject);
      this.timer(ms, () => {
        cancel();
        resolve();
      });
    });
  }

  /** Calls `fire` after `ms` of running time unless cancelled or ended first. */
  timer(ms: number, fire: () => void): () => void {
    if (this.state === 'ended') return () => undefined;
    const t: Timer = {
      remaining: ms,
      startedAt: Date.now(),
      handle: null,
      fire: () => {
        this.timers.delete(t);
        fire();
      },
    };
    this.timers.add(t);
    if (this.state === 'running') this.arm(t);
    return () => {
      if (t.handle) clearTimeout(t.handle);
      this.timers.delete(t);
    };
  }

  /** Registers a callback for the end; returns its removal. */
  onEnd(listener: (error: Error) => void): () => void {
    if (this.state === 'ended') {
      listener(this.endError!);
      return () => undefined;
    }
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private arm(t: Timer): void {
    t.startedAt = Date.now();
    t.handle = setTimeout(t.fire, Math.max(0, t.remaining));
  }
}
