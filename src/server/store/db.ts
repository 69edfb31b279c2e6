import Database from 'better-sqlite3';
import { join } from 'node:path';
import { touchPrivateFile } from '../../common/private-files.js';
import { DB_FILE } from './db-file.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens the data directory's database: WAL, foreign keys, and synchronous=FULL so a write the
 * API acknowledged survives a power cut, not only a killed process (WAL's default NORMAL may
 * lose the last commits on power loss). Log lines are written in batches so FULL costs one
 * fsync per batch, not per line.
 */
export function openDatabase(dataDir: string): Db {
  const file = join(dataDir, DB_FILE);
  // SQLite gives the -wal and -shm files the main file's mode: make that 0600 first.
  touchPrivateFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this dynamo (${MIGRATIONS.length}); upgrade dynamo`);
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
