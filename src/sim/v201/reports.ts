/**
 * What GetBaseReport (B07) and GetReport (B08) report, and how it is cut into NotifyReport
 * pages.
 */
import type * as T from '../../ocpp/ocpp201.js';
import type { AttributeName, DeviceModel, VariableSpec } from './device-model.js';

/** One variable as NotifyReport carries it: every supported attribute, even unset (B07.FR.11). */
export function reportEntry(model: DeviceModel, spec: VariableSpec, reportingValueSize: number): T.ReportDataType {
  const variableAttribute = Object.entries(spec.attributes).map(([type, attr]): T.VariableAttributeType => {
    const value = model.read(spec, type as AttributeName);
    return {
      type: type as AttributeName,
      ...(value !== undefined && { value: value.slice(0, reportingValueSize) }),
      mutability: attr.mutability,
      // Part 2 "Referenced Components and Variables": every writable variable is persistent.
      persistent: attr.mutability !== 'ReadOnly',
      constant: false,
    };
  });
  return { component: spec.component, variable: spec.variable, variableAttribute, variableCharacteristics: spec.characteristics };
}

const writable = (spec: VariableSpec): boolean => Object.values(spec.attributes).some((a) => a.mutability !== 'ReadOnly');

// B07.FR.09: the availability of station, EVSEs and connectors, and components in a state
// that is not normal.
const ABNORMAL = new Set(['Problem', 'Tripped', 'Overload', 'Fallback']);
const inSummary = (model: DeviceModel, spec: VariableSpec): boolean =>
  spec.variable.name === 'AvailabilityState' || (ABNORMAL.has(spec.variable.name) && model.read(spec) === 'true');

/** B07.FR.07-09: the variables a base report holds. */
export function baseReport(model: DeviceModel, base: T.ReportBaseEnumType): VariableSpec[] {
  const all = model.all();
  switch (base) {
    case 'ConfigurationInventory':
      return all.filter(writable);
    case 'FullInventory':
      return all;
    case 'SummaryInventory':
      return all.filter((spec) => inSummary(model, spec));
  }
}

const sameEvse = (want: T.EVSEType | undefined, have: T.EVSEType | undefined): boolean => {
  // B08.FR.23: no evse asked for means every tier, the top level included.
  if (!want) return true;
  // B08.FR.22: an EVSE without a connector means the EVSE and each of its connectors.
  return have?.id === want.id && (want.connectorId === undefined || have.connectorId === want.connectorId);
};

/** Names are case insensitive (ComponentType, VariableType). */
const same = (a: string | undefined, b: string | undefined): boolean => a?.toLowerCase() === b?.toLowerCase();

function matches(spec: VariableSpec, wanted: T.ComponentVariableType): boolean {
  const { component, variable } = wanted;
  if (!same(spec.component.name, component.name) || !sameEvse(component.evse, spec.component.evse)) return false;
  // B08.FR.24, B08.FR.25: an instance narrows; none asked for means every instance.
  if (component.instance !== undefined && !same(spec.component.instance, component.instance)) return false;
  // B08.FR.20, B08.FR.21: no variable means all of them; no instance, every instance.
  if (!variable) return true;
  return same(spec.variable.name, variable.name) && (variable.instance === undefined || same(spec.variable.instance, variable.instance));
}

const componentOf = (spec: VariableSpec): string =>
  JSON.stringify([spec.component.name, spec.component.instance, spec.component.evse?.id, spec.component.evse?.connectorId]);

/**
 * B08.FR.07-10: a component meets Active, Available or Enabled when it has that variable true or
 * does not have it at all; it meets Problem only with Problem true.
 */
function meetsCriterion(model: DeviceModel, variables: VariableSpec[], criterion: T.ComponentCriterionEnumType): boolean {
  const own = variables.find((spec) => spec.variable.name === criterion && spec.variable.instance === undefined);
  if (!own) return criterion !== 'Problem';
  return model.read(own) === 'true';
}

/** B08: the variables a custom report holds, limited by both criteria and componentVariable (B08.FR.05). */
export function customReport(model: DeviceModel, request: T.GetReportRequest): VariableSpec[] {
  let specs = model.all();
  const wanted = request.componentVariable;
  if (wanted) specs = specs.filter((spec) => wanted.some((w) => matches(spec, w)));
  const criteria = request.componentCriteria;
  if (criteria) {
    const byComponent = new Map<string, VariableSpec[]>();
    for (const spec of model.all()) byComponent.set(componentOf(spec), [...(byComponent.get(componentOf(spec)) ?? []), spec]);
    // B08.FR.13: at least one of the criteria.
    specs = specs.filter((spec) => criteria.some((c) => meetsCriterion(model, byComponent.get(componentOf(spec)) ?? [], c)));
  }
  return specs;
}

/** Room for the frame and NotifyReport's own fields beside its entries. */
const ENVELOPE_BYTES = 256;

/**
 * NotifyReport pages: at most `maxItems` entries and, where more than one entry fits, at most
 * `maxBytes` per message. The station holds what it sends to the limits it sets for what it
 * receives (ItemsPerMessage and BytesPerMessage of GetReport).
 */
export function pages(entries: T.ReportDataType[], maxItems: number, maxBytes: number): T.ReportDataType[][] {
  const result: T.ReportDataType[][] = [];
  let page: T.ReportDataType[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const entry of entries) {
    const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (page.length > 0 && (page.length >= maxItems || bytes + size > maxBytes)) {
      result.push(page);
      page = [];
      bytes = ENVELOPE_BYTES;
    }
    page.push(entry);
    bytes += size;
  }
  if (page.length > 0) result.push(page);
  return result;
}
