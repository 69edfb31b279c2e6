import { basename } from 'node:path';
import type { FirmwareImage, FirmwareUpdate } from '../../api/contract.js';
import type { Db } from './db.js';

export interface StoredImage extends FirmwareImage {
  path: string;
}

type ImageRow = Omit<StoredImage, 'firmware_id'> & { id: string };

const toImage = ({ id, ...rest }: ImageRow): StoredImage => ({ firmware_id: id, ...rest });

/** The contract's fields, as columns, plus the OCPP requestId. */
type UpdateRow = Omit<FirmwareUpdate, 'update_id'> & { id: string; request_id: number };

const toUpdate = (r: UpdateRow): FirmwareUpdate & { requestId: number } => ({
  update_id: r.id,
  charge_point_id: r.charge_point_id,
  firmware_id: r.firmware_id,
  state: r.state,
  status: r.status,
  detail: r.detail,
  size: r.size,
  bytes_served: r.bytes_served,
  expected_version: r.expected_version,
  reported_version: r.reported_version,
  started_at: r.started_at,
  finished_at: r.finished_at,
  requestId: r.request_id,
});

export type StoredUpdate = ReturnType<typeof toUpdate>;

/** Firmware images held for the chargers, and the updates sent with them. */
export class Firmware {
  constructor(private readonly db: Db) {}

  addImage(image: StoredImage): void {
    this.db.prepare('INSERT INTO firmware_images (id, path, size, sha256, created_at) VALUES (?, ?, ?, ?, ?)').run(image.firmware_id, image.path, image.size, image.sha256, image.created_at);
  }

  image(id: string): StoredImage | undefined {
    const r = this.db.prepare('SELECT id, path, size, sha256, created_at FROM firmware_images WHERE id = ?').get(id) as ImageRow | undefined;
    return r && toImage(r);
  }

  /** Images beyond the newest `keep` (by arrival: a laptop clock set back must not reorder them) that no running update is serving. */
  imagesBeyond(keep: number): StoredImage[] {
    const rows = this.db
      .prepare("SELECT id, path, size, sha256, created_at FROM firmware_images WHERE id NOT IN (SELECT firmware_id FROM firmware_updates WHERE state = 'running') ORDER BY rowid DESC LIMIT -1 OFFSET ?")
      .all(keep) as ImageRow[];
    return rows.map(toImage);
  }

  removeImage(id: string): void {
    this.db.prepare('DELETE FROM firmware_images WHERE id = ?').run(id);
  }

  /** The images' file names: the data directory may be reached by another path than the one stored. */
  imageFileNames(): Set<string> {
    return new Set((this.db.prepare('SELECT path FROM firmware_images').all() as { path: string }[]).map((r) => basename(r.path)));
  }

  addUpdate(u: StoredUpdate): void {
    this.db
      .prepare(
        `INSERT INTO firmware_updates (id, charge_point_id, firmware_id, request_id, state, status, detail, size, bytes_served, expected_version, reported_version, started_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(u.update_id, u.charge_point_id, u.firmware_id, u.requestId, u.state, u.status, u.detail, u.size, u.bytes_served, u.expected_version, u.reported_version, u.started_at, u.finished_at);
  }

  saveUpdate(u: StoredUpdate): void {
    this.db
      .prepare('UPDATE firmware_updates SET state = ?, status = ?, detail = ?, bytes_served = ?, reported_version = ?, finished_at = ? WHERE id = ?')
      .run(u.state, u.status, u.detail, u.bytes_served, u.reported_version, u.finished_at, u.update_id);
  }

  latestUpdate(chargePointId: string): StoredUpdate | undefined {
    const r = this.db.prepare('SELECT * FROM firmware_updates WHERE charge_point_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1').get(chargePointId) as UpdateRow | undefined;
    return r && toUpdate(r);
  }

  running(): StoredUpdate[] {
    return (this.db.prepare("SELECT * FROM firmware_updates WHERE state = 'running'").all() as UpdateRow[]).map(toUpdate);
  }
}
