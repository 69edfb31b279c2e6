import type * as T from '../../ocpp/ocpp201.js';
import type { Connector, Evse, Evses } from './evses.js';

/** What the station can be asked to send, each sent after the answer (F06.FR.04). */
export interface Triggerable {
  readonly evses: Evses;
  /** The answer to the last BootNotification was Accepted. */
  readonly accepted: boolean;
  /** AlignedDataCtrlr.Measurands lists something a MeterValuesRequest can carry. */
  readonly measures: boolean;
  boot(): Promise<void>;
  heartbeat(): Promise<void>;
  statusNotification(connector: Connector): Promise<void>;
  meterValues(evses: Evse[]): Promise<void>;
  transactionEvents(evses: Evse[]): Promise<void>;
  logStatus(): Promise<void>;
  firmwareStatus(): Promise<void>;
}

export interface TriggerDecision {
  response: T.TriggerMessageResponse;
  send?: () => Promise<void>;
}

const PER_EVSE: ReadonlySet<T.MessageTriggerEnumType> = new Set(['StatusNotification', 'MeterValues', 'TransactionEvent']);

const rejected = (reasonCode: string): TriggerDecision => ({ response: { status: 'Rejected', statusInfo: { reasonCode } } });

/**
 * TriggerMessage (F06): Accepted with the message to send, Rejected when it does not apply, or
 * NotImplemented for a message this station has no use case for (F06.FR.08): no certificates
 * to sign, not a Local Controller.
 */
export function decideTrigger(request: T.TriggerMessageRequest, s: Triggerable): TriggerDecision {
  const { requestedMessage, evse } = request;
  const target = evse === undefined ? undefined : s.evses.evse(evse.id);
  // F06.FR.03: an evse is ignored where it is not relevant; where it is, it must exist.
  if (evse !== undefined && !target && PER_EVSE.has(requestedMessage)) return rejected('UnknownEvse');
  // F06.FR.11: a relevant evse left out means every EVSE.
  const scope = target ? [target] : s.evses.all;
  switch (requestedMessage) {
    case 'BootNotification':
      // F06.FR.17: only meant for a station not yet accepted.
      return s.accepted ? rejected('InvalidMessageSeq') : { response: { status: 'Accepted' }, send: () => s.boot() };
    case 'Heartbeat':
      return { response: { status: 'Accepted' }, send: () => s.heartbeat() };
    case 'StatusNotification': {
      // F06.FR.12: StatusNotification is per connector; without one it MAY be rejected.
      const connector = evse?.connectorId === undefined ? undefined : s.evses.connector(evse.id, evse.connectorId);
      if (!connector) return rejected(evse?.connectorId === undefined ? 'MissingParam' : 'UnknownConnectorId');
      return { response: { status: 'Accepted' }, send: () => s.statusNotification(connector) };
    }
    case 'MeterValues':
      // F06.FR.10: what is Accepted must be sent, so nothing to measure is Rejected.
      if (!s.measures) return rejected('MissingDevModelInfo');
      return { response: { status: 'Accepted' }, send: () => s.meterValues(scope) };
    case 'TransactionEvent': {
      const running = scope.filter((e) => e.transaction);
      if (running.length === 0) return rejected('TxNotFound');
      return { response: { status: 'Accepted' }, send: () => s.transactionEvents(running) };
    }
    case 'LogStatusNotification':
      return { response: { status: 'Accepted' }, send: () => s.logStatus() };
    case 'FirmwareStatusNotification':
      return { response: { status: 'Accepted' }, send: () => s.firmwareStatus() };
    default:
      return { response: { status: 'NotImplemented' } };
  }
}
