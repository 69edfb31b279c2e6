import type { ApiClient } from '../../api/client.js';
import type { LogEntry } from '../../api/contract.js';
import { ApiRequestError, InvalidResponseError, NetworkError } from '../../api/client-errors.js';
import { isoSeconds } from '../../common/time.js';
import { toStatusResponse } from '../store/sessions.js';
import type { OutboxEntry } from '../store/outbox.js';
import type { Store } from '../store/store.js';

/** The hosted API cannot be reached or answered 5xx/429: try again later, nothing lost. */
export class SyncUnavailable extends Error {}

/** The hosted API refused our token: a person has to log in again. */
export class SyncUnauthorized extends Error {}

export type SyncKind = OutboxEntry['kind'];

export interface SyncProgress {
  kind: SyncKind;
  ref: string;
  chargePointId: string;
  /** Records (issues, sessions, log lines) sent so far in this pass, and in all. */
  sent: number;
  total: number;
  /** `waiting`: not sent, because what it rests on has not reached the hosted API (it stays pending). */
  outcome: 'sent' | 'parked' | 'waiting';
  message?: string;
}

/** What one charge point's records did in a pass: records sent by kind, and those parked or held back. */
export interface ChargePointSyncReport {
  sent: Record<SyncKind, number>;
  parked: { kind: SyncKind; ref: string; reason: string }[];
  waiting: { kind: SyncKind; ref: string; reason: string }[];
}

export interface SyncReport {
  issues: number;
  sessions: number;
  logLines: number;
  commissions: number;
  /** Lines of charge points' own logs (firmware, diagnostics). */
  events: number;
  parked: number;
  byChargePoint: Map<string, ChargePointSyncReport>;
}

/**
 * A piece of work: one issue, one session, one commissioning, all of one session's pending log
 * ranges, or a charge point's pending own-log lines (of this page of the outbox).
 */
interface Unit {
  kind: SyncKind;
  entries: OutboxEntry[];
  ref: string;
  /** Records it stands for: 1, or its number of log lines. */
  size: number;
}

/** A session's pending ranges, merged where they touch: usually one run from the first line. */
function mergedRanges(entries: OutboxEntry[]): [number, number][] {
  const ranges = entries
    .map((e): [number, number] => [Number(e.payload['from_seq']), Number(e.payload['to_seq'])])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of ranges) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** A charge point's own-log lines per request (the hosted side takes up to 1000). */
const EVENT_BATCH = 500;

/** Log lines per request; chosen by measurement (bench/sync.ts, README). */
export const DEFAULT_LOG_BATCH = 2000;

function unitsOf(entries: OutboxEntry[]): Unit[] {
  const units: Unit[] = [];
  const logs = new Map<string, Unit>();
  const events = new Map<string, Unit>();
  for (const entry of entries) {
    if (entry.kind === 'event') {
      const unit = events.get(entry.chargePointId);
      if (unit && unit.entries.length < EVENT_BATCH) {
        unit.entries.push(entry);
        unit.size += 1;
      } else {
        const fresh: Unit = { kind: 'event', entries: [entry], ref: entry.chargePointId, size: 1 };
        events.set(entry.chargePointId, fresh);
        units.push(fresh);
      }
      continue;
    }
    if (entry.kind !== 'logs') {
      units.push({ kind: entry.kind, entries: [entry], ref: entry.ref, size: 1 });
      continue;
    }
    const lines = Number(entry.payload['to_seq']) - Number(entry.payload['from_seq']) + 1;
    const unit = logs.get(entry.ref);
    if (unit) {
      unit.entries.push(entry);
      unit.size += lines;
    } else {
      const fresh: Unit = { kind: 'logs', entries: [entry], ref: entry.ref, size: lines };
      logs.set(entry.ref, fresh);
      units.push(fresh);
    }
  }
  return units;
}

/**
 * Sends what the outbox holds to the hosted API, in the order it was recorded, exactly once
 * as the receiver sees it: issues carry their UUID as Idempotency-Key, log lines their seq,
 * sessions are PUT. A record is marked sent only after the hosted API answered; if the process
 * dies in between, the next pass sends it again and the receiver recognises it.
 *
 * A record is marked sent only when the answer is the document the route promises (an issue's
 * id and reference, a log batch's counts of every line, the session's id: see the client).
 * Network errors, answers that are not the API's, redirects, 5xx, 429 and any other status that
 * is not about the record stop the pass (SyncUnavailable) with the record still pending; 401
 * stops it (SyncUnauthorized); a 4xx about the record (400, 403, 404, 409, 410, 413, 422) parks
 * it with the server's message, and the records behind it go on.
 */
