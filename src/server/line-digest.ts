/**
 * Lines for the local up terminal about one subject (a charge point), of one kind (OCPP
 * problems, connections, internal errors): the first few of a window are shown as they come, the
 * rest are counted and said once when the window ends. A charge point that sends a thousand broken
 * frames a second, or reconnects as fast as it can, costs the installer's terminal a line a minute.
 */
export class LineDigest {
  private window = new Map<string, { shown: number; unsaid: number; latest: string }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly say: (line: string) => void,
    /** What the counted lines are, in the sum: "OCPP problems", "connections and disconnections". */
    private readonly kind: string,
    private readonly shownPerWindow = 5,
    private readonly windowMs = 60_000,
    /** Subjects tracked per window; a flood of ids beyond it is summed under one. */
    private readonly maxKeys = 1000,
  ) {
    this.timer = setInterval(() => this.flush(), windowMs);
    this.timer.unref();
  }

  record(subject: string, message: string): void {
    const key = this.window.has(subject) || this.window.size < this.maxKeys ? subject : 'others';
    const entry = this.window.get(key) ?? { shown: 0, unsaid: 0, latest: '' };
    this.window.set(key, entry);
    entry.latest = message;
    if (entry.shown < this.shownPerWindow) {
      entry.shown += 1;
      this.say(`${subject}: ${message}${entry.shown === this.shownPerWindow ? ` (further ${this.kind} are counted for a while)` : ''}`);
    } else entry.unsaid += 1;
  }

  flush(): void {
    const seconds = Math.round(this.windowMs / 1000);
    for (const [subject, { unsaid, latest }] of this.window) {
      if (unsaid > 0) this.say(`${subject}: ${unsaid} more ${this.kind} in the last ${seconds} s (latest: ${latest})`);
    }
    this.window = new Map();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
