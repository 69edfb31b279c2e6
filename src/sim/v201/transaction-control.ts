/**
 * Charging sessions and their transactions (E01, E06, F01-F03): what starts a transaction and
 * what ends it follows TxCtrlr.TxStartPoint and TxStopPoint, meter values follow
 * SampledDataCtrlr and AlignedDataCtrlr. The simulated EV plugs in as soon as a remote start is
 * authorized and leaves shortly after charging was stopped.
 */
import type * as T from '../../ocpp/ocpp201.js';
import type { Authorization } from './authorization.js';
import type { DeviceModel } from './device-model.js';
import type { Connector, Evse, Evses } from './evses.js';
import { meterValue } from './sampled-values.js';
import type { TX_POINTS } from './standard-variables.js';
import type { Cancel, Timers } from './timers.js';
import { Transaction, type EventDetails } from './transaction.js';
import type { TransactionQueue } from './transaction-queue.js';
import { listItems } from './value-check.js';

type TxPoint = (typeof TX_POINTS)[number];

/** How long the simulated driver takes to unplug once charging has stopped. */
const EV_LEAVES_MS = 100;

interface Session {
  readonly evse: Evse;
  readonly connector: Connector;
  readonly idToken: T.IdTokenType;
  readonly remoteStartId: number | undefined;
  authorized: boolean;
  energy: boolean;
  /** F02.FR.21, F03: the reason the next TransactionEvent gives, set by a CSMS request. */
  nextReason: T.TriggerReasonEnumType | undefined;
  samplers: Cancel[];
}

export interface TransactionControlDeps {
  model: DeviceModel;
  evses: Evses;
  authorization: Authorization;
  queue: TransactionQueue;
  timers: Timers;
  now(): Date;
  /** Connector statuses may have changed: tell the CSMS. */
  statusChanged(): void;
  sendMeterValues(evse: Evse, meterValue: T.MeterValueType): void;
  started(transaction: Transaction): void;
  stopped(transaction: Transaction, meterStopWh: number): void;
  log(line: string): void;
}

export class TransactionControl {
  private readonly sessions = new Map<number, Session>();

  constructor(private readonly deps: TransactionControlDeps) {}

  /** RequestStartTransaction (F01, F02); the session runs after the answer (`afterReply`). */
  requestStart(request: T.RequestStartTransactionRequest, afterReply: (fn: () => Promise<void>) => void): T.RequestStartTransactionResponse {
    const { evses } = this.deps;
    const evse = request.evseId === undefined ? evses.free() : evses.evse(request.evseId);
    if (!evse) return rejected(request.evseId === undefined ? 'Unspecified' : 'UnknownEvse');
    // F02.FR.26: an EVSE with an authorized transaction takes no other.
    if (evse.transaction || this.sessions.has(evse.id)) return rejected('TxInProgress');
    // F02.FR.25: nor does an Unavailable one.
    if (evses.evseStatus(evse) !== 'Available') return rejected('Unspecified');
    const session: Session = {
      evse,
      connector: evse.connectors[0]!,
      idToken: request.idToken,
      remoteStartId: request.remoteStartId,
      authorized: false,
      energy: false,
      nextReason: 'RemoteStart',
      samplers: [],
    };
    this.sessions.set(evse.id, session);
    // F02.FR.20: a charging profile is ignored, this station has no smart charging.
    afterReply(() => this.run(session));
    return { status: 'Accepted' };
  }

