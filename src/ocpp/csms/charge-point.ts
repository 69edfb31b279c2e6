import type * as T16 from '../ocpp16.js';
import type { CsmsCalls16 } from '../ocpp16.js';
import type * as T201 from '../ocpp201.js';
import type { CsmsCalls201 } from '../ocpp201.js';
import type { CallMap, RpcConnection } from '../rpc.js';

type CallOptions = { timeoutMs?: number };

/** The OCPP versions a connection may speak, by the name this project uses for them. */
export type OcppVersion = '1.6' | '2.0.1';

/**
 * One live connection of a charge point, seen from the Central System, whatever the version.
 * A reconnect makes a new one; calls still pending on the old one are rejected with
 * ConnectionClosedError. The typed helpers for what a Central System sends are on the version's
 * own class below.
 */
export abstract class ChargePointConnection<Out extends CallMap = CallMap> {
  abstract readonly version: OcppVersion;

  constructor(
    readonly id: string,
    readonly rpc: RpcConnection<Out, CallMap>,
    readonly remoteAddress: string | null,
    readonly connectedAt: Date,
    /** The address of ours it connected to: the one it can reach us on, for URLs we give it. */
    readonly localAddress: string | null = null,
  ) {}

  get protocol(): string {
    return this.rpc.protocol;
  }

  get isOpen(): boolean {
    return this.rpc.isOpen;
  }

  call<A extends keyof Out & string>(action: A, payload: Out[A][0], options?: CallOptions): Promise<Out[A][1]> {
    return this.rpc.call(action, payload, options);
  }

  /** A call whose action is picked at run time (the engine's steps, through their version adapters). */
  callAny(action: string, payload: unknown, options?: CallOptions): Promise<unknown> {
    return (this.rpc as unknown as RpcConnection).call(action, payload, options);
  }

  close(code = 1000, reason = ''): void {
    this.rpc.close(code, reason);
  }
}

/** An OCPP 1.6 charge point, with the Central System's calls to it. */
export class ChargePoint16 extends ChargePointConnection<CsmsCalls16> {
  readonly version = '1.6';

  getConfiguration(key?: string[], options?: CallOptions): Promise<T16.GetConfigurationResponse> {
    return this.call('GetConfiguration', key && key.length > 0 ? { key } : {}, options);
  }

  changeConfiguration(key: string, value: string, options?: CallOptions): Promise<T16.ChangeConfigurationResponse> {
    return this.call('ChangeConfiguration', { key, value }, options);
  }

  triggerMessage(
    requestedMessage: T16.TriggerMessageRequest['requestedMessage'],
    connectorId?: number,
    options?: CallOptions,
  ): Promise<T16.TriggerMessageResponse> {
    return this.call('TriggerMessage', connectorId === undefined ? { requestedMessage } : { requestedMessage, connectorId }, options);
  }

  remoteStartTransaction(idTag: string, connectorId?: number, options?: CallOptions): Promise<T16.RemoteStartTransactionResponse> {
    return this.call('RemoteStartTransaction', connectorId === undefined ? { idTag } : { idTag, connectorId }, options);
  }

  remoteStopTransaction(transactionId: number, options?: CallOptions): Promise<T16.RemoteStopTransactionResponse> {
    return this.call('RemoteStopTransaction', { transactionId }, options);
  }

  changeAvailability(connectorId: number, type: T16.ChangeAvailabilityRequest['type'], options?: CallOptions): Promise<T16.ChangeAvailabilityResponse> {
    return this.call('ChangeAvailability', { connectorId, type }, options);
  }

  unlockConnector(connectorId: number, options?: CallOptions): Promise<T16.UnlockConnectorResponse> {
    return this.call('UnlockConnector', { connectorId }, options);
  }

  reset(type: T16.ResetRequest['type'], options?: CallOptions): Promise<T16.ResetResponse> {
    return this.call('Reset', { type }, options);
  }

  clearCache(options?: CallOptions): Promise<T16.ClearCacheResponse> {
    return this.call('ClearCache', {}, options);
  }

  getDiagnostics(request: T16.GetDiagnosticsRequest, options?: CallOptions): Promise<T16.GetDiagnosticsResponse> {
    return this.call('GetDiagnostics', request, options);
  }
}

/** A component and variable of the device model, as GetVariables and SetVariables name them. */
export interface VariableRef {
  component: string;
  evse?: number;
  connector?: number;
  componentInstance?: string;
  variable: string;
  variableInstance?: string;
  attributeType?: T201.AttributeEnumType;
}

const componentOf = (v: VariableRef): T201.ComponentType => ({
  name: v.component,
  ...(v.componentInstance !== undefined && { instance: v.componentInstance }),
  ...(v.evse !== undefined && { evse: { id: v.evse, ...(v.connector !== undefined && { connectorId: v.connector }) } }),
});

