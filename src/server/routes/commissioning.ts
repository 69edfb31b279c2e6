import type { ApplyTemplateRequest, DiagnosticsQuery, RestartRequest, StartRequest } from '../../api/contract.js';
import { applyTemplateSchema, diagnosticsQuerySchema, restartSchema, startSchema } from '../../api/schemas.js';
import { validate } from '../../api/validate.js';
import { ok, type RouteHandler } from '../http/types.js';
import { explainNotConnected } from '../why-offline.js';
import type { RouteDeps } from './deps.js';

type Names = 'start' | 'status' | 'stop' | 'pause' | 'resume' | 'restart' | 'applyTemplate' | 'diagnostics' | 'commission';

/** Routes that drive the commissioning engine. */
export function commissioningRoutes({ engine, refusals, clashes }: RouteDeps): Record<Names, RouteHandler> {
  const cp = (params: Record<string, string>): string => params['charge_point_id']!;
  // A charger that is not connected: the error says why, when the server knows.
  const explained = <T>(params: Record<string, string>, fn: () => T): T => explainNotConnected(cp(params), refusals, clashes, fn);
  return {
    start: ({ params, body, auth }) => {
      const req = validate<StartRequest>(startSchema, body);
      const options: { templateId?: string; skipTestTransaction?: boolean; installerId: string | null } = { installerId: auth?.installerId ?? null };
      if (req.template_id !== undefined) options.templateId = req.template_id;
      if (req.skip_test_transaction !== undefined) options.skipTestTransaction = req.skip_test_transaction;
      return ok(explained(params, () => engine.start(cp(params), options)), 202);
    },
    restart: ({ params, body, auth }) => {
      const req = validate<RestartRequest>(restartSchema, body);
      const installerId = auth?.installerId ?? null;
      return ok(explained(params, () => engine.restart(cp(params), req.template_id === undefined ? { installerId } : { templateId: req.template_id, installerId })), 202);
    },
    status: ({ params }) => ok(engine.status(cp(params))),
    stop: ({ params }) => ok(engine.stop(cp(params))),
    pause: ({ params }) => ok(engine.pause(cp(params))),
    resume: ({ params }) => ok(engine.resume(cp(params))),
    applyTemplate: async ({ params, body }) => {
      const req = validate<ApplyTemplateRequest>(applyTemplateSchema, body);
      return ok(await engine.applyTemplate(cp(params), req.template_id));
    },
    diagnostics: ({ params, query }) => {
      const q = validate<DiagnosticsQuery>(diagnosticsQuerySchema, query, { query: true });
      return ok(engine.diagnostics(cp(params), { full: q.full === true }));
    },
    commission: ({ params }) => ok(engine.commission(cp(params))),
  };
}
