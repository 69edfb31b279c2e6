import type { DiagnosticsFetch } from '../../api/contract.js';
import type { Db } from './db.js';

/** A fetch as stored: the contract's fields plus where the file is. */
export type StoredFetch = DiagnosticsFetch & { path: string | null };

type Row = Omit<StoredFetch, 'fetch_id'> & { id: string };

const fromRow = ({ id, ...rest }: Row): StoredFetch => ({ fetch_id: id, ...rest });

/** The diagnostics files fetched from chargers, each beside the session it was fetched for. */
export class DiagnosticsFetches {
  constructor(private readonly db: Db) {}

  save(f: StoredFetch): void {
    this.db
      .prepare(
        `INSERT INTO diagnostics_fetches (id, charge_point_id, session_id, state, status, detail, path, size, sha256, started_at, finished_at)
         VALUES (@fetch_id, @charge_point_id, @session_id, @state, @status, @detail, @path, @size, @sha256, @started_at, @finished_at)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, status = excluded.status, detail = excluded.detail, path = excluded.path,
           size = excluded.size, sha256 = excluded.sha256, finished_at = excluded.finished_at`,
      )
      .run(f);
  }

  latest(chargePointId: string): StoredFetch | undefined {
    const r = this.db.prepare('SELECT * FROM diagnostics_fetches WHERE charge_point_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1').get(chargePointId) as Row | undefined;
    return r && fromRow(r);
  }

  running(): StoredFetch[] {
    return (this.db.prepare("SELECT * FROM diagnostics_fetches WHERE state = 'running'").all() as Row[]).map(fromRow);
  }
}