const variableOf = (v: VariableRef): T201.VariableType => ({ name: v.variable, ...(v.variableInstance !== undefined && { instance: v.variableInstance }) });

/**
 * An OCPP 2.0.1 charging station, with the CSMS's calls to it. Each helper is one CALL: how many
 * variables go in one (the station's ItemsPerMessage and BytesPerMessage) is the caller's
 * business, and batch() below does it.
 */
export class Station201 extends ChargePointConnection<CsmsCalls201> {
  readonly version = '2.0.1';

  getVariables(variables: VariableRef[], options?: CallOptions): Promise<T201.GetVariablesResponse> {
    return this.call('GetVariables', { getVariableData: variables.map(getVariableData) }, options);
  }

  setVariables(values: (VariableRef & { value: string })[], options?: CallOptions): Promise<T201.SetVariablesResponse> {
    return this.call('SetVariables', { setVariableData: values.map(setVariableData) }, options);
  }

  getBaseReport(requestId: number, reportBase: T201.ReportBaseEnumType, options?: CallOptions): Promise<T201.GetBaseReportResponse> {
    return this.call('GetBaseReport', { requestId, reportBase }, options);
  }

  getReport(request: T201.GetReportRequest, options?: CallOptions): Promise<T201.GetReportResponse> {
    return this.call('GetReport', request, options);
  }

  triggerMessage(requestedMessage: T201.MessageTriggerEnumType, evse?: { id: number; connectorId?: number }, options?: CallOptions): Promise<T201.TriggerMessageResponse> {
    return this.call('TriggerMessage', evse ? { requestedMessage, evse } : { requestedMessage }, options);
  }

  requestStartTransaction(request: T201.RequestStartTransactionRequest, options?: CallOptions): Promise<T201.RequestStartTransactionResponse> {
    return this.call('RequestStartTransaction', request, options);
  }

  requestStopTransaction(transactionId: string, options?: CallOptions): Promise<T201.RequestStopTransactionResponse> {
    return this.call('RequestStopTransaction', { transactionId }, options);
  }

  changeAvailability(operationalStatus: T201.OperationalStatusEnumType, evse?: { id: number; connectorId?: number }, options?: CallOptions): Promise<T201.ChangeAvailabilityResponse> {
    return this.call('ChangeAvailability', evse ? { operationalStatus, evse } : { operationalStatus }, options);
  }

  unlockConnector(evseId: number, connectorId: number, options?: CallOptions): Promise<T201.UnlockConnectorResponse> {
    return this.call('UnlockConnector', { evseId, connectorId }, options);
  }

  reset(type: T201.ResetEnumType, evseId?: number, options?: CallOptions): Promise<T201.ResetResponse> {
    return this.call('Reset', evseId === undefined ? { type } : { type, evseId }, options);
  }

  getTransactionStatus(transactionId?: string, options?: CallOptions): Promise<T201.GetTransactionStatusResponse> {
    return this.call('GetTransactionStatus', transactionId === undefined ? {} : { transactionId }, options);
  }

  clearCache(options?: CallOptions): Promise<T201.ClearCacheResponse> {
    return this.call('ClearCache', {}, options);
  }

  setNetworkProfile(configurationSlot: number, connectionData: T201.NetworkConnectionProfileType, options?: CallOptions): Promise<T201.SetNetworkProfileResponse> {
    return this.call('SetNetworkProfile', { configurationSlot, connectionData }, options);
  }
}

export function setVariableData(v: VariableRef & { value: string }): T201.SetVariableDataType {
  return { component: componentOf(v), variable: variableOf(v), attributeValue: v.value, ...(v.attributeType && { attributeType: v.attributeType }) };
}

export function getVariableData(v: VariableRef): T201.GetVariableDataType {
  return { component: componentOf(v), variable: variableOf(v), ...(v.attributeType && { attributeType: v.attributeType }) };
}

/**
 * Items cut into requests a station takes (DeviceDataCtrlr.ItemsPerMessage and BytesPerMessage
 * for that message, B06.FR.05): at most `maxItems` each, and at most `maxBytes` of CALL frame as
 * `frameBytes` measures a batch. An item too big alone still goes alone: the station answers it.
 */
export function batch<I>(items: I[], maxItems: number, maxBytes: number, frameBytes: (batch: I[]) => number): I[][] {
  const out: I[][] = [];
  let current: I[] = [];
  for (const item of items) {
    const next = [...current, item];
    if (current.length > 0 && (next.length > maxItems || frameBytes(next) > maxBytes)) {
      out.push(current);
      current = [item];
    } else current = next;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The connection as its version's class: what CsmsServer hands out. */
export type AnyChargePoint = ChargePoint16 | Station201;
