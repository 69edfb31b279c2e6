export type Cancel = () => void;

/**
 * Every timer of one station, so stopping the station stops them all. Timers are unref'd: a
 * simulator never keeps a process alive by itself.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  later(ms: number, fn: () => void): Cancel {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    timer.unref();
    this.pending.add(timer);
    return () => {
      clearTimeout(timer);
      this.pending.delete(timer);
    };
  }

  /** Every `ms`, the first time `ms` from now. */
  every(ms: number, fn: () => void): Cancel {
    let cancel: Cancel = () => undefined;
    const tick = (): void => {
      cancel = this.later(ms, tick);
      fn();
    };
    cancel = this.later(ms, tick);
    return () => cancel();
  }

  /**
   * At every multiple of `seconds` since midnight UTC by the `clock` given (Part 2 §2.7.12:
   * aligned intervals start at 00:00:00), as clock-aligned meter data wants; `fn` gets the
   * moment it is for.
   */
  aligned(seconds: number, fn: (tickAt: Date) => void, clock: () => number = Date.now): Cancel {
    const period = seconds * 1000;
    let cancel: Cancel = () => undefined;
    const schedule = (): void => {
      const now = clock();
      const midnight = now - (now % 86_400_000);
      const next = midnight + (Math.floor((now - midnight) / period) + 1) * period;
      cancel = this.later(next - now, () => {
        schedule();
        fn(new Date(next));
      });
    };
    schedule();
    return () => cancel();
  }

  /** Runs after the current answer went out: a station answers first, then acts. */
  afterReply(fn: () => void | Promise<void>): void {
    setImmediate(() => {
      if (!this.stopped) void fn();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  resume(): void {
    this.stopped = false;
  }
}