/** Answers about the record itself, which parks it: it would be refused again as it is. */
const RECORD_STATUSES = new Set([400, 403, 404, 409, 410, 413, 422]);

export class OutboxSync {
  constructor(
    private readonly store: Store,
    private readonly client: ApiClient,
    /** `stopped`: asked before each record, so a pass ends promptly when its server shuts down; what is left stays pending. */
    private readonly options: { logBatch?: number; onProgress?: (p: SyncProgress) => void; stopped?: () => boolean } = {},
  ) {}

  /** What is waiting, in records (issues, sessions, log lines). */
  pendingSize(): number {
    return unitsOf(this.store.outbox.pending(Number.MAX_SAFE_INTEGER)).reduce((n, u) => n + u.size, 0);
  }

  async run(): Promise<SyncReport> {
    const report: SyncReport = { issues: 0, sessions: 0, logLines: 0, commissions: 0, events: 0, parked: 0, byChargePoint: new Map() };
    const of = (chargePointId: string): ChargePointSyncReport => {
      let mine = report.byChargePoint.get(chargePointId);
      if (!mine) report.byChargePoint.set(chargePointId, (mine = { sent: { issue: 0, session: 0, logs: 0, commission: 0, event: 0 }, parked: [], waiting: [] }));
      return mine;
    };
    const total = this.pendingSize();
    let sent = 0;
    let afterId = 0;
    for (;;) {
      const entries = this.store.outbox.pending(500, afterId);
      if (entries.length === 0) return report;
      afterId = entries[entries.length - 1]!.id;
      for (const unit of unitsOf(entries)) {
        if (this.options.stopped?.()) return report;
        const ids = unit.entries.map((e) => e.id);
        const chargePointId = unit.entries[0]!.chargePointId;
        const held = this.heldBack(unit);
        if (held) {
          of(chargePointId).waiting.push({ kind: unit.kind, ref: unit.ref, reason: held });
          this.options.onProgress?.({ kind: unit.kind, ref: unit.ref, chargePointId, sent, total, outcome: 'waiting', message: held });
          continue;
        }
        let unitSent = 0;
        const progress = (n: number): void => {
          unitSent += n;
          this.options.onProgress?.({ kind: unit.kind, ref: unit.ref, chargePointId, sent: sent + unitSent, total, outcome: 'sent' });
        };
        try {
          await this.send(unit, progress);
        } catch (err) {
          const problem = this.classify(err);
          if (problem) throw problem;
          const message = err instanceof ApiRequestError ? `${err.status} ${err.code}: ${err.message}` : String(err);
          this.store.outbox.recordFailure(ids, message, true);
          report.parked += unit.entries.length;
          of(chargePointId).parked.push({ kind: unit.kind, ref: unit.ref, reason: message });
          this.options.onProgress?.({ kind: unit.kind, ref: unit.ref, chargePointId, sent, total, outcome: 'parked', message });
          continue;
        }
        this.store.outbox.markSent(ids);
        sent += unit.size;
        of(chargePointId).sent[unit.kind] += unit.kind === 'logs' ? unitSent : 1;
        if (unit.kind === 'issue') report.issues += 1;
        else if (unit.kind === 'session') report.sessions += 1;
        else if (unit.kind === 'commission') report.commissions += 1;
        else if (unit.kind === 'event') report.events += unit.size;
        else report.logLines += unitSent;
      }
    }
  }

