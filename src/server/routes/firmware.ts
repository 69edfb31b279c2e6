import type { ChargePointEventsResponse, FirmwareUpdateRequest } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { eventsQuerySchema, firmwareUpdateSchema } from '../../api/schemas.js';
import { validate } from '../../api/validate.js';
import { ok, type RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';
import { requireFullScope } from './local-charge-points.js';

/** The local server's routes for the chargers' files (README, "Firmware and the charger's own diagnostics"). */
export function firmwareRoutes({ firmware, chargerDiagnostics, store }: RouteDeps): Record<'putFirmware' | 'startFirmwareUpdate' | 'firmwareUpdate' | 'chargePointEvents' | 'startDiagnosticsFetch' | 'diagnosticsFetch' | 'diagnosticsFile', RouteHandler> {
  return {
    startDiagnosticsFetch: async ({ params }) => ok(await chargerDiagnostics.start(params['charge_point_id']!), 202),
    diagnosticsFetch: ({ params }) => ok(chargerDiagnostics.latest(params['charge_point_id']!)),
    diagnosticsFile: ({ params }) => ({ status: 200, body: null, file: chargerDiagnostics.latestFile(params['charge_point_id']!) }),
    // An image may go to any charger: like the other local routes without a charge point, for full-scope tokens.
    putFirmware: async ({ auth, fileBody }) => {
      requireFullScope(auth);
      return ok(await firmware.receiveImage(fileBody!), 201);
    },
    startFirmwareUpdate: async ({ params, body }) => {
      const id = params['charge_point_id']!;
      const request = validate<FirmwareUpdateRequest>(firmwareUpdateSchema, body);
      return ok(await firmware.start(id, request), 202);
    },
    firmwareUpdate: ({ params }) => ok(firmware.latest(params['charge_point_id']!)),
    // The charge point's own log: every firmware and diagnostics step, whatever the session.
    chargePointEvents: ({ params, query }) => {
      const id = params['charge_point_id']!;
      const { topic } = validate<{ topic?: 'firmware' | 'diagnostics' }>(eventsQuerySchema, query);
      if (!store.chargePoints.get(id)) throw new ApiError('not_found', `charge point ${id} not found`);
      const response: ChargePointEventsResponse = { charge_point_id: id, events: store.events.list(id, topic ? { topic } : {}) };
      return ok(response);
    },
  };
}
