import type { HealthResponse } from '../../api/contract.js';
import { ok, type RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';

export function healthRoute({ version }: RouteDeps): RouteHandler {
  const body: HealthResponse = { status: 'ok', version };
  return () => ok(body);
}
