import { newId } from '../../common/ids.js';
import { isoSeconds } from '../../common/time.js';
import type { Db } from './db.js';

export interface Installer {
  id: string;
  email: string;
  passwordHash: string;
  /** Charge point ids this installer may work on; ["*"] for all. */
  scope: string[];
  createdAt: string;
}

interface Row {
  id: string;
  email: string;
  password_hash: string;
  scope: string;
  created_at: string;
}

const fromRow = (r: Row): Installer => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  scope: JSON.parse(r.scope) as string[],
  createdAt: r.created_at,
});

export class Installers {
  constructor(private readonly db: Db) {}

  create(email: string, passwordHash: string, scope: string[] = ['*']): Installer {
    const installer: Installer = { id: newId('inst'), email, passwordHash, scope, createdAt: isoSeconds() };
    this.db
      .prepare('INSERT INTO installers (id, email, password_hash, scope, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(installer.id, email, passwordHash, JSON.stringify(scope), installer.createdAt);
    return installer;
  }

  byEmail(email: string): Installer | undefined {
    const row = this.db.prepare('SELECT * FROM installers WHERE email = ?').get(email) as Row | undefined;
    return row && fromRow(row);
  }

  get(id: string): Installer | undefined {
    const row = this.db.prepare('SELECT * FROM installers WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM installers').get() as { n: number }).n;
  }
}
