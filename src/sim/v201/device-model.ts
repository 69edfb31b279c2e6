/**
 * The device model (Part 1 §4): components, each optionally on an EVSE or connector and with an
 * instance name, holding variables, each with attributes (Actual, Target, MinSet, MaxSet) and
 * characteristics. Names and instances match without regard to case (ComponentType and
 * VariableType say "Case Insensitive"); otherwise lookups are exact: a component or variable
 * asked for without an instance is the one that has none (B06.FR.14, B06.FR.15).
 */
import type * as T from '../../ocpp/ocpp201.js';
import type { DeviceModelFaults } from './options.js';
import { checkValue, type ValueProblem } from './value-check.js';

export type AttributeName = T.AttributeEnumType;

export interface Attribute {
  /** '' while unset (B06.FR.13). */
  value: string;
  mutability: T.MutabilityEnumType;
}

export interface VariableSpec {
  component: T.ComponentType;
  variable: T.VariableType;
  characteristics: T.VariableCharacteristicsType;
  attributes: Partial<Record<AttributeName, Attribute>>;
  /** A format beyond the dataType (passwordString, identifierString). */
  pattern?: RegExp;
  /** A new value takes effect only after a reboot (SetVariables answers RebootRequired). */
  rebootRequired?: boolean;
  /** The Actual value is measured, not stored (an availability state, the clock). */
  read?: () => string;
  /** A rule beyond the characteristics; returns why a value is refused. */
  check?: (value: string) => string | null;
}

export type Lookup =
  | { status: 'UnknownComponent' | 'UnknownVariable' }
  | { status: 'found'; spec: VariableSpec };

export type SetOutcome =
  | { status: 'Accepted' | 'RebootRequired' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType' }
  | { status: 'Rejected'; reason: ValueProblem | { reasonCode: 'ReadOnly' | 'InvalidValue' | 'Unspecified'; additionalInfo: string } };

const componentKey = (c: T.ComponentType): string =>
  [c.name, c.instance ?? '', c.evse?.id ?? '', c.evse?.connectorId ?? ''].join('\u0000').toLowerCase();
const variableKey = (c: T.ComponentType, v: T.VariableType): string =>
  [componentKey(c), v.name, v.instance ?? ''].join('\u0000').toLowerCase();

/** `Component.Variable`, the form faults name variables in. */
export const faultName = (spec: VariableSpec): string => `${spec.component.name}.${spec.variable.name}`;

export type ChangeListener = (spec: VariableSpec, attribute: AttributeName) => void;

export class DeviceModel {
  private readonly variables = new Map<string, VariableSpec>();
  private readonly components = new Set<string>();
  private readonly pending = new Map<string, { spec: VariableSpec; attribute: AttributeName; value: string }>();
  private readonly listeners: ChangeListener[] = [];

  constructor(
    specs: readonly VariableSpec[],
    private readonly faults: DeviceModelFaults = {},
  ) {
    for (const spec of specs) {
      if (faults.unknownComponents?.includes(spec.component.name) || faults.unknownVariables?.includes(faultName(spec))) continue;
      this.variables.set(variableKey(spec.component, spec.variable), spec);
      this.components.add(componentKey(spec.component));
    }
  }

  /** Every variable, in the order the model was built. */
  all(): VariableSpec[] {
    return [...this.variables.values()];
  }

  find(component: T.ComponentType, variable: T.VariableType): Lookup {
    if (!this.components.has(componentKey(component))) return { status: 'UnknownComponent' };
    const spec = this.variables.get(variableKey(component, variable));
    return spec ? { status: 'found', spec } : { status: 'UnknownVariable' };
  }

  /** The value of an attribute as reported; a WriteOnly one is never given out. */
  read(spec: VariableSpec, attribute: AttributeName = 'Actual'): string | undefined {
    const attr = spec.attributes[attribute];
    if (!attr || attr.mutability === 'WriteOnly') return undefined;
    return attribute === 'Actual' && spec.read ? spec.read() : attr.value;
  }

  /** A top-level component's variable, by name. */
  spec(component: string, variable: string, instance?: string): VariableSpec | undefined {
    return this.variables.get(variableKey({ name: component }, instance === undefined ? { name: variable } : { name: variable, instance }));
  }

  /** Adds a rule a variable's new values must meet. */
  constrain(component: string, variable: string, check: (value: string) => string | null): void {
    const spec = this.spec(component, variable);
    if (spec) spec.check = check;
  }

  /** The station's own reading of one of its top-level or instance variables. */
  value(component: string, variable: string, instance?: string): string {
    const spec = this.spec(component, variable, instance);
    if (!spec) return '';
    const attr = spec.attributes.Actual;
    return spec.read ? spec.read() : (attr?.value ?? '');
  }

  int(component: string, variable: string, instance?: string): number {
    return Number.parseInt(this.value(component, variable, instance), 10) || 0;
  }

  bool(component: string, variable: string): boolean {
    return this.value(component, variable) === 'true';
  }

  /** SetVariables for one attribute (B05), with the device-model faults applied. */
  set(component: T.ComponentType, variable: T.VariableType, value: string, attribute: AttributeName = 'Actual'): SetOutcome {
    const found = this.find(component, variable);
    if (found.status !== 'found') return found;
    const { spec } = found;
    const attr = spec.attributes[attribute];
    if (!attr) return { status: 'NotSupportedAttributeType' };
    const invalid = checkValue(spec.characteristics, value, spec.pattern);
    if (invalid) return { status: 'Rejected', reason: invalid };
    const refused = spec.check?.(value);
    if (refused) return { status: 'Rejected', reason: { reasonCode: 'InvalidValue', additionalInfo: refused } };
    if (attr.mutability === 'ReadOnly') return { status: 'Rejected', reason: { reasonCode: 'ReadOnly', additionalInfo: `${faultName(spec)} is read-only` } };
    const name = faultName(spec);
    if (this.faults.rejectVariables?.includes(name)) return { status: 'Rejected', reason: { reasonCode: 'Unspecified', additionalInfo: `${name} cannot be set` } };
    if (this.faults.ignoreVariables?.includes(name)) return { status: 'Accepted' };
    if (spec.rebootRequired || this.faults.rebootRequiredVariables?.includes(name)) {
      this.pending.set(`${variableKey(spec.component, spec.variable)}\u0000${attribute}`, { spec, attribute, value });
      return { status: 'RebootRequired' };
    }
    this.apply(spec, attribute, value);
    return { status: 'Accepted' };
  }

  /** A value the station sets itself (the interval a BootNotificationResponse gives). */
  update(component: string, variable: string, value: string): void {
    const spec = this.spec(component, variable);
    if (spec) this.apply(spec, 'Actual', value);
  }

  /** A reboot applies the values that were waiting for it. */
  applyPending(): void {
    for (const { spec, attribute, value } of this.pending.values()) this.apply(spec, attribute, value);
    this.pending.clear();
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private apply(spec: VariableSpec, attribute: AttributeName, value: string): void {
    const attr = spec.attributes[attribute];
    if (!attr) return;
    attr.value = value;
    for (const listener of this.listeners) listener(spec, attribute);
  }
}
