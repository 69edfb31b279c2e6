import type { ApplyTemplateRequest, DiagnosticsQuery, RestartRequest, StartRequest } from '../../api/contract.js';
import { applyTemplateSchema, diagnosticsQuerySchema, restartSchema, startSchema } from '../../api/schemas.js';
import { validate } from '../../api/validate.js';
import { ok, type RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';

type Names = 'start' | 'status' | 'stop' | 'pause' | 'resume' | 'restart' | 'applyTemplate' | 'diagnostics' | 'commission';

/** Routes that drive the commissioning engine. */
export function commissioningRoutes({ engine }: RouteDeps): Record<Names, RouteHandler> {
  const cp = (params: Record<string, string>): string => params['charge_point_id']!;
  return {
    start: ({ params, body }) => {
      const req = validate<StartRequest>(startSchema, body);
      const options: { templateId?: string; skipTestTransaction?: boolean } = {};
      if (req.template_id !== undefined) options.templateId = req.template_id;
      if (req.skip_test_transaction !== undefined) options.skipTestTransaction = req.skip_test_transaction;
      return ok(engine.start(cp(params), options), 202);
    },
    restart: ({ params, body }) => {
      const req = validate<RestartRequest>(restartSchema, body);
      return ok(engine.restart(cp(params), req.template_id === undefined ? {} : { templateId: req.template_id }), 202);
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
