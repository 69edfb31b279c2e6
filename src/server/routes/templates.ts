import type { TemplatesResponse } from '../../api/contract.js';
import { toTemplateSummary } from '../engine/templates.js';
import { ok, type RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';

export function templatesRoute({ templates }: RouteDeps): RouteHandler {
  return () => {
    const list = templates.list().map(toTemplateSummary);
    const invalid = templates.invalid().map((p) => ({ file: p.file, template_id: p.templateId, reason: p.message }));
    const response: TemplatesResponse = { templates: list, total: list.length, invalid_templates: invalid };
    return ok(response);
  };
}
