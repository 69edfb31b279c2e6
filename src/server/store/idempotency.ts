import { isoSeconds } from '../../common/time.js';
import type { Db } from './db.js';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** First responses to requests that carried an Idempotency-Key, to answer repeats with. */
export class IdempotencyKeys {
  constructor(private readonly db: Db) {}

  get(key: string, route: string): StoredResponse | undefined {
    const row = this.db.prepare('SELECT status, body FROM idempotency_keys WHERE key = ? AND route = ?').get(key, route) as
      | { status: number; body: string }
      | undefined;
    return row && { status: row.status, body: JSON.parse(row.body) as unknown };
  }

  put(key: string, route: string, response: StoredResponse): void {
    this.db
      .prepare('INSERT INTO idempotency_keys (key, route, status, body, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(key, route, response.status, JSON.stringify(response.body), isoSeconds());
  }
}
