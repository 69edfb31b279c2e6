import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { STEP_NAMES, type StepName, type TemplateSummary } from '../../api/contract.js';
import { namesModel } from '../../api/model-match.js';
import { chargePointPassword } from '../../api/schemas.js';
import { problems } from '../../api/validate.js';
import { clip } from '../../common/clip.js';
import { AUTHORIZATION_KEY, BASIC_AUTH_PASSWORD, isPasswordName } from '../auth/authorization-key.js';

export interface TemplateKey {
  key: string;
  value: string;
  /** The configuration step fails when a required key is not applied. */
  required: boolean;
}

/**
 * An OCPP 2.0.1 device-model setting: a variable of a component (on an EVSE or connector, and
 * with instances, where the component has them), the attribute to set (Actual by default).
 */
export interface TemplateVariable {
  component: string;
  evse?: number;
  connector?: number;
  component_instance?: string;
  variable: string;
  variable_instance?: string;
  attribute?: 'Actual' | 'Target' | 'MinSet' | 'MaxSet';
  value: string;
  /** The configuration step fails when a required variable is not applied. */
  required: boolean;
}

export interface TestTransactionSettings {
  /** 1.6: the connector; 2.0.1: the EVSE too, unless evse_id says otherwise. */
  connector_id: number;
  /** 1.6 idTag; 2.0.1 the idToken's value. */
  id_tag: string;
  /** 2.0.1: the EVSE to charge on (default: connector_id). */
  evse_id?: number;
  /** 2.0.1: the idToken's type; Central (the default) is a CSMS's own and needs no Authorize (F01.FR.01). */
  id_token_type: 'Central' | 'eMAID' | 'ISO14443' | 'ISO15693' | 'KeyCode' | 'Local' | 'MacAddress' | 'NoAuthorization';
  /** How long the test transaction charges before it is stopped. */
  duration_seconds: number;
  /** Below this the step fails; 0 Wh only warns. */
  min_energy_wh: number;
}

/** The lowest firmware a charger may run: below it the connectivity step warns, or fails. */
export interface MinimumFirmware {
  version: string;
  on_lower: 'warn' | 'fail';
}

export interface Template extends TemplateSummary {
  minimum_firmware: MinimumFirmware | null;
  /** OCPP 1.6 configuration keys. */
  configuration: TemplateKey[];
  /** OCPP 2.0.1 device-model variables. */
  variables: TemplateVariable[];
  test_transaction: TestTransactionSettings;
  step_timeouts_seconds: Partial<Record<StepName, number>>;
  /** Where it was loaded from. */
  source: string;
}

/** A key's value, alone or with `required`; if/then/else so an error names only the form used. */
const keySetting = <V extends object>(value: V) =>
  ({
    if: { type: 'string' },
    then: value,
    else: { type: 'object', additionalProperties: false, required: ['value'], properties: { value, required: { type: 'boolean' } } },
  }) as const;

/** The template file format: the reference's template fields plus configuration and test settings. */
export const templateFileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['template_id', 'name', 'description', 'compatible_models', 'steps', 'created_at'],
  properties: {
    $schema: { type: 'string' },
    template_id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: 'string', maxLength: 1000 },
    compatible_models: { type: 'array', items: { type: 'string', maxLength: 100 } },
    steps: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: STEP_NAMES } },
    created_at: { type: 'string', format: 'date-time' },
    configuration: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,50}$' },
      // The charge point's new password: hex for 16-20 bytes, or text for firmware that takes it as typed.
      properties: { [AUTHORIZATION_KEY]: keySetting(chargePointPassword) },
      additionalProperties: keySetting({ type: 'string', maxLength: 500 }),
    },
    variables: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['component', 'variable', 'value'],
        properties: {
          component: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,50}$' },
          evse: { type: 'integer', minimum: 0 },
          connector: { type: 'integer', minimum: 1 },
          component_instance: { type: 'string', minLength: 1, maxLength: 50 },
          variable: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,50}$' },
          variable_instance: { type: 'string', minLength: 1, maxLength: 50 },
          attribute: { type: 'string', enum: ['Actual', 'Target', 'MinSet', 'MaxSet'] },
          // SetVariableData.attributeValue is a string of at most 1000.
          value: { type: 'string', maxLength: 1000 },
          required: { type: 'boolean' },
        },
        // The station's new password (A01) must be one it can take.
        if: { properties: { variable: { const: BASIC_AUTH_PASSWORD } } },
        then: { properties: { value: chargePointPassword } },
      },
    },
    test_transaction: {
      type: 'object',
      additionalProperties: false,
      properties: {
        connector_id: { type: 'integer', minimum: 1 },
        id_tag: { type: 'string', minLength: 1, maxLength: 20 },
        evse_id: { type: 'integer', minimum: 1 },
        id_token_type: { type: 'string', enum: ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'] },
        duration_seconds: { type: 'number', minimum: 0, maximum: 3600 },
        min_energy_wh: { type: 'number', minimum: 0 },
      },
    },
    minimum_firmware: {
      type: 'object',
      additionalProperties: false,
      required: ['version'],
      properties: { version: { type: 'string', minLength: 1, maxLength: 50, pattern: '\\d' }, on_lower: { type: 'string', enum: ['warn', 'fail'] } },
    },
    step_timeouts_seconds: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(STEP_NAMES.map((s) => [s, { type: 'number', exclusiveMinimum: 0, maximum: 3600 }])),
    },
  },
} as const;

