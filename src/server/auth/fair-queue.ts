/** The queue was full: the caller refuses at once rather than wait (503 with Retry-After). */
export class QueueFull extends Error {}

interface Waiting {
  start(): void;
}

/**
 * Runs expensive tasks (scrypt verifications) `concurrency` at a time, taking turns between
 * sources: a source that queued a thousand waits behind one task of every other source, never
 * the other way round. Each source may hold `maxPerSource` waiting, and all of them `maxTotal`.
 */
export class FairQueue {
  private readonly waiting = new Map<string, Waiting[]>();
  private total = 0;
  private running = 0;

  constructor(
    readonly concurrency: number,
    readonly maxPerSource: number,
    readonly maxTotal: number,
  ) {}

  get size(): number {
    return this.total;
  }

  /** Runs `task` in its turn; rejects with QueueFull at once when there is no room. */
  run<T>(source: string, task: () => Promise<T>): Promise<T> {
    const line = this.waiting.get(source) ?? [];
    if (line.length >= this.maxPerSource || this.total >= this.maxTotal) return Promise.reject(new QueueFull());
    return new Promise<T>((resolve, reject) => {
      line.push({
        start: () => {
          this.running += 1;
          task()
            .then(resolve, reject)
            .finally(() => {
              this.running -= 1;
              this.next();
            });
        },
      });
      this.waiting.set(source, line);
      this.total += 1;
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.concurrency && this.total > 0) {
      // Map order is insertion order: the first source takes one turn, then goes to the back.
      const [source, line] = this.waiting.entries().next().value as [string, Waiting[]];
      const item = line.shift()!;
      this.waiting.delete(source);
      if (line.length > 0) this.waiting.set(source, line);
      this.total -= 1;
      item.start();
    }
  }
}
