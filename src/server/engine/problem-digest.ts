/**
 * Protocol problems for the local up terminal, per charge point: the first few of a window are
 * shown as they come, the rest are counted and said once when the window ends. A charge point
 * that sends a thousand broken frames a second costs the installer's terminal a line a minute.
 */
export class ProblemDigest {
  private window = new Map<string, { shown: number; unsaid: number; latest: string }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly say: (line: string) => void,
    private readonly shownPerWindow = 5,
    private readonly windowMs = 60_000,
    /** Charge points tracked per window; a flood of ids beyond it is summed under one. */
    private readonly maxKeys = 1000,
  ) {
    this.timer = setInterval(() => this.flush(), windowMs);
    this.timer.unref();
  }

  record(chargePointId: string, message: string): void {
    const key = this.window.has(chargePointId) || this.window.size < this.maxKeys ? chargePointId : 'other charge points';
    const entry = this.window.get(key) ?? { shown: 0, unsaid: 0, latest: '' };
    this.window.set(key, entry);
    entry.latest = message;
    if (entry.shown < this.shownPerWindow) {
      entry.shown += 1;
      this.say(`${chargePointId}: ${message}${entry.shown === this.shownPerWindow ? ' (further problems are counted for a while)' : ''}`);
    } else entry.unsaid += 1;
  }

  flush(): void {
    const seconds = Math.round(this.windowMs / 1000);
    for (const [id, { unsaid, latest }] of this.window) {
      if (unsaid > 0) this.say(`${id}: ${unsaid} more OCPP problem${unsaid === 1 ? '' : 's'} in the last ${seconds} s (latest: ${latest})`);
    }
    this.window = new Map();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
