import type { Db } from './db.js';

/** Named monotonic counters that survive restarts (transaction ids, issue reference numbers). */
export class Counters {
  constructor(private readonly db: Db) {}

  /**
   * Values handed out from blocks of `block`, one durable write per block rather than per value:
   * OCPP transaction ids are asked for on the thread that answers charge points, and 2,000
   * StartTransactions must not be 2,000 fsyncs. After a crash the rest of a block is skipped:
   * the values stay unique and increasing, only not dense.
   */
  allocator(name: string, block: number, seed = 1): () => number {
    let next = 0;
    let last = -1;
    return () => {
      if (next > last) {
        const row = this.db
          .prepare(
            `INSERT INTO counters (name, value) VALUES (?, ?)
             ON CONFLICT(name) DO UPDATE SET value = value + ?
             RETURNING value`,
          )
          .get(name, seed + block - 1, block) as { value: number };
        last = row.value;
        next = row.value - block + 1;
      }
      return next++;
    };
  }

  /** The next value; a counter seen for the first time starts at `seed`. */
  next(name: string, seed = 1): number {
    const row = this.db
      .prepare(
        `INSERT INTO counters (name, value) VALUES (?, ?)
         ON CONFLICT(name) DO UPDATE SET value = value + 1
         RETURNING value`,
      )
      .get(name, seed) as { value: number };
    return row.value;
  }
}
