import type { ConnectionRefusal, NotConnectedDetail } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { RefusalLog } from './auth/refusals.js';
import { describeClash, type IdClashLog } from './id-clashes.js';

/** `12 s ago`, `3 min ago`, `2 h ago`: how long since a refusal, for the one who retries now. */
function ago(at: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

const refused = (r: ConnectionRefusal): string => `refused ${ago(r.at)}: ${r.reason}${r.from ? `, from ${r.from}` : ''}${r.count > 1 ? ` (${r.count} attempts)` : ''}`;

/**
 * What the server knows of why `id` is not connected: its own refusals, a refused id that looks
 * like a mistyped `id`, two devices sharing it. Null when it knows nothing (the charger never tried).
 */
export function whyNotConnected(id: string, refusals: RefusalLog, clashes: IdClashLog): { text: string; details: NotConnectedDetail[] } | null {
  const details: NotConnectedDetail[] = [];
  const said: string[] = [];
  const own = refusals.lastRefusal(id);
  if (own) {
    details.push({ issue: 'refused', refusal: own });
    said.push(refused(own));
  }
  for (const { id: tried, did_you_mean: _guess, ...refusal } of refusals.unknownIds().filter((u) => u.did_you_mean === id).slice(0, 3)) {
    details.push({ issue: 'similar_id_refused', id: tried, refusal });
    said.push(`${tried} (not known here) ${refused(refusal)}; is the charger's Charge Point ID mistyped?`);
  }
  const clash = clashes.clash(id);
  if (clash) {
    details.push({ issue: 'duplicate_id', duplicate_id: clash });
    said.push(describeClash(id, clash));
  }
  return said.length > 0 ? { text: said.join('; '), details } : null;
}

/**
 * A `not_connected` from the engine with what the server knows added: the same code and status
 * (the contract's), a message that names the reason, and `details` entries a script can read.
 */
export function explainNotConnected<T>(id: string, refusals: RefusalLog, clashes: IdClashLog, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'not_connected') throw err;
    const why = whyNotConnected(id, refusals, clashes);
    if (!why) throw err;
    throw new ApiError('not_connected', `${id} is not connected over OCPP: ${why.text}`, [...err.details, ...why.details]);
  }
}