  /** Transient and auth failures stop the pass; others (a 4xx about this record) park it. */
  private classify(err: unknown): Error | null {
    if (err instanceof NetworkError) return new SyncUnavailable(err.message);
    // Not the hosted API's answer (a captive portal, a proxy): nothing is marked sent, and the
    // same records go again once the real API answers.
    if (err instanceof InvalidResponseError) return new SyncUnavailable(err.message);
    if (err instanceof ApiRequestError) {
      if (err.status === 401) return new SyncUnauthorized(`the hosted API refused the token (${err.message})`);
      if (RECORD_STATUSES.has(err.status)) return null;
      // A redirect (a captive portal), a proxy asking for its login, a timeout, 429, 5xx: not a
      // verdict on the record, which stays pending for the next pass.
      if (err.status >= 300 && err.status < 400) return new SyncUnavailable(`the hosted API answered ${err.status}, a redirect (a captive portal or a wrong URL?)`);
      return new SyncUnavailable(`the hosted API answered ${err.status} ${err.code}`);
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  /**
   * Why a unit may not go yet, if it may not: a commissioning rests on its session, and the
   * hosted API commissions only on a passed session it holds. It waits, pending, until the
   * session's record has been sent (earlier in this pass, or in one before).
   */
  private heldBack(unit: Unit): string | null {
    if (unit.kind !== 'commission') return null;
    const state = this.store.outbox.stateOf('session', unit.ref);
    if (state === undefined || state === 'sent') return null;
    return `waits for its session ${unit.ref}, ${state === 'parked' ? 'which is parked' : 'not yet sent'}`;
  }

  private async send(unit: Unit, progress: (records: number) => void): Promise<void> {
    if (unit.kind === 'issue') await this.sendIssue(unit.ref);
    else if (unit.kind === 'session') await this.sendSession(unit.ref);
    else if (unit.kind === 'commission') await this.sendCommission(unit.entries[0]!.chargePointId);
    else if (unit.kind === 'event') return this.sendEvents(unit, progress);
    else return this.sendLogs(unit, progress);
    progress(1);
  }

  /**
   * The issue with the time it was reported on site (`created_at`, an addition to the reference
   * API). A hosted API that refuses that field by name gets the issue without it: the issue
   * matters more than its time. Both times are kept here.
   */
  private async sendIssue(issueId: string): Promise<void> {
    const issue = this.store.issues.get(issueId);
    if (!issue) return;
    const body = {
      category: issue.category,
      description: issue.description,
      severity: issue.severity,
      ...(issue.step && { step: issue.step }),
      ...(issue.photoUrls.length > 0 && { photo_urls: issue.photoUrls }),
    };
    let created;
    try {
      created = await this.client.reportIssue(issue.chargePointId, { ...body, created_at: issue.createdAt }, issue.uuid);
    } catch (err) {
      if (!(err instanceof ApiRequestError && err.status === 400 && err.details.some((d) => d.field === 'created_at'))) throw err;
      created = await this.client.reportIssue(issue.chargePointId, body, issue.uuid);
    }
    this.store.issues.markSynced(issue.id, { issueId: created.issue_id, reference: created.reference_number, createdAt: created.created_at }, isoSeconds());
  }

  /**
   * A repeat (the answer to the first was lost) finds it commissioned: 422 already_commissioned
   * is the state we wanted, not a refusal.
   */
  private async sendCommission(chargePointId: string): Promise<void> {
    try {
      await this.client.commission(chargePointId);
    } catch (err) {
      if (err instanceof ApiRequestError && err.code === 'already_commissioned') return;
      throw err;
    }
  }

  /** Each line carries its UUID: one sent twice (a kill before it was marked sent) counts once over there. */
  private async sendEvents(unit: Unit, progress: (records: number) => void): Promise<void> {
    const events = unit.entries.map((e) => this.store.events.get(e.ref)).filter((e) => e !== undefined);
    if (events.length > 0) await this.client.postChargePointEvents(unit.ref, events);
    progress(unit.size);
  }

  private async sendSession(sessionId: string): Promise<void> {
    const session = this.store.sessions.get(sessionId);
    if (!session) return;
    await this.client.putSession(toStatusResponse(session));
  }

  /**
   * A session's pending lines in requests of at most `logBatch` lines and about 512 KB; a 413
   * from the hosted API halves the request and tries again, so a long line or a smaller body
   * limit over there cannot park a session's logs.
   */
  private async sendLogs(unit: Unit, progress: (records: number) => void): Promise<void> {
    const chargePointId = unit.entries[0]!.chargePointId;
    let limit = this.options.logBatch ?? DEFAULT_LOG_BATCH;
    for (const [from, to] of mergedRanges(unit.entries)) {
      let start = from;
      while (start <= to) {
        const lines = fitBytes(this.store.logs.range(unit.ref, start, Math.min(to, start + limit - 1)), MAX_REQUEST_BYTES);
        if (lines.length === 0) break;
        try {
          await this.client.postSessionLogs(chargePointId, unit.ref, lines);
        } catch (err) {
          if (err instanceof ApiRequestError && err.status === 413 && lines.length > 1) {
            limit = Math.max(1, Math.floor(lines.length / 2));
            continue;
          }
          throw err;
        }
        progress(lines.length);
        start = lines[lines.length - 1]!.seq + 1;
      }
    }
  }
}

const MAX_REQUEST_BYTES = 512 * 1024;

/** The first lines of `lines` whose JSON fits in `bytes` (at least one). */
function fitBytes(lines: LogEntry[], bytes: number): LogEntry[] {
  let size = 0;
  for (let i = 0; i < lines.length; i += 1) {
    size += lines[i]!.message.length + 120;
    if (size > bytes && i > 0) return lines.slice(0, i);
  }
  return lines;
}
