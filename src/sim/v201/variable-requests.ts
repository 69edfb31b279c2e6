/** GetVariables (B06) and SetVariables (B05), one result per requested item, in order. */
import type * as T from '../../ocpp/ocpp201.js';
import type { DeviceModel } from './device-model.js';

export function getVariables(model: DeviceModel, request: T.GetVariablesRequest): T.GetVariablesResponse {
  const reportingValueSize = model.int('DeviceDataCtrlr', 'ReportingValueSize') || 2500;
  const getVariableResult = request.getVariableData.map((item): T.GetVariableResultType => {
    // B06.FR.11: no attributeType means Actual, and the answer says so.
    const attributeType = item.attributeType ?? 'Actual';
    const result = { component: item.component, variable: item.variable, attributeType };
    const found = model.find(item.component, item.variable);
    // B06.FR.06, B06.FR.07: unknown, and no value.
    if (found.status !== 'found') return { ...result, attributeStatus: found.status };
    const attr = found.spec.attributes[attributeType];
    if (!attr) return { ...result, attributeStatus: 'NotSupportedAttributeType' };
    // B06.FR.09: a WriteOnly variable is never read back.
    if (attr.mutability === 'WriteOnly') {
      return { ...result, attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'WriteOnly' } };
    }
    // B06.FR.10, B06.FR.13: the value, '' when the attribute is supported but unset.
    const attributeValue = (model.read(found.spec, attributeType) ?? '').slice(0, reportingValueSize);
    return { ...result, attributeStatus: 'Accepted', attributeValue };
  });
  return { getVariableResult };
}

export function setVariables(model: DeviceModel, request: T.SetVariablesRequest): T.SetVariablesResponse {
  const setVariableResult = request.setVariableData.map((item): T.SetVariableResultType => {
    // B05.FR.12: no attributeType means Actual.
    const attributeType = item.attributeType ?? 'Actual';
    const outcome = model.set(item.component, item.variable, item.attributeValue, attributeType);
    const result = { component: item.component, variable: item.variable, attributeType, attributeStatus: outcome.status };
    return 'reason' in outcome ? { ...result, attributeStatusInfo: outcome.reason } : result;
  });
  return { setVariableResult };
}
