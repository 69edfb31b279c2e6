import { randomUUID } from 'node:crypto';
import type { ChargePointEvent, LogLevel } from '../../api/contract.js';
import { isoSeconds } from '../../common/time.js';
import type { Db } from './db.js';
import type { Outbox } from './outbox.js';

export type EventTopic = ChargePointEvent['topic'];

interface Row {
  id: string;
  charge_point_id: string;
  at: string;
  level: LogLevel;
  topic: EventTopic;
  ref: string | null;
  message: string;
}

const fromRow = (r: Row): ChargePointEvent => ({ id: r.id, charge_point_id: r.charge_point_id, timestamp: r.at, level: r.level, topic: r.topic, ref: r.ref, message: r.message });

/**
 * A charge point's own log, apart from its sessions: every step of a firmware update or a
 * diagnostics fetch. Each line is announced to the outbox in its own transaction, and carries a
 * UUID, so the hosted side stores it once however often it is sent.
 */
export class ChargePointEvents {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
  ) {}

  append(chargePointId: string, level: LogLevel, topic: EventTopic, ref: string | null, message: string, at = new Date()): ChargePointEvent {
    const event: ChargePointEvent = { id: randomUUID(), charge_point_id: chargePointId, timestamp: isoSeconds(at), level, topic, ref, message };
    this.db.transaction(() => {
      this.insert(event);
      this.outbox.add('event', event.id, chargePointId);
    })();
    return event;
  }

  /** An event received from a site (sync): false when it is here already. */
  receive(event: ChargePointEvent): boolean {
    const exists = this.db.prepare('SELECT 1 FROM charge_point_events WHERE id = ?').get(event.id);
    if (exists) return false;
    this.insert(event);
    return true;
  }

  get(id: string): ChargePointEvent | undefined {
    const r = this.db.prepare('SELECT * FROM charge_point_events WHERE id = ?').get(id) as Row | undefined;
    return r && fromRow(r);
  }

  list(chargePointId: string, options: { topic?: EventTopic; limit?: number } = {}): ChargePointEvent[] {
    const rows = this.db
      .prepare(`SELECT * FROM charge_point_events WHERE charge_point_id = ? ${options.topic ? 'AND topic = ?' : ''} ORDER BY rowid LIMIT ?`)
      .all(...[chargePointId, ...(options.topic ? [options.topic] : []), options.limit ?? 5000]) as Row[];
    return rows.map(fromRow);
  }

  private insert(e: ChargePointEvent): void {
    this.db.prepare('INSERT INTO charge_point_events (id, charge_point_id, at, level, topic, ref, message) VALUES (?, ?, ?, ?, ?, ?, ?)').run(e.id, e.charge_point_id, e.timestamp, e.level, e.topic, e.ref, e.message);
  }
}
