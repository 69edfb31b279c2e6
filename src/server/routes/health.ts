import type { HealthResponse } from '../../api/contract.js';
import { ok, type RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';

export function healthRoute({ version, csms, chargePointAuth }: RouteDeps): RouteHandler {
  return () => {
    const memory = process.memoryUsage();
    const body: HealthResponse = {
      status: 'ok',
      version,
      uptime_s: Math.round(process.uptime()),
      rss_mb: Math.round(memory.rss / 2 ** 20),
      heap_used_mb: Math.round(memory.heapUsed / 2 ** 20),
      active_handles: process.getActiveResourcesInfo().filter((r) => r !== 'Timeout').length,
    };
    if (chargePointAuth) {
      const a = chargePointAuth.stats;
      body.ocpp = {
        connected: csms.connectedIds().length,
        handshaking: csms.handshaking,
        password_checks: a.verifications,
        refused: { unknown_id: a.refusedUnknown, wrong_password: a.refusedWrongPassword, rate_limited: a.refusedRateLimited, busy: a.refusedBusy },
      };
    }
    return ok(body);
  };
}
