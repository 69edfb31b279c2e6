import { randomUUID } from 'node:crypto';
import type * as T from '../../ocpp/ocpp201.js';

export interface EventDetails {
  meterValue?: T.MeterValueType[];
  stoppedReason?: T.ReasonEnumType;
}

/**
 * One transaction and the TransactionEventRequests it produces: seqNo from 0 and one up per
 * message (E01.FR.07), the station's own transactionId, unique across reboots (E01.FR.08),
 * remoteStartId and idToken in the first message after they are known (F02.FR.01, E01.FR.10),
 * the evse in the first message and the first after the EV connected (E01.FR.16),
 * chargingState whenever it changed (E01.FR.18).
 */
export class Transaction {
  readonly id = randomUUID();
  readonly startedAt: Date;
  chargingState: T.ChargingStateEnumType;
  idToken: T.IdTokenType | undefined;
  remoteStartId: number | undefined;
  /** The next message names the EVSE and connector. */
  evseDue = true;
  /** Why it will end, once that is decided (remote stop, reset…). */
  stoppedReason: T.ReasonEnumType | undefined;
  /** Samples for the Ended message (SampledDataCtrlr/AlignedDataCtrlr.TxEnded*). */
  readonly endedSamples: T.MeterValueType[] = [];
  private seqNo = 0;
  private sentChargingState: T.ChargingStateEnumType | null = null;
  private idTokenSent = false;
  private remoteStartIdSent = false;
  private chargingSince: number | null = null;
  private chargedMs = 0;

  constructor(
    readonly evseId: number,
    readonly connectorId: number,
    readonly meterStartWh: number,
    at: Date,
    chargingState: T.ChargingStateEnumType,
  ) {
    this.startedAt = at;
    this.chargingState = chargingState;
  }

  setChargingState(state: T.ChargingStateEnumType, at: Date): void {
    if (state === 'Charging' && this.chargingSince === null) this.chargingSince = at.getTime();
    if (state !== 'Charging' && this.chargingSince !== null) {
      this.chargedMs += at.getTime() - this.chargingSince;
      this.chargingSince = null;
    }
    this.chargingState = state;
  }

  /** TransactionInfo.timeSpentCharging, in whole seconds. */
  private timeSpentCharging(at: Date): number {
    const running = this.chargingSince === null ? 0 : at.getTime() - this.chargingSince;
    return Math.floor((this.chargedMs + running) / 1000);
  }

  event(
    eventType: T.TransactionEventEnumType,
    triggerReason: T.TriggerReasonEnumType,
    at: Date,
    details: EventDetails = {},
    withState = false,
  ): T.TransactionEventRequest {
    const transactionInfo: T.TransactionType = { transactionId: this.id };
    if (withState || this.chargingState !== this.sentChargingState) {
      transactionInfo.chargingState = this.chargingState;
      this.sentChargingState = this.chargingState;
    }
    if (eventType !== 'Started') transactionInfo.timeSpentCharging = this.timeSpentCharging(at);
    if (eventType === 'Ended') transactionInfo.stoppedReason = details.stoppedReason ?? this.stoppedReason ?? 'Local';
    if (this.remoteStartId !== undefined && !this.remoteStartIdSent) {
      transactionInfo.remoteStartId = this.remoteStartId;
      this.remoteStartIdSent = true;
    }
    const request: T.TransactionEventRequest = {
      eventType,
      timestamp: at.toISOString(),
      triggerReason,
      seqNo: this.seqNo,
      transactionInfo,
    };
    this.seqNo += 1;
    if (this.evseDue) {
      request.evse = { id: this.evseId, connectorId: this.connectorId };
      this.evseDue = false;
    }
    if (this.idToken && !this.idTokenSent) {
      request.idToken = this.idToken;
      this.idTokenSent = true;
    }
    if (details.meterValue && details.meterValue.length > 0) request.meterValue = details.meterValue;
    return request;
  }
}
