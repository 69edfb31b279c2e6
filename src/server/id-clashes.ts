import type { IdClash } from '../api/contract.js';
import { isoSeconds } from '../common/time.js';

export interface IdClashLimits {
  /** Replacements are counted over this window; a clash is said at most once per window. */
  windowMs: number;
  /** Replacements from another address within the window that make it a clash, not a reboot. */
  replacements: number;
}

const DEFAULT_LIMITS: IdClashLimits = { windowMs: 5 * 60_000, replacements: 3 };
/** Charge points followed at once; a flood of ids forgets the oldest. */
const MAX_IDS = 1000;
/** Addresses kept per id: two devices are the case, a few more are still worth naming. */
const MAX_ADDRESSES = 4;

const address = (a: string | null): string => (a ? a.replace(/^::ffff:/, '') : 'an unknown address');

interface Track {
  /** When a connection from one address replaced an open one from another, within the window. */
  times: number[];
  addresses: string[];
  saidAt: number | null;
}

/**
 * Two chargers configured with one id knock each other off in turn: each new connection replaces
 * the other's, from another address. A charger that reconnects after losing its link comes from
 * its own address (or replaces nothing), so it is not counted. Said once per window to the
 * operator, and kept for `local cp list` and `start`. Bounded in ids, addresses and times.
 */
export class IdClashLog {
  private readonly limits: IdClashLimits;
  private readonly tracks = new Map<string, Track>();
  /** The address of the connection just replaced, until its successor's `connected`. */
  private readonly replacedFrom = new Map<string, string>();

  constructor(
    private readonly say: (line: string) => void,
    limits: Partial<IdClashLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** An open connection of `id` was replaced by a new one (the server says so before it opens). */
  replaced(id: string, remoteAddress: string | null): void {
    this.replacedFrom.set(id, address(remoteAddress));
    if (this.replacedFrom.size > MAX_IDS) this.replacedFrom.delete(this.replacedFrom.keys().next().value!);
  }

  connected(id: string, remoteAddress: string | null): void {
    const previous = this.replacedFrom.get(id);
    this.replacedFrom.delete(id);
    const now = Date.now();
    const from = address(remoteAddress);
    if (previous === undefined || previous === from) return;
    let track = this.tracks.get(id);
    if (!track) {
      track = { times: [], addresses: [], saidAt: null };
      this.tracks.set(id, track);
      if (this.tracks.size > MAX_IDS) this.tracks.delete(this.tracks.keys().next().value!);
    }
    track.times = [...track.times.filter((t) => now - t < this.limits.windowMs), now].slice(-this.limits.replacements * 4);
    for (const a of [previous, from]) {
      track.addresses = [a, ...track.addresses.filter((x) => x !== a)].slice(0, MAX_ADDRESSES);
    }
    const clash = this.clash(id);
    if (clash && (track.saidAt === null || now - track.saidAt >= this.limits.windowMs)) {
      track.saidAt = now;
      this.say(describeClash(id, clash));
    }
  }

  /** The clash on `id` within the window, if there is one. */
  clash(id: string): IdClash | null {
    const track = this.tracks.get(id);
    if (!track) return null;
    const recent = track.times.filter((t) => Date.now() - t < this.limits.windowMs);
    if (recent.length < this.limits.replacements) return null;
    return { addresses: [...track.addresses].sort(), replacements: recent.length, window_s: Math.round(this.limits.windowMs / 1000), at: isoSeconds(new Date(recent[recent.length - 1]!)) };
  }
}

/** One line for people: what is wrong and what to do. */
export function describeClash(id: string, clash: IdClash): string {
  const who = clash.addresses.length === 2 ? 'two devices' : `${clash.addresses.length} devices`;
  const last = clash.addresses.at(-1)!;
  const list = clash.addresses.length === 2 ? clash.addresses.join(' and ') : `${clash.addresses.slice(0, -1).join(', ')} and ${last}`;
  const minutes = Math.round(clash.window_s / 60);
  return `${who} use the id ${id}: ${list} (they replaced each other's connection ${clash.replacements} times in the last ${minutes} min); give each charger its own Charge Point ID`;
}
