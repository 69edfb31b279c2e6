import type { ApiClient } from '../../api/client.js';
import { ApiRequestError } from '../../api/client-errors.js';
import type { LocalChargePoint, StatusResponse } from '../../api/contract.js';
import { mapLimit } from '../../common/map-limit.js';
import { UsageError } from '../errors.js';
import { isFinished } from '../session-format.js';

/** A charge point of a site run, with what the local server knows of it (null: not known, the hosted API). */
export interface SiteTarget {
  id: string;
  model: string | null;
  ocppVersion: string | null;
  connected: boolean | null;
}

/** Which charge points: the ids given, or every connected / pending one of the local server. */
export type Selection = { ids: string[] } | { all: 'connected' | 'pending' };

/** Status requests in flight at once when a whole site is read. */
export const READ_CONCURRENCY = 8;

/**
 * The local server's charge points; null where there is no such list (the hosted API answers
 * its local-only route 404) or, with `optional`, where this login may not read it (403).
 */
export async function siteList(client: ApiClient, optional = false): Promise<LocalChargePoint[] | null> {
  try {
    return (await client.localChargePoints()).charge_points;
  } catch (err) {
    if (err instanceof ApiRequestError && (err.status === 404 || err.status === 405 || (optional && err.status === 403))) return null;
    throw err;
  }
}

/** Each charge point's latest session, null for one that never had one (404). */
export async function latestSessions(client: ApiClient, ids: readonly string[]): Promise<Map<string, StatusResponse | null>> {
  const statuses = await mapLimit(ids, READ_CONCURRENCY, async (id) => {
    try {
      return await client.status(id);
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 404) return null;
      throw err;
    }
  });
  return new Map(ids.map((id, i) => [id, statuses[i]!]));
}

export const passedSession = (s: StatusResponse | null): boolean => s !== null && s.status === 'completed' && s.result === 'passed';

/**
 * Pending: connected, not commissioned, no session running or paused, and its latest session
 * (if any) did not pass. A charge point that passed and waits for `commission` is not pending:
 * starting it again would only throw its passing session away.
 */
export const isPending = (cp: LocalChargePoint, latest: StatusResponse | null): boolean =>
  cp.connected && !cp.commissioned && (latest === null || (isFinished(latest) && !passedSession(latest)));

const targetOf = (cp: LocalChargePoint): SiteTarget => ({ id: cp.id, model: cp.model, ocppVersion: cp.ocpp_version, connected: cp.connected });

/** The charge points a site run is for, in the order given (the local server's order for --all-*). */
export async function resolveTargets(client: ApiClient, selection: Selection): Promise<SiteTarget[]> {
  if ('ids' in selection) {
    const list = await siteList(client, true);
    const known = new Map(list?.map((cp) => [cp.id, cp]));
    // Not in the local server's list: it cannot be connected. Without a list (the hosted API): not known.
    return [...new Set(selection.ids)].map((id) => (known.has(id) ? targetOf(known.get(id)!) : { id, model: null, ocppVersion: null, connected: list ? false : null }));
  }
  const flag = `--all-${selection.all}`;
  const list = await siteList(client);
  if (list === null) throw new UsageError(`${flag} needs the local server's list of charge points, and this API has none (the hosted API lists no charge points)`, 'give the charge point ids: dynamo start CP-1 CP-2 …');
  // Commissioned ones are left out of both: the server would refuse to start them (422).
  const connected = list.filter((cp) => cp.connected && !cp.commissioned);
  if (selection.all === 'connected') return connected.map(targetOf);
  const latest = await latestSessions(client, connected.map((cp) => cp.id));
  return connected.filter((cp) => isPending(cp, latest.get(cp.id) ?? null)).map(targetOf);
}
