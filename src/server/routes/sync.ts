import type { ChargePointEvent, EventBatchResponse, LogBatchRequest, LogBatchResponse, SessionPutResponse, SessionRecord } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { eventBatchSchema, logBatchSchema, sessionRecordSchema } from '../../api/schemas.js';
import { validate } from '../../api/validate.js';
import { ok, type RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';

function requireChargePoint(deps: RouteDeps, id: string): void {
  if (!deps.store.chargePoints.get(id)) throw new ApiError('not_found', `charge point ${id} not found`);
}

/**
 * Receiving sync is the hosted API's role: a site server sends its records, it never takes them.
 * Otherwise anyone with a token could plant a passed session (and then commission a charge
 * point that never connected) or lines in a real session. Only a server started as a stand-in
 * for the hosted API (tests, benchmarks) has these routes.
 */
function requireReceiver(deps: RouteDeps): void {
  if (!deps.receivesSync) throw new ApiError('not_found', 'this is a site server: it sends its records to the hosted API and receives none');
}

/** Clocks differ a little; a record from the future is forged or broken. */
const FUTURE_SKEW_MS = 5 * 60_000;

export function refuseFuture(field: string, value: string | null | undefined): void {
  if (value && Date.parse(value) > Date.now() + FUTURE_SKEW_MS) {
    throw new ApiError('validation_error', `${field} is in the future (${value})`, [{ field, issue: 'in_the_future' }]);
  }
}

/** PUT .../sessions/{session_id}: an offline session's final record; repeating it changes nothing. */
export function putSessionRoute(deps: RouteDeps): RouteHandler {
  return ({ params, body }) => {
    const chargePointId = params['charge_point_id']!;
    const sessionId = params['session_id']!;
    requireReceiver(deps);
    const record = validate<SessionRecord>(sessionRecordSchema, body);
    for (const field of ['started_at', 'completed_at', 'paused_at'] as const) refuseFuture(field, record[field]);
    if (record.charge_point_id !== chargePointId) {
      throw new ApiError('validation_error', 'charge_point_id does not match the path', [{ field: 'charge_point_id', issue: 'mismatch' }]);
    }
    if (record.session_id !== sessionId) {
      throw new ApiError('validation_error', 'session_id does not match the path', [{ field: 'session_id', issue: 'mismatch' }]);
    }
    requireChargePoint(deps, chargePointId);
    const existing = deps.store.sessions.get(sessionId);
    if (existing && (existing.origin === 'local' || existing.chargePointId !== chargePointId)) {
      throw new ApiError('already_exists', `session ${sessionId} already exists here and was not sent by sync`);
    }
    deps.store.sessions.upsertRecord(record);
    const response: SessionPutResponse = { charge_point_id: chargePointId, session_id: sessionId, stored: true };
    return ok(response);
  };
}

/** POST .../sessions/{session_id}/logs: a batch of lines; a (session, seq) already stored is skipped. */
export function postSessionLogsRoute(deps: RouteDeps): RouteHandler {
  return ({ params, body }) => {
    const chargePointId = params['charge_point_id']!;
    const sessionId = params['session_id']!;
    requireReceiver(deps);
    const batch = validate<LogBatchRequest>(logBatchSchema, body);
    batch.logs.forEach((line, i) => refuseFuture(`logs[${i}].timestamp`, line.timestamp));
    requireChargePoint(deps, chargePointId);
    const existing = deps.store.sessions.get(sessionId);
    if (existing && existing.chargePointId !== chargePointId) {
      throw new ApiError('not_found', `session ${sessionId} does not belong to ${chargePointId}`);
    }
    if (existing?.origin === 'local') throw new ApiError('already_exists', `session ${sessionId} was run here; its log takes no lines from elsewhere`);
    const counts = deps.store.logs.receive(sessionId, batch.logs);
    const response: LogBatchResponse = { session_id: sessionId, ...counts };
    return ok(response);
  };
}

/** POST .../charge-points/{id}/events: a charge point's own log lines; an id already stored is skipped. */
export function postChargePointEventsRoute(deps: RouteDeps): RouteHandler {
  return ({ params, body }) => {
    const chargePointId = params['charge_point_id']!;
    requireReceiver(deps);
    const { events } = validate<{ events: ChargePointEvent[] }>(eventBatchSchema, body);
    events.forEach((event, i) => {
      refuseFuture(`events[${i}].timestamp`, event.timestamp);
      if (event.charge_point_id !== chargePointId) throw new ApiError('validation_error', `events[${i}].charge_point_id does not match the path`, [{ field: `events[${i}].charge_point_id`, issue: 'mismatch' }]);
    });
    requireChargePoint(deps, chargePointId);
    const accepted = deps.store.write(() => events.filter((event) => deps.store.events.receive(event)).length);
    const response: EventBatchResponse = { charge_point_id: chargePointId, accepted, duplicates: events.length - accepted };
    return ok(response);
  };
}
