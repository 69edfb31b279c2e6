import { isoSeconds } from '../../common/time.js';
import type { Db } from './db.js';

export type OutboxKind = 'issue' | 'session' | 'logs' | 'commission' | 'event';
export type OutboxState = 'pending' | 'sent' | 'parked';

export interface OutboxEntry {
  id: number;
  kind: OutboxKind;
  ref: string;
  chargePointId: string;
  payload: Record<string, unknown>;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface Row {
  id: number;
  kind: OutboxKind;
  ref: string;
  charge_point_id: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

const fromRow = (r: Row): OutboxEntry => ({
  id: r.id,
  kind: r.kind,
  ref: r.ref,
  chargePointId: r.charge_point_id,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

/**
 * What must reach the hosted API. Every entry is written in the same transaction as the record
 * it announces, so neither exists without the other.
 */
export class Outbox {
  /** False on a server acting as the hosted API: what it receives goes nowhere further. */
  constructor(
    private readonly db: Db,
    readonly enabled = true,
  ) {}

  add(kind: OutboxKind, ref: string, chargePointId: string, payload: Record<string, unknown> = {}): void {
    if (!this.enabled) return;
    this.db
      .prepare('INSERT INTO outbox (kind, ref, charge_point_id, payload, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(kind, ref, chargePointId, JSON.stringify(payload), isoSeconds());
  }

  /** Pending entries in the order they were written. */
  pending(limit = 1000, afterId = 0): OutboxEntry[] {
    const rows = this.db
      .prepare("SELECT * FROM outbox WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?")
      .all(afterId, limit) as Row[];
    return rows.map(fromRow);
  }

  list(state: OutboxState, limit = 1000): OutboxEntry[] {
    const rows = this.db.prepare('SELECT * FROM outbox WHERE state = ? ORDER BY id LIMIT ?').all(state, limit) as Row[];
    return rows.map(fromRow);
  }

  markSent(ids: number[]): void {
    const stmt = this.db.prepare("UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?");
    const at = isoSeconds();
    this.db.transaction(() => {
      for (const id of ids) stmt.run(at, id);
    })();
  }

  recordFailure(ids: number[], error: string, park: boolean): void {
    const stmt = this.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, state = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) stmt.run(error, park ? 'parked' : 'pending', id);
    })();
  }

  /** Puts parked entries back in line (sync --retry-parked). */
  unpark(): number {
    return this.db.prepare("UPDATE outbox SET state = 'pending' WHERE state = 'parked'").run().changes;
  }

  counts(): Record<OutboxState, number> {
    const rows = this.db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state').all() as { state: OutboxState; n: number }[];
    const counts: Record<OutboxState, number> = { pending: 0, sent: 0, parked: 0 };
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  }

  /**
   * Records (an issue, a session, a commissioning, a log line each) by charge point, kind and
   * state: what `sync --status` shows, in one unit whatever the batching.
   */
  summary(): { chargePointId: string; kind: OutboxKind; state: OutboxState; records: number }[] {
    return this.db
      .prepare(
        `SELECT charge_point_id AS chargePointId, kind, state,
           sum(CASE WHEN kind = 'logs' THEN json_extract(payload, '$.to_seq') - json_extract(payload, '$.from_seq') + 1 ELSE 1 END) AS records
         FROM outbox GROUP BY charge_point_id, kind, state ORDER BY charge_point_id, kind, state`,
      )
      .all() as { chargePointId: string; kind: OutboxKind; state: OutboxState; records: number }[];
  }

  /** The state of the newest entry for a record, e.g. an issue. */
  stateOf(kind: OutboxKind, ref: string): OutboxState | undefined {
    const row = this.db.prepare('SELECT state FROM outbox WHERE kind = ? AND ref = ? ORDER BY id DESC LIMIT 1').get(kind, ref) as
      | { state: OutboxState }
      | undefined;
    return row?.state;
  }
}
