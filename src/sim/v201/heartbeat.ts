import type { Cancel, Timers } from './timers.js';

/**
 * The heartbeat timer (G02): a Heartbeat after HeartbeatInterval seconds with no other
 * message sent, since every message already tells the CSMS the station is there (G02.FR.05).
 */
export class Heartbeat {
  private due: Cancel | null = null;

  constructor(
    private readonly timers: Timers,
    private readonly intervalS: () => number,
    private readonly beat: () => void,
  ) {}

  /** Starts, or starts over, the wait for the next heartbeat. */
  arm(): void {
    this.cancel();
    const seconds = this.intervalS();
    if (seconds <= 0) return;
    this.due = this.timers.later(seconds * 1000, () => {
      this.due = null;
      this.beat();
    });
  }

  /** A message went out: the next heartbeat is due an interval from now. */
  touch(): void {
    if (this.due) this.arm();
  }

  get armed(): boolean {
    return this.due !== null;
  }

  cancel(): void {
    this.due?.();
    this.due = null;
  }
}
