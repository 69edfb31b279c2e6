import { clip } from '../../common/clip.js';
import { shellWord } from '../../common/shell-word.js';
import { sourceOf } from '../../common/source-address.js';

export interface Refusal {
  chargePointId: string | null;
  status: number;
  reason: string;
  remoteAddress: string | null;
}

export interface LastRefusal {
  at: string;
  reason: string;
  from: string | null;
  /** Attempts refused since the charge point last connected. */
  count: number;
}

export interface RefusalLimits {
  /** Repeats are summed over this window and said once at its end. */
  windowMs: number;
  /** Distinct refusals said one by one per source and window; the rest are summed. */
  linesPerSource: number;
  /** Unknown ids remembered for `local cp list`. */
  unknownIdsKept: number;
}

const DEFAULT_LIMITS: RefusalLimits = { windowMs: 30_000, linesPerSource: 5, unknownIdsKept: 50 };
/** What one window may hold at most, whatever a flood sends; also the charge points remembered. */
const MAX_KEYS = 1000;
/** Distinct reasons summed per source and window; a source that invents more has them summed as one. */
const MAX_REASONS_PER_SOURCE = 20;
/** A reason quotes the peer (the subprotocols it offered): no more of it than a line can use. */
const REASON_LIMIT = 200;


const address = (a: string | null): string => (a ? a.replace(/^::ffff:/, '') : 'an unknown address');

/**
 * Tells the operator about every connection the OCPP port refused (a wrong password, a mistyped
 * id, a subprotocol we do not speak), aggregated so that a flood is a few lines, not thousands:
 * the first refusal of its kind is said at once, repeats are summed at the end of the window,
 * and a source that keeps inventing new ones is summarised by reason. Everything held is bounded.
 * It also keeps the last refusal of each charge point, and the unknown ids that tried, for
 * `dynamo local cp list`.
 */
export class RefusalLog {
  private readonly limits: RefusalLimits;
  private repeats = new Map<string, { refusal: Refusal; count: number }>();
  private perSource = new Map<string, { lines: number; unsaid: Map<string, number> }>();
  private readonly last = new Map<string, LastRefusal>();
  private readonly unknown = new Map<string, LastRefusal>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly say: (line: string) => void,
    private readonly knownIds: () => string[],
    limits: Partial<RefusalLimits> = {},
    /** A command as the operator types it for this server (its --data-dir, say). */
    private readonly command: (args: string) => string = (args) => `dynamo ${args}`,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.timer = setInterval(() => this.flush(), this.limits.windowMs);
    this.timer.unref();
  }

  record(offered: Refusal): void {
    const refusal = { ...offered, reason: clip(offered.reason, REASON_LIMIT) };
    this.remember(refusal);
    const source = sourceOf(refusal.remoteAddress);
    const key = `${refusal.chargePointId ?? ''}\n${refusal.reason}\n${source}`;
    const seen = this.repeats.get(key);
    if (seen) {
      seen.count += 1;
      return;
    }
    const mine = this.perSource.get(source) ?? { lines: 0, unsaid: new Map<string, number>() };
    if (this.perSource.size < MAX_KEYS) this.perSource.set(source, mine);
    if (mine.lines >= this.limits.linesPerSource || this.repeats.size >= MAX_KEYS) {
      const reason = mine.unsaid.has(refusal.reason) || mine.unsaid.size < MAX_REASONS_PER_SOURCE ? refusal.reason : 'other reasons';
      mine.unsaid.set(reason, (mine.unsaid.get(reason) ?? 0) + 1);
      return;
    }
    mine.lines += 1;
    this.repeats.set(key, { refusal, count: 0 });
    this.say(this.describe(refusal));
  }

  /** The charge point connected: its refusals are history. */
  connected(id: string): void {
    this.last.delete(id);
    this.unknown.delete(id);
  }

  lastRefusal(id: string): LastRefusal | null {
    return this.last.get(id) ?? null;
  }

  /** Ids that tried to connect but are not known here, newest first, with a likely intended id. */
  unknownIds(): (LastRefusal & { id: string; did_you_mean: string | null })[] {
    const known = this.knownIds();
    return [...this.unknown.entries()]
      .reverse()
      .filter(([id]) => !known.includes(id))
      .map(([id, r]) => ({ id, ...r, did_you_mean: closestId(id, known) }));
  }

  /** Says the sums of the window that ends, and starts a new one. */
  flush(): void {
    const seconds = Math.round(this.limits.windowMs / 1000);
    for (const { refusal, count } of this.repeats.values()) {
      if (count === 0) continue;
      const who = refusal.chargePointId ?? `connections from ${address(refusal.remoteAddress)}`;
      this.say(`${who} refused ${count} more time${count === 1 ? '' : 's'} in the last ${seconds} s: ${refusal.reason}${refusal.chargePointId ? `, from ${address(refusal.remoteAddress)}` : ''}`);
    }
    for (const [source, { unsaid }] of this.perSource) {
      const total = [...unsaid.values()].reduce((a, b) => a + b, 0);
      if (total === 0) continue;
      const reasons = [...unsaid.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([reason, n]) => `${n} × ${reason}`);
      this.say(`${source === 'loopback' ? 'this laptop' : source}: ${total} more connection attempt${total === 1 ? '' : 's'} refused in the last ${seconds} s (${reasons.join('; ')})`);
    }
    this.repeats = new Map();
    this.perSource = new Map();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }

  private describe(r: Refusal): string {
    const from = address(r.remoteAddress);
    if (!r.chargePointId) return `connection from ${from} refused: ${r.reason}`;
    const guess = r.reason === 'unknown charge point' ? closestId(r.chargePointId, this.knownIds()) : null;
    const next = r.reason === 'unknown charge point' ? (guess ? ` — did you mean ${guess}?` : ` — ${this.command(`local cp add ${shellWord(r.chargePointId)}`)} lets it in`) : '';
    return `${r.chargePointId} refused: ${r.reason}, from ${from}${next}`;
  }

  private remember(r: Refusal): void {
    if (!r.chargePointId) return;
    const entry = (previous: LastRefusal | undefined): LastRefusal => ({
      at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason: r.reason,
      from: r.remoteAddress ? address(r.remoteAddress) : null,
      count: (previous?.count ?? 0) + 1,
    });
    if (r.reason !== 'unknown charge point') {
      // Any id may be refused for its subprotocol before it is looked up: the oldest go first.
      const previous = this.last.get(r.chargePointId);
      this.last.delete(r.chargePointId);
      this.last.set(r.chargePointId, entry(previous));
      if (this.last.size > MAX_KEYS) this.last.delete(this.last.keys().next().value!);
      return;
    }
    const previous = this.unknown.get(r.chargePointId);
    this.unknown.delete(r.chargePointId);
    this.unknown.set(r.chargePointId, entry(previous));
    if (this.unknown.size > this.limits.unknownIdsKept) this.unknown.delete(this.unknown.keys().next().value!);
  }
}

/** Look-alikes an installer mistypes from a label: O for 0, I or l for 1, and any case. */
const canonical = (id: string): string => id.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');

/** Edit distance with a cut-off: ids are short (48 at most) and only a close one is of use. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    if (Math.min(...row) > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** The known id an unknown one most likely meant, if one is close enough to be a typo. */
export function closestId(id: string, known: string[]): string | null {
  const wanted = canonical(id);
  let best: { id: string; d: number } | null = null;
  for (const candidate of known) {
    if (candidate === id) continue;
    const d = distance(wanted, canonical(candidate), 2);
    if (d <= 2 && (!best || d < best.d)) best = { id: candidate, d };
  }
  return best?.id ?? null;
}