interface TemplateFile extends TemplateSummary {
  configuration?: Record<string, string | { value: string; required?: boolean }>;
  variables?: (Omit<TemplateVariable, 'required'> & { required?: boolean })[];
  test_transaction?: Partial<TestTransactionSettings>;
  step_timeouts_seconds?: Partial<Record<StepName, number>>;
  minimum_firmware?: { version: string; on_lower?: 'warn' | 'fail' };
}

export const DEFAULT_TEST_TRANSACTION: TestTransactionSettings = {
  connector_id: 1,
  id_tag: 'DYNAMO-COMMISSION',
  duration_seconds: 20,
  min_energy_wh: 0,
  id_token_type: 'Central',
};

/** A file left out, with the id it gives when it can be read that far (else its name's). */
export type TemplateProblem = { file: string; message: string; templateId: string | null };

/** What a reason may take of a line: a schema can report many fields. */
const PROBLEM_LIMIT = 500;

function parse(file: string, text: string): Template | TemplateProblem {
  const named = basename(file, '.json');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { file, message: clip(`not valid JSON: ${(err as Error).message}`, PROBLEM_LIMIT), templateId: named };
  }
  const found = problems(templateFileSchema, data);
  if (found.length > 0) {
    const id = (data as { template_id?: unknown } | null)?.template_id;
    return { file, message: clip(found.map((p) => p.message).join('; '), PROBLEM_LIMIT), templateId: typeof id === 'string' ? clip(id, 100) : named };
  }
  const t = data as TemplateFile;
  const misspelt = [...Object.keys(t.configuration ?? {}), ...(t.variables ?? []).map((v) => v.variable)].find(
    (n) => isPasswordName(n) && n !== AUTHORIZATION_KEY && n !== BASIC_AUTH_PASSWORD,
  );
  // Stations compare these names without case: a password under another spelling would be sent
  // unchecked and logged as an ordinary setting.
  if (misspelt) {
    const spelling = misspelt.toLowerCase() === AUTHORIZATION_KEY.toLowerCase() ? AUTHORIZATION_KEY : BASIC_AUTH_PASSWORD;
    return { file, message: `${clip(misspelt, 50)} is the charge point's password: spell it ${spelling}`, templateId: clip(t.template_id, 100) };
  }
  // Steps always run in the engine's order, whatever order the file lists them in.
  const steps = STEP_NAMES.filter((s) => t.steps.includes(s));
  return {
    template_id: t.template_id,
    name: t.name,
    description: t.description,
    compatible_models: t.compatible_models,
    steps,
    created_at: t.created_at,
    configuration: Object.entries(t.configuration ?? {}).map(([key, v]) =>
      typeof v === 'string' ? { key, value: v, required: false } : { key, value: v.value, required: v.required ?? false },
    ),
    variables: (t.variables ?? []).map((v) => ({ ...v, required: v.required ?? false })),
    test_transaction: { ...DEFAULT_TEST_TRANSACTION, ...t.test_transaction },
    step_timeouts_seconds: t.step_timeouts_seconds ?? {},
    minimum_firmware: t.minimum_firmware ? { version: t.minimum_firmware.version, on_lower: t.minimum_firmware.on_lower ?? 'warn' } : null,
    source: file,
  };
}

/**
 * Templates from one or more folders, later folders overriding earlier ones by template_id.
 * Folders are read again when a file in them is added, removed or edited, so a template dropped
 * in while the server runs is picked up. A bad file is reported (path and field) and left out.
 */
export class TemplateCatalog {
  private cache = new Map<string, Template>();
  private invalidFiles: TemplateProblem[] = [];
  private stamp = '';

  constructor(
    private readonly dirs: string[],
    private readonly onProblem: (problem: TemplateProblem) => void = () => undefined,
  ) {}

  get(id: string): Template | undefined {
    return this.load().get(id);
  }

  list(): Template[] {
    return [...this.load().values()].sort((a, b) => a.template_id.localeCompare(b.template_id));
  }

  /** Files left out at the last read, for `templates` and for a start that names one. */
  invalid(): TemplateProblem[] {
    this.load();
    return this.invalidFiles;
  }

  /** The template for a model: the first whose compatible_models names it. */
  forModel(vendor: string | undefined, model: string | undefined): Template | undefined {
    return this.list().find((t) => namesModel(t.compatible_models, vendor, model));
  }

  private load(): Map<string, Template> {
    const stamp = this.dirs.map((d) => mtime(d)).join('|');
    if (stamp === this.stamp) return this.cache;
    const next = new Map<string, Template>();
    const invalid: TemplateProblem[] = [];
    const leaveOut = (problem: TemplateProblem): void => {
      invalid.push(problem);
      this.onProblem(problem);
    };
    for (const dir of this.dirs) {
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const file = join(dir, name);
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (err) {
          leaveOut({ file, message: (err as Error).message, templateId: basename(name, '.json') });
          continue;
        }
        const parsed = parse(file, text);
        if ('message' in parsed) leaveOut(parsed);
        else next.set(parsed.template_id, parsed);
      }
    }
    this.cache = next;
    this.invalidFiles = invalid;
    this.stamp = stamp;
    return next;
  }
}

/** Changes when a file is added, removed or edited in place. */
function mtime(dir: string): string {
  try {
    const files = readdirSync(dir).filter((n) => n.endsWith('.json'));
    return `${statSync(dir).mtimeMs}:${files.map((n) => `${n}@${statSync(join(dir, n)).mtimeMs}`).join(',')}`;
  } catch {
    return 'missing';
  }
}

export function toTemplateSummary(t: Template): TemplateSummary {
  return {
    template_id: t.template_id,
    name: t.name,
    description: t.description,
    compatible_models: t.compatible_models,
    steps: t.steps,
    created_at: t.created_at,
  };
}
