/**
 * JSON schemas of every request body and query the API accepts. The server validates with them;
 * the CLI's issue form checks the same rules before it sends.
 */
import {
  ISSUE_CATEGORIES,
  ISSUE_SEVERITIES,
  LOG_LEVELS,
  MIN_ISSUE_DESCRIPTION,
  SESSION_STATUSES,
  STEP_NAMES,
  STEP_STATUSES,
} from './contract.js';

const templateId = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
/** OCPP identities are CiString48: printable ASCII. */
export const CHARGE_POINT_ID_PATTERN = '^[\\x20-\\x7e]{1,48}$';
/** OCPP security whitepaper: the Basic-auth password is 16 to 40 printable characters. */
export const chargePointPassword = {
  type: 'string',
  pattern: '^[\\x21-\\x7e]{16,40}$',
  description: '16 to 40 printable ASCII characters, without spaces',
} as const;

export const loginSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const startSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { template_id: templateId, skip_test_transaction: { type: 'boolean' } },
} as const;

export const restartSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { template_id: templateId },
} as const;

export const applyTemplateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['template_id'],
  properties: { template_id: templateId },
} as const;

export const reportIssueSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['category', 'description', 'severity'],
  properties: {
    category: { type: 'string', enum: ISSUE_CATEGORIES },
    description: {
      type: 'string',
      minLength: MIN_ISSUE_DESCRIPTION,
      maxLength: 5000,
      // Padding does not make a description: the length counts from the first to the last non-space.
      pattern: `^\\s*\\S[\\s\\S]{${MIN_ISSUE_DESCRIPTION - 2},}\\S\\s*$`,
      description: `at least ${MIN_ISSUE_DESCRIPTION} characters, not counting spaces at either end`,
    },
    severity: { type: 'string', enum: ISSUE_SEVERITIES },
    step: { type: 'string', enum: STEP_NAMES },
    photo_urls: {
      type: 'array',
      maxItems: 20,
      items: { type: 'string', format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', maxLength: 2048 },
    },
    created_at: { ...dateTime, maxLength: 40 },
  },
} as const;

export const logsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    session_id: { type: 'string', minLength: 1, maxLength: 64 },
    level: { type: 'string', enum: LOG_LEVELS },
    limit: { type: 'integer', minimum: 1, maximum: 5000 },
    offset: { type: 'integer', minimum: 0 },
  },
} as const;

/** Addition: `full=true` adds the configuration the charge point last reported. */
export const diagnosticsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { full: { type: 'boolean' } },
} as const;

const stepState = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'status'],
  properties: {
    name: { type: 'string', enum: STEP_NAMES },
    status: { type: 'string', enum: STEP_STATUSES },
    duration_ms: { type: 'integer', minimum: 0 },
    detail: { type: 'string', maxLength: 2000 },
    warnings: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 2000 } },
  },
} as const;

export const sessionRecordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['charge_point_id', 'session_id', 'status', 'result', 'started_at', 'completed_at', 'steps'],
  properties: {
    charge_point_id: { type: 'string', minLength: 1, maxLength: 48 },
    session_id: { type: 'string', minLength: 1, maxLength: 64 },
    status: { type: 'string', enum: SESSION_STATUSES },
    result: { enum: ['passed', 'failed', null] },
    started_at: dateTime,
    completed_at: { anyOf: [dateTime, { type: 'null' }] },
    steps: { type: 'array', maxItems: STEP_NAMES.length, items: stepState },
    template_id: templateId,
    paused_at: dateTime,
    paused_at_step: { anyOf: [{ type: 'string', enum: STEP_NAMES }, { type: 'null' }] },
    failure_reason: { type: 'string', maxLength: 2000 },
  },
} as const;

export const logBatchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['logs'],
  properties: {
    logs: {
      type: 'array',
      maxItems: 5000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['seq', 'timestamp', 'level', 'step', 'message'],
        properties: {
          seq: { type: 'integer', minimum: 1 },
          timestamp: dateTime,
          level: { type: 'string', enum: LOG_LEVELS },
          step: { anyOf: [{ type: 'string', enum: STEP_NAMES }, { type: 'null' }] },
          message: { type: 'string', maxLength: 20_000 },
        },
      },
    },
  },
} as const;

export const addChargePointSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: CHARGE_POINT_ID_PATTERN },
    password: chargePointPassword,
  },
} as const;

export const firmwareUpdateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['firmware_id'],
  properties: {
    firmware_id: { type: 'string', pattern: '^fw_[0-9a-f]{16}$' },
    // The limits of the OCPP fields they go into (2.0.1 FirmwareType).
    ...Object.fromEntries(Object.entries({ expected_version: 50, signature: 800, signing_certificate: 5500 }).map(([k, maxLength]) => [k, { type: 'string', minLength: 1, maxLength }])),
    retrieve_at: dateTime,
  },
} as const;

/** Sync: a batch of a charge point's own log lines (hosted side). */
export const eventBatchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: {
    events: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'charge_point_id', 'timestamp', 'level', 'topic', 'ref', 'message'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          charge_point_id: { type: 'string', pattern: CHARGE_POINT_ID_PATTERN },
          timestamp: dateTime,
          level: { type: 'string', enum: LOG_LEVELS },
          topic: { type: 'string', enum: ['firmware', 'diagnostics'] },
          ref: { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'null' }] },
          message: { type: 'string', maxLength: 20_000 },
        },
      },
    },
  },
} as const;

export const eventsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { topic: { type: 'string', enum: ['firmware', 'diagnostics'] } },
} as const;
