import type { Db } from './db.js';

/** Named monotonic counters that survive restarts (transaction ids, issue reference numbers). */
export class Counters {
  constructor(private readonly db: Db) {}

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
