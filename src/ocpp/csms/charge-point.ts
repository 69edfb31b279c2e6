import type * as T from '../ocpp16.js';
import type { CpCalls16, CsmsCalls16 } from '../ocpp16.js';
import type { RpcConnection } from '../rpc.js';

type CallOptions = { timeoutMs?: number };

/**
 * One live connection of a charge point, seen from the Central System, with typed helpers for
 * the calls the Central System initiates. A reconnect makes a new one; calls still pending on
 * the old one are rejected with ConnectionClosedError.
 */
export class ChargePointConnection {
  constructor(
    readonly id: string,
    readonly rpc: RpcConnection<CsmsCalls16, CpCalls16>,
    readonly remoteAddress: string | null,
    readonly connectedAt: Date,
  ) {}

  get protocol(): string {
    return this.rpc.protocol;
  }

  get isOpen(): boolean {
    return this.rpc.isOpen;
  }

  call<A extends keyof CsmsCalls16 & string>(
    action: A,
    payload: CsmsCalls16[A][0],
    options?: CallOptions,
  ): Promise<CsmsCalls16[A][1]> {
    return this.rpc.call(action, payload, options);
  }

  getConfiguration(key?: string[], options?: CallOptions): Promise<T.GetConfigurationResponse> {
    return this.call('GetConfiguration', key && key.length > 0 ? { key } : {}, options);
  }

  changeConfiguration(key: string, value: string, options?: CallOptions): Promise<T.ChangeConfigurationResponse> {
    return this.call('ChangeConfiguration', { key, value }, options);
  }

  triggerMessage(
    requestedMessage: T.TriggerMessageRequest['requestedMessage'],
    connectorId?: number,
    options?: CallOptions,
  ): Promise<T.TriggerMessageResponse> {
    return this.call('TriggerMessage', connectorId === undefined ? { requestedMessage } : { requestedMessage, connectorId }, options);
  }

  remoteStartTransaction(idTag: string, connectorId?: number, options?: CallOptions): Promise<T.RemoteStartTransactionResponse> {
    return this.call('RemoteStartTransaction', connectorId === undefined ? { idTag } : { idTag, connectorId }, options);
  }

  remoteStopTransaction(transactionId: number, options?: CallOptions): Promise<T.RemoteStopTransactionResponse> {
    return this.call('RemoteStopTransaction', { transactionId }, options);
  }

  changeAvailability(
    connectorId: number,
    type: T.ChangeAvailabilityRequest['type'],
    options?: CallOptions,
  ): Promise<T.ChangeAvailabilityResponse> {
    return this.call('ChangeAvailability', { connectorId, type }, options);
  }

  unlockConnector(connectorId: number, options?: CallOptions): Promise<T.UnlockConnectorResponse> {
    return this.call('UnlockConnector', { connectorId }, options);
  }

  reset(type: T.ResetRequest['type'], options?: CallOptions): Promise<T.ResetResponse> {
    return this.call('Reset', { type }, options);
  }

  clearCache(options?: CallOptions): Promise<T.ClearCacheResponse> {
    return this.call('ClearCache', {}, options);
  }

  getDiagnostics(request: T.GetDiagnosticsRequest, options?: CallOptions): Promise<T.GetDiagnosticsResponse> {
    return this.call('GetDiagnostics', request, options);
  }

  close(code = 1000, reason = ''): void {
    this.rpc.close(code, reason);
  }
}
