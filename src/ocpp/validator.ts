import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RpcErrorKind } from './errors.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export interface SchemaViolation {
  kind: RpcErrorKind;
  /** Human-readable, names the offending field: "/connectorId must be integer". */
  message: string;
}

/**
 * Which CALLERROR a schema failure becomes. The OCPP-J 1.6 table (§4.2.3) describes the codes
 * in words; this is our reading of it, documented in docs/ocpp.md:
 * - the payload is not an object, or carries a field its PDU does not have → FormatViolation
 *   (1.6: FormationViolation)
 *   ("not conform the PDU structure");
 * - a required field missing or an array too long/short → OccurrenceConstraintViolation
 *   (cardinality);
 * - a value of the wrong JSON type, a string longer than its CiStringNType, a malformed
 *   dateTime/URI → TypeConstraintViolation (the field's data type);
 * - a value outside its enumeration or range → PropertyConstraintViolation ("invalid value").
 */
function kindOf(error: ErrorObject): RpcErrorKind {
  switch (error.keyword) {
    case 'additionalProperties':
      return 'FormatViolation';
    case 'type':
      return error.instancePath === '' ? 'FormatViolation' : 'TypeConstraintViolation';
    case 'required':
    case 'minItems':
    case 'maxItems':
      return 'OccurrenceConstraintViolation';
    case 'maxLength':
    case 'minLength':
    case 'format':
      return 'TypeConstraintViolation';
    default:
      return 'PropertyConstraintViolation';
  }
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '/';
  switch (error.keyword) {
    case 'required':
      return `${where === '/' ? '' : where}/${String(error.params['missingProperty'])} is required`;
    case 'additionalProperties':
      return `${where === '/' ? '' : where}/${String(error.params['additionalProperty'])} is not allowed`;
    case 'enum':
      return `${where} must be one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Validates payloads against one protocol's official JSON schemas. Schemas compile on first use,
 * so start-up pays only for the actions a connection really uses.
 */
export class PayloadValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly schemas: Readonly<Record<string, unknown>>) {
    // strict:false because the official schemas carry keywords ajv's strict mode rejects
    // (additionalProperties on string enums); allErrors:false because the first error is all a
    // CALLERROR reports, and it is faster.
    this.ajv = new Ajv({ strict: false, allErrors: false, multipleOfPrecision: 6 });
    addFormats(this.ajv, ['date-time', 'uri']);
  }

  has(schemaName: string): boolean {
    return Object.hasOwn(this.schemas, schemaName);
  }

  /** Returns null when valid. Throws if the schema does not exist (a programming error). */
  validate(schemaName: string, payload: unknown): SchemaViolation | null {
    const fn = this.compiled.get(schemaName) ?? this.compile(schemaName);
    if (fn(payload)) return null;
    const first = fn.errors?.[0];
    if (!first) return { kind: 'FormatViolation', message: 'payload is invalid' };
    return { kind: kindOf(first), message: describe(first) };
  }

  private compile(schemaName: string): ValidateFunction {
    const schema = this.schemas[schemaName];
    if (schema === undefined) throw new Error(`no schema named ${schemaName}`);
    const fn = this.ajv.compile(schema as object);
    this.compiled.set(schemaName, fn);
    return fn;
  }
}
