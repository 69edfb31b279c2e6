import type { TemplatesResponse } from '../../api/contract.js';
import { toTemplateSummary } from '../engine/templates.js';
import { ok, type RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';

export function templatesRoute({ templates }: RouteDeps): RouteHandler {
  return () => {
    const list = templates.list().map(toTemplateSummary);
    const response: TemplatesResponse = { templates: list, total: list.length };
    return ok(response);
  };
}
