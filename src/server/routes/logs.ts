import type { LogsQuery, LogsResponse } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { logsQuerySchema } from '../../api/schemas.js';
import { validate } from '../../api/validate.js';
import { ok, type RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';

export const DEFAULT_LOG_LIMIT = 500;

/** GET .../logs: one session's lines (the latest session unless session_id is given). */
export function logsRoute({ store }: RouteDeps): RouteHandler {
  return async ({ params, query }) => {
    const chargePointId = params['charge_point_id']!;
    const q = validate<LogsQuery>(logsQuerySchema, query, { query: true });
    if (!store.chargePoints.get(chargePointId)) throw new ApiError('not_found', `charge point ${chargePointId} not found`);
    const session = q.session_id ? store.sessions.get(q.session_id) : store.sessions.latest(chargePointId);
    if (!session || session.chargePointId !== chargePointId) {
      throw new ApiError('not_found', q.session_id ? `session ${q.session_id} not found for ${chargePointId}` : `no commissioning session for ${chargePointId} yet`);
    }
    const page = await store.logs.page(session.id, {
      ...(q.level && { level: q.level }),
      limit: q.limit ?? DEFAULT_LOG_LIMIT,
      offset: q.offset ?? 0,
    });
    const response: LogsResponse = { charge_point_id: chargePointId, session_id: session.id, logs: page.logs, total: page.total };
    return ok(response);
  };
}