  /** RequestStopTransaction (F03): Accepted only for a transaction that runs here (F03.FR.07/08). */
  requestStop(request: T.RequestStopTransactionRequest, afterReply: (fn: () => void) => void): T.RequestStopTransactionResponse {
    const evse = this.deps.evses.all.find((e) => e.transaction?.id === request.transactionId);
    if (!evse) return { status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } };
    afterReply(() => this.deauthorize(evse, 'RemoteStop', 'Remote'));
    return { status: 'Accepted' };
  }

  /** GetTransactionStatus (E14.FR.01-08). */
  transactionStatus(request: T.GetTransactionStatusRequest): T.GetTransactionStatusResponse {
    const { transactionId } = request;
    const messagesInQueue = this.deps.queue.holds(transactionId);
    if (transactionId === undefined) return { messagesInQueue };
    return { ongoingIndicator: this.deps.evses.all.some((e) => e.transaction?.id === transactionId), messagesInQueue };
  }

  /**
   * Authorization of a transaction ends (remote stop, an idToken the CSMS did not accept, a
   * reset): energy stops, and the transaction ends now if TxStopPoint says so, else when the
   * EV has left (F03.FR.02/03).
   */
  deauthorize(evse: Evse, reason: T.TriggerReasonEnumType, stoppedReason: T.ReasonEnumType): void {
    const session = this.sessions.get(evse.id);
    const transaction = evse.transaction;
    if (!session || !transaction || !session.authorized) return;
    session.authorized = false;
    session.nextReason = reason;
    transaction.stoppedReason = stoppedReason;
    this.stopEnergy(session);
    const stopPoints = this.points('TxStopPoint');
    if (stopPoints.some((p) => p !== 'EVConnected')) this.end(session, reason);
    else this.emit(session, 'Updated', reason);
    this.deps.timers.later(EV_LEAVES_MS, () => this.unplug(session));
  }

  /** Reset Immediate (B12.FR.04/08): the transaction ends at once, and the EV is gone. */
  endNow(evse: Evse): void {
    const session = this.sessions.get(evse.id);
    if (!session) return;
    if (evse.transaction) {
      session.authorized = false;
      evse.transaction.stoppedReason = 'ImmediateReset';
      this.stopEnergy(session);
      this.end(session, 'ResetCommand');
    }
    this.unplug(session);
  }

  /** E05, StopTxOnInvalidId: the CSMS's verdict on the transaction's idToken. */
  delivered(request: T.TransactionEventRequest, response: T.TransactionEventResponse): void {
    const info = response.idTokenInfo;
    if (!info || !request.idToken) return;
    this.deps.authorization.remember(request.idToken, info);
    const evse = this.deps.evses.all.find((e) => e.transaction?.id === request.transactionInfo.transactionId);
    if (evse && info.status !== 'Accepted' && this.deps.model.bool('TxCtrlr', 'StopTxOnInvalidId')) {
      this.deps.log(`idToken ${request.idToken.idToken} is ${info.status}; stopping transaction ${request.transactionInfo.transactionId}`);
      this.deauthorize(evse, 'Deauthorized', 'DeAuthorized');
    }
  }

  /** F06.FR.07: triggered, with the chargingState and the TxUpdatedMeasurands. */
  triggered(evses: Evse[]): void {
    for (const evse of evses) {
      const session = this.sessions.get(evse.id);
      if (!session || !evse.transaction) continue;
      const sample = this.sample(evse, 'SampledDataCtrlr', 'TxUpdatedMeasurands', 'Trigger');
      this.emit(session, 'Updated', 'Trigger', sample ? { meterValue: [sample] } : {}, true);
    }
  }

  /** A clock-aligned moment (J01): a MeterValueClock update in a transaction, else MeterValues. */
  clockAligned(at: Date): void {
    const duringIdleOnly = this.deps.model.bool('AlignedDataCtrlr', 'SendDuringIdle');
    for (const evse of this.deps.evses.all) {
      const sample = this.sample(evse, 'AlignedDataCtrlr', 'Measurands', 'Sample.Clock', at);
      if (!sample) continue;
      const session = this.sessions.get(evse.id);
      if (!evse.transaction || !session) this.deps.sendMeterValues(evse, sample);
      else if (!duringIdleOnly) this.emit(session, 'Updated', 'MeterValueClock', { meterValue: [sample] });
    }
  }

  /** A clock-aligned moment of AlignedDataCtrlr.TxEndedInterval: kept for the Ended message. */
  clockAlignedForEnded(at: Date): void {
    for (const evse of this.deps.evses.all) {
      const sample = this.sample(evse, 'AlignedDataCtrlr', 'TxEndedMeasurands', 'Sample.Clock', at);
      if (sample && evse.transaction) evse.transaction.endedSamples.push(sample);
    }
  }

  /** TxUpdatedInterval or TxEndedInterval changed: running transactions sample anew. */
  restartSamplers(): void {
    for (const session of this.sessions.values()) {
      if (session.evse.transaction) this.startSamplers(session);
    }
  }

  private async run(session: Session): Promise<void> {
    const { model, authorization } = this.deps;
    // F02.FR.09/10, F01.FR.01: authorize first when AuthorizeRemoteStart says so, unless the
    // token is the CSMS's own (Central) or stands for no authorization.
    if (model.bool('AuthCtrlr', 'AuthorizeRemoteStart') && !SELF_AUTHORIZED.has(session.idToken.type)) {
      const status = await authorization.authorize(session.idToken);
      if (status !== 'Accepted') {
        this.deps.log(`idToken ${session.idToken.idToken} not authorized (${status}); no transaction`);
        this.sessions.delete(session.evse.id);
        return;
      }
    }
    if (this.sessions.get(session.evse.id) !== session) return;
    session.authorized = true;
    this.reach(session, 'Authorized');
    session.connector.plugged = true;
    this.deps.statusChanged();
    this.reach(session, 'EVConnected');
    this.reach(session, 'PowerPathClosed');
    this.deps.evses.startEnergy(session.evse, this.powerCapW(session.evse));
    session.energy = true;
    this.reach(session, 'EnergyTransfer');
  }

  /** A TxStartPoint event happened: it starts the transaction or, in one, updates it. */
  private reach(session: Session, point: TxPoint): void {
    const transaction = session.evse.transaction;
    if (!transaction) {
      if (this.points('TxStartPoint').includes(point)) this.start(session, point);
      return;
    }
    transaction.setChargingState(chargingState(session), this.deps.now());
    if (point === 'EVConnected') transaction.evseDue = true;
    const reason = UPDATE_REASON[point];
    if (reason) this.emit(session, 'Updated', reason);
  }

  private start(session: Session, point: TxPoint): void {
    const { evse, connector } = session;
    const at = this.deps.now();
    const transaction = new Transaction(evse.id, connector.id, evse.meter.readWh(), at, chargingState(session));
    transaction.idToken = session.idToken;
    transaction.remoteStartId = session.remoteStartId;
    evse.transaction = transaction;
    const begin = this.sample(evse, 'SampledDataCtrlr', 'TxStartedMeasurands', 'Transaction.Begin');
    const endedBegin = this.sample(evse, 'SampledDataCtrlr', 'TxEndedMeasurands', 'Transaction.Begin');
    if (endedBegin) transaction.endedSamples.push(endedBegin);
    this.emit(session, 'Started', START_REASON[point], begin ? { meterValue: [begin] } : {});
    this.startSamplers(session);
    this.deps.log(`transaction ${transaction.id} started on EVSE ${evse.id}`);
    this.deps.started(transaction);
  }

  private end(session: Session, reason: T.TriggerReasonEnumType): void {
    const { evse } = session;
    const transaction = evse.transaction;
    if (!transaction) return;
    for (const cancel of session.samplers.splice(0)) cancel();
    const meterStopWh = evse.meter.readWh();
    const last = this.sample(evse, 'SampledDataCtrlr', 'TxEndedMeasurands', 'Transaction.End');
    const meterValue = last ? [...transaction.endedSamples, last] : transaction.endedSamples;
    this.emit(session, 'Ended', reason, { meterValue });
    evse.transaction = null;
    this.deps.log(`transaction ${transaction.id} ended (${transaction.stoppedReason ?? 'Local'}), ${meterStopWh - transaction.meterStartWh} Wh`);
    this.deps.stopped(transaction, meterStopWh);
    this.deps.statusChanged();
  }

  private unplug(session: Session): void {
    // Already gone (a reset took the EV away before it left by itself).
    if (this.sessions.get(session.evse.id) !== session) return;
    session.connector.plugged = false;
    // TxStopPoint EVConnected (or PowerPathClosed): the cable leaving ends the transaction.
    if (session.evse.transaction) this.end(session, 'EVCommunicationLost');
    this.sessions.delete(session.evse.id);
    this.deps.statusChanged();
  }

  private stopEnergy(session: Session): void {
    session.evse.meter.stop();
    session.energy = false;
    session.evse.transaction?.setChargingState(chargingState(session), this.deps.now());
  }

  private emit(session: Session, eventType: T.TransactionEventEnumType, reason: T.TriggerReasonEnumType, details: EventDetails = {}, withState = false): void {
    const transaction = session.evse.transaction;
    if (!transaction) return;
    const triggerReason = session.nextReason ?? reason;
    session.nextReason = undefined;
    this.deps.queue.push(transaction.event(eventType, triggerReason, this.deps.now(), details, withState));
  }

  private startSamplers(session: Session): void {
    const { model, timers } = this.deps;
    for (const cancel of session.samplers.splice(0)) cancel();
    const updated = model.int('SampledDataCtrlr', 'TxUpdatedInterval');
    if (updated > 0) {
      session.samplers.push(timers.every(updated * 1000, () => {
        const sample = this.sample(session.evse, 'SampledDataCtrlr', 'TxUpdatedMeasurands', 'Sample.Periodic');
        if (sample) this.emit(session, 'Updated', 'MeterValuePeriodic', { meterValue: [sample] });
      }));
    }
    const ended = model.int('SampledDataCtrlr', 'TxEndedInterval');
    if (ended > 0) {
      session.samplers.push(timers.every(ended * 1000, () => {
        const sample = this.sample(session.evse, 'SampledDataCtrlr', 'TxEndedMeasurands', 'Sample.Periodic');
        if (sample) session.evse.transaction?.endedSamples.push(sample);
      }));
    }
  }

  /** A sample of the measurands a variable lists, if its controller is enabled. */
  private sample(
    evse: Evse,
    controller: 'SampledDataCtrlr' | 'AlignedDataCtrlr',
    measurands: string,
    context: T.ReadingContextEnumType,
    at: Date = this.deps.now(),
  ): T.MeterValueType | null {
    const { model } = this.deps;
    if (!model.bool(controller, 'Enabled')) return null;
    return meterValue(evse, model.value(controller, measurands), context, at);
  }

  private points(variable: 'TxStartPoint' | 'TxStopPoint'): TxPoint[] {
    return listItems(this.deps.model.value('TxCtrlr', variable)) as TxPoint[];
  }

  private powerCapW(evse: Evse): number {
    const found = this.deps.model.find({ name: 'EVSE', evse: { id: evse.id } }, { name: 'Power' });
    const maxSet = found.status === 'found' ? Number(found.spec.attributes.MaxSet?.value) : Number.NaN;
    return Number.isFinite(maxSet) ? maxSet : Number.POSITIVE_INFINITY;
  }
}

const SELF_AUTHORIZED: ReadonlySet<T.IdTokenEnumType> = new Set(['Central', 'NoAuthorization']);

function chargingState(session: Session): T.ChargingStateEnumType {
  if (session.energy) return 'Charging';
  return session.connector.plugged ? 'EVConnected' : 'Idle';
}

/** The triggerReason of the Started event, by what started it (TriggerReasonEnumType). */
const START_REASON: Record<TxPoint, T.TriggerReasonEnumType> = {
  Authorized: 'Authorized',
  EVConnected: 'CablePluggedIn',
  PowerPathClosed: 'ChargingStateChanged',
  EnergyTransfer: 'ChargingStateChanged',
};

/** In a running transaction: PowerPathClosed changes nothing the CSMS sees. */
const UPDATE_REASON: Record<TxPoint, T.TriggerReasonEnumType | null> = {
  Authorized: 'Authorized',
  EVConnected: 'CablePluggedIn',
  PowerPathClosed: null,
  EnergyTransfer: 'ChargingStateChanged',
};

const rejected = (reasonCode: string): T.RequestStartTransactionResponse => ({ status: 'Rejected', statusInfo: { reasonCode } });
