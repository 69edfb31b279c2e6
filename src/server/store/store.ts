import { ChargePointEvents } from './charge-point-events.js';
import { ChargePoints } from './charge-points.js';
import { ConfigurationReports } from './configuration-reports.js';
import { Counters } from './counters.js';
import { DiagnosticsFetches } from './diagnostics-fetches.js';
import { Firmware } from './firmware.js';
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
  readonly reports: ConfigurationReports;
  readonly firmware: Firmware;
  readonly events: ChargePointEvents;
  readonly diagnosticsFetches: DiagnosticsFetches;

  constructor(
    readonly db: Db,
    options: { outbox?: boolean } = {},
  ) {
    this.installers = new Installers(db);
    this.chargePoints = new ChargePoints(db);
    this.sessions = new Sessions(db);
    this.outbox = new Outbox(db, options.outbox ?? true);
    this.logs = new Logs(db, this.outbox.enabled);
    this.issues = new Issues(db);
    this.idempotency = new IdempotencyKeys(db);
    this.counters = new Counters(db);
    this.reports = new ConfigurationReports(db);
    this.firmware = new Firmware(db);
    this.events = new ChargePointEvents(db, this.outbox);
    this.diagnosticsFetches = new DiagnosticsFetches(db);
  }

  static open(dataDir: string, options: { outbox?: boolean } = {}): Store {
    return new Store(openDatabase(dataDir), options);
  }

  /**
   * Runs `fn` in one transaction, once the log lines appended before it are durable: a state
   * change is never on disk without the lines that led to it.
   */
  write<T>(fn: () => T): T {
    this.logs.barrier();
    return this.db.transaction(fn)();
  }

  /**
   * Runs `fn` in one transaction without waiting for the disk: for what the server observes of
   * charge points (a boot, a connection, when one was last seen), written on the thread that
   * answers them. A flood of BootNotifications must not cost an fsync each, and losing the last
   * observation to a power cut loses nothing anyone was told was kept. The next write() makes
   * these durable too.
   */
  observe<T>(fn: () => T): T {
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.db.transaction(fn)();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  async close(): Promise<void> {
    await this.logs.close();
    this.db.close();
  }
}
