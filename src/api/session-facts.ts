/**
 * Lines the engine writes to a session's log in a fixed form, so that a commissioning report can
 * read the facts back from any server that keeps the log: the local server, and the hosted API,
 * which receives every line through sync. The engine formats them here and the report parses
 * them here; nothing else depends on the wording. Each is a short human prefix and a JSON object,
 * so a value from a charger (a read-back, a reason) cannot break the parse.
 */
import type { LogEntry } from './contract.js';

/** One setting of a template (a 1.6 key or a 2.0.1 variable) and what became of it. */
export interface SettingFact {
  name: string;
  /** What was sent; null for a write-only setting (a password), which is never logged. */
  sent: string | null;
  outcome: 'applied' | 'rejected';
  /** Why it was not applied (the charge point's answer, or what it read back). */
  reason: string | null;
  /** The value read back after setting it; null when it was not (or cannot be) read back. */
  read_back: string | null;
}

/** What the test transaction measured. */
export interface TransactionFact {
  transaction_id: string;
  meter_start_wh: number | null;
  meter_stop_wh: number | null;
  energy_wh: number;
  /** How many meter value messages came during the transaction. */
  meter_readings: number;
  /** The energy register readings in Wh, in the order they came (at most READINGS_KEPT). */
  readings_wh: number[];
  /** The time it charged for, in seconds (running time; pauses do not count). */
  charging_s: number;
}

/** Who started the session, and with which template. */
export interface SessionStartFact {
  installer_id: string | null;
  template_id: string;
  skip_test_transaction: boolean;
}

export const READINGS_KEPT = 100;

/** A charger's value is at most this long in a line (1.6 values are CiString500). */
const VALUE_LIMIT = 500;

const PREFIX = { setting: 'Setting outcome: ', transaction: 'Test transaction figures: ', start: 'Session facts: ' } as const;

const cut = (v: string | null): string | null => (v === null ? null : v.length > VALUE_LIMIT ? `${v.slice(0, VALUE_LIMIT)}…` : v);

export const settingLine = (f: SettingFact): string => `${PREFIX.setting}${JSON.stringify({ ...f, sent: cut(f.sent), reason: cut(f.reason), read_back: cut(f.read_back) })}`;
export const transactionLine = (f: TransactionFact): string => `${PREFIX.transaction}${JSON.stringify({ ...f, readings_wh: f.readings_wh.slice(0, READINGS_KEPT) })}`;
export const sessionStartLine = (f: SessionStartFact): string => `${PREFIX.start}${JSON.stringify(f)}`;

const str = (v: unknown): v is string => typeof v === 'string';
const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): v is number | null => v === null || num(v);

function parse(message: string, prefix: string): Record<string, unknown> | null {
  if (!message.startsWith(prefix)) return null;
  try {
    const v: unknown = JSON.parse(message.slice(prefix.length));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The facts of a session's log lines; lines of another shape are ignored, and so are lines not
 * at info: the engine writes its facts at info, and the lines that quote a charger (its frames at
 * debug, its protocol problems at warn) cannot pass for one.
 */
export function readFacts(logs: readonly LogEntry[]): { settings: SettingFact[]; transaction: TransactionFact | null; start: SessionStartFact | null } {
  const settings: SettingFact[] = [];
  let transaction: TransactionFact | null = null;
  let start: SessionStartFact | null = null;
  for (const { level, message } of logs) {
    if (level !== 'info') continue;
    const s = parse(message, PREFIX.setting);
    if (s && str(s['name']) && strOrNull(s['sent']) && (s['outcome'] === 'applied' || s['outcome'] === 'rejected') && strOrNull(s['reason']) && strOrNull(s['read_back'])) {
      settings.push({ name: s['name'], sent: s['sent'], outcome: s['outcome'], reason: s['reason'], read_back: s['read_back'] });
      continue;
    }
    const t = parse(message, PREFIX.transaction);
    if (t && str(t['transaction_id']) && numOrNull(t['meter_start_wh']) && numOrNull(t['meter_stop_wh']) && num(t['energy_wh']) && num(t['meter_readings']) && num(t['charging_s'])) {
      const readings = Array.isArray(t['readings_wh']) ? t['readings_wh'].filter(num).slice(0, READINGS_KEPT) : [];
      transaction = { transaction_id: t['transaction_id'], meter_start_wh: t['meter_start_wh'], meter_stop_wh: t['meter_stop_wh'], energy_wh: t['energy_wh'], meter_readings: t['meter_readings'], readings_wh: readings, charging_s: t['charging_s'] };
      continue;
    }
    const f = parse(message, PREFIX.start);
    if (f && strOrNull(f['installer_id']) && str(f['template_id'])) start = { installer_id: f['installer_id'], template_id: f['template_id'], skip_test_transaction: f['skip_test_transaction'] === true };
  }
  return { settings, transaction, start };
}
