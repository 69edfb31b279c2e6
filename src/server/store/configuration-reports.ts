import type { ConfigurationReportDocument, ConfigurationReportItem } from '../../api/contract.js';
import type { Db } from './db.js';

/**
 * The configuration each session found on its charge point (1.6 GetConfiguration, 2.0.1 a full
 * base report): what the station was set to at commissioning time, kept with the session.
 */
/** Reports kept per charge point: its recent sessions'. */
export const REPORTS_KEPT = 5;

export class ConfigurationReports {
  constructor(private readonly db: Db) {}

  put(sessionId: string, chargePointId: string, protocol: string, takenAt: string, items: ConfigurationReportItem[]): void {
    this.db
      .prepare(
        `INSERT INTO configuration_reports (session_id, charge_point_id, protocol, taken_at, items) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(session_id) DO UPDATE SET protocol = excluded.protocol, taken_at = excluded.taken_at, items = excluded.items`,
      )
      .run(sessionId, chargePointId, protocol, takenAt, JSON.stringify(items));
    // History, but bounded: a charge point commissioned over and over keeps its last few.
    this.db
      .prepare(
        `DELETE FROM configuration_reports WHERE charge_point_id = ? AND rowid NOT IN
           (SELECT rowid FROM configuration_reports WHERE charge_point_id = ? ORDER BY taken_at DESC, rowid DESC LIMIT ?)`,
      )
      .run(chargePointId, chargePointId, REPORTS_KEPT);
  }

  /** The newest report of a charge point's sessions. */
  latest(chargePointId: string): ConfigurationReportDocument | null {
    const row = this.db
      .prepare('SELECT session_id, protocol, taken_at, items FROM configuration_reports WHERE charge_point_id = ? ORDER BY taken_at DESC, rowid DESC LIMIT 1')
      .get(chargePointId) as { session_id: string; protocol: string; taken_at: string; items: string } | undefined;
    return row ? { protocol: row.protocol, taken_at: row.taken_at, session_id: row.session_id, items: JSON.parse(row.items) as ConfigurationReportItem[] } : null;
  }
}
