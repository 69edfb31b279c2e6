import { ChargePoints } from './charge-points.js';
import { Counters } from './counters.js';
import { type Db, openDatabase } from './db.js';
import { IdempotencyKeys } from './idempotency.js';
import { Installers } from './installers.js';
import { Issues } from './issues.js';
import { Logs } from './logs.js';
import { Outbox } from './outbox.js';
import { Sessions } from './sessions.js';

/** The only place that touches SQLite: one repository per table group. */
export class Store {
  readonly installers: Installers;
  readonly chargePoints: ChargePoints;
  readonly sessions: Sessions;
  readonly logs: Logs;
  readonly issues: Issues;
  readonly idempotency: IdempotencyKeys;
  readonly outbox: Outbox;
  readonly counters: Counters;

  constructor(
    readonly db: Db,
    options: { outbox?: boolean } = {},
  ) {
    this.installers = new Installers(db);
    this.chargePoints = new ChargePoints(db);
    this.sessions = new Sessions(db);
    this.outbox = new Outbox(db, options.outbox ?? true);
    this.logs = new Logs(db, this.outbox);
    this.issues = new Issues(db);
    this.idempotency = new IdempotencyKeys(db);
    this.counters = new Counters(db);
  }

  static open(dataDir: string, options: { outbox?: boolean } = {}): Store {
    return new Store(openDatabase(dataDir), options);
  }

  /**
   * Runs `fn` in one transaction after writing buffered log lines, so state and the log lines
   * that led to it are durable together.
   */
  write<T>(fn: () => T): T {
    return this.db.transaction(() => {
      this.logs.flush();
      return fn();
    })();
  }

  close(): void {
    this.logs.flush();
    this.db.close();
  }
}
