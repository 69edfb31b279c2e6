import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ApiError, type ApiErrorDetail } from './errors.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

// allErrors so a form can mark every wrong field at once; coercion only for query strings;
// verbose for the schema's description of a pattern, which says more than the pattern itself.
const bodies = new Ajv({ allErrors: true, strict: false, verbose: true });
const queries = new Ajv({ allErrors: true, strict: false, coerceTypes: true, verbose: true });
addFormats(bodies, ['date-time', 'uri']);
addFormats(queries, ['date-time', 'uri']);

const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: object, coerce: boolean): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = (coerce ? queries : bodies).compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** `/photo_urls/0` → `photo_urls[0]`. */
function fieldName(error: ErrorObject): string {
  let path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  if (error.keyword === 'required') path = path ? `${path}.${String(error.params['missingProperty'])}` : String(error.params['missingProperty']);
  if (error.keyword === 'additionalProperties') {
    const extra = String(error.params['additionalProperty']);
    path = path ? `${path}.${extra}` : extra;
  }
  return path || '(body)';
}

function detail(error: ErrorObject): ApiErrorDetail & { field: string; message: string } {
  const field = fieldName(error);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field, issue: 'missing', message: `${field} is required` };
    case 'additionalProperties':
      return { field, issue: 'unknown_field', message: `${field} is not a known field` };
    case 'minLength':
      return { field, issue: 'too_short', min: p['limit'], message: `${field} must be at least ${String(p['limit'])} characters` };
    case 'maxLength':
      return { field, issue: 'too_long', max: p['limit'], message: `${field} must be at most ${String(p['limit'])} characters` };
    case 'enum':
      return {
        field,
        issue: 'not_allowed',
        allowed: p['allowedValues'],
        message: `${field} must be one of: ${(p['allowedValues'] as unknown[]).join(', ')}`,
      };
    case 'type':
      return { field, issue: 'wrong_type', message: `${field} must be ${String(p['type'])}` };
    case 'pattern':
    case 'format': {
      const described = (error.parentSchema as { description?: string } | undefined)?.description;
      return { field, issue: 'invalid_format', message: described ? `${field} must be ${described}` : `${field} has an invalid format` };
    }
    default:
      return { field, issue: error.keyword, message: `${field} ${error.message ?? 'is invalid'}` };
  }
}

/** Keeps one error per field: ajv may report a field twice (pattern and format). */
function details(errors: ErrorObject[]): (ApiErrorDetail & { field: string; message: string })[] {
  const seen = new Set<string>();
  const out: (ApiErrorDetail & { field: string; message: string })[] = [];
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const d = detail(error);
    if (seen.has(d.field)) continue;
    seen.add(d.field);
    out.push(d);
  }
  return out;
}

/** Checks a value against a schema; the problems by field, or an empty list. */
export function problems(schema: object, value: unknown): { field: string; message: string }[] {
  const fn = compile(schema, false);
  return fn(value) ? [] : details(fn.errors ?? []);
}

/** Validates a request body or query; throws ApiError(validation_error) naming the field. */
export function validate<T>(schema: object, value: unknown, options: { query?: boolean } = {}): T {
  const fn = compile(schema, options.query ?? false);
  if (fn(value)) return value as T;
  const list = details(fn.errors ?? []);
  const message = list.map((d) => d.message).join('; ') || 'request is invalid';
  throw new ApiError('validation_error', message, list);
}
