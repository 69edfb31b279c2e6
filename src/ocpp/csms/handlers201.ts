import { RpcViolation } from '../errors.js';
import type * as T from '../ocpp201.js';
import type { CsCalls201, CsmsCalls201 } from '../ocpp201.js';
import type { RpcConnection } from '../rpc.js';
import { commonAnswers, type StationContext } from './answers.js';
import type { ChargePointState, StationIdentity } from './registry.js';

/** 2.0.1 names for who a station is (chargingStation and its modem). */
export function identity201(boot: T.BootNotificationRequest): StationIdentity {
  const cs = boot.chargingStation;
  return {
    vendor: cs.vendorName,
    model: cs.model,
    serialNumber: cs.serialNumber ?? null,
    firmwareVersion: cs.firmwareVersion ?? null,
    meterType: null,
    iccid: cs.modem?.iccid ?? null,
    imsi: cs.modem?.imsi ?? null,
  };
}

/** What each accepted TriggerMessage lets a Pending station send once. */
const TRIGGERED: Partial<Record<T.MessageTriggerEnumType, string>> = {
  BootNotification: 'BootNotification',
  Heartbeat: 'Heartbeat',
  StatusNotification: 'StatusNotification',
  MeterValues: 'MeterValues',
  TransactionEvent: 'TransactionEvent',
  LogStatusNotification: 'LogStatusNotification',
  FirmwareStatusNotification: 'FirmwareStatusNotification',
  SignChargingStationCertificate: 'SignCertificate',
  SignV2GCertificate: 'SignCertificate',
  SignCombinedCertificate: 'SignCertificate',
  PublishFirmwareStatusNotification: 'PublishFirmwareStatusNotification',
};

/** How long a trigger's allowance lasts: a station that takes longer is not answering it. */
const ALLOWANCE_MS = 60_000;
/** Reports a Pending station may be answering at once: we ask for one at a time. */
const MAX_REPORTS_AWAITED = 4;

/**
 * Who may send what while its registration is not Accepted (B02.FR.09, B03.FR.07): a Pending
 * station its BootNotification, what a TriggerMessage asked for, and the NotifyReports of a
 * report it was asked for; a Rejected one its BootNotification only. Everything else is answered
 * SecurityError. Allowances are few and expire, so a station cannot pile them up.
 */
class RegistrationGate {
  private readonly allowed = new Map<string, number[]>();
  /** Reports asked for, by requestId: their pages may come until the last, each renewing the wait. */
  private readonly reports = new Map<number, number>();

  constructor(private readonly state: ChargePointState) {}

  /** Our call was answered: a trigger or a report request accepted lets its answer in. */
  answered(action: string, request: unknown, response: unknown): void {
    if ((response as { status?: string }).status !== 'Accepted') return;
    if (action === 'TriggerMessage') this.allow(TRIGGERED[(request as T.TriggerMessageRequest).requestedMessage]);
    if (action === 'GetBaseReport' || action === 'GetReport') {
      const now = Date.now();
      for (const [id, until] of this.reports) if (until <= now) this.reports.delete(id);
      if (this.reports.size < MAX_REPORTS_AWAITED) this.reports.set((request as { requestId: number }).requestId, now + ALLOWANCE_MS);
    }
  }

  check(action: string, payload: unknown): RpcViolation | null {
    const { registration } = this.state;
    if (action === 'BootNotification' || registration === null || registration === 'Accepted') return null;
    if (registration === 'Pending' && (action === 'NotifyReport' ? this.reportPage(payload as T.NotifyReportRequest) : this.consume(action))) return null;
    return new RpcViolation('SecurityError', `the station's registration is ${registration}: it may not send ${action} now (B02.FR.09, B03.FR.07)`);
  }

  private reportPage(page: T.NotifyReportRequest): boolean {
    const until = this.reports.get(page.requestId);
    if (until === undefined || until <= Date.now()) return false;
    if (page.tbc) this.reports.set(page.requestId, Date.now() + ALLOWANCE_MS);
    else this.reports.delete(page.requestId);
    return true;
  }

  private allow(action: string | undefined): void {
    if (!action) return;
    const now = Date.now();
    const times = (this.allowed.get(action) ?? []).filter((t) => now - t < ALLOWANCE_MS).slice(-100);
    times.push(now);
    this.allowed.set(action, times);
  }

  private consume(action: string): boolean {
    const now = Date.now();
    const times = (this.allowed.get(action) ?? []).filter((t) => now - t < ALLOWANCE_MS);
    const ok = times.length > 0;
    times.shift();
    this.allowed.set(action, times);
    return ok;
  }
}

/**
 * Answers every call an OCPP 2.0.1 station initiates in the Core and commissioning blocks, as
 * the CSMS side of the protocol only; what the calls mean for commissioning is for whoever
 * listens to the server's events. ISO 15118 certificate messages are not supported.
 */
export function installHandlers201(rpc: RpcConnection<CsmsCalls201, CsCalls201>, station: StationContext): void {
  const { state, policy } = station;
  const id = state.id;
  const answer = commonAnswers(station);
  const gate = new RegistrationGate(state);
  rpc.setGate((action, payload) => gate.check(action, payload));
  rpc.on('answered', (action, request, response) => gate.answered(action, request, response));
  const token = (idToken: T.IdTokenType): T.IdTokenInfoType => ({ status: policy.authorizeIdTag(id, idToken.idToken) });

  rpc.handle('BootNotification', (req) => answer.boot(identity201(req)));
  rpc.handle('Heartbeat', () => answer.heartbeat());
  rpc.handle('StatusNotification', (req) =>
    answer.status(
      { key: `${req.evseId}/${req.connectorId}`, evseId: req.evseId, connectorId: req.connectorId, status: req.connectorStatus, errorCode: null },
      `EVSE ${req.evseId} connector ${req.connectorId}`,
    ),
  );
  rpc.handle('Authorize', (req) => ({ idTokenInfo: token(req.idToken) }));
  // A station retries an unanswered TransactionEvent and holds its queue: always answered, and
  // with idTokenInfo whenever it carries a token (E01, E05).
  rpc.handle('TransactionEvent', (req) => (req.idToken ? { idTokenInfo: token(req.idToken) } : {}));
  rpc.handle('MeterValues', () => ({}));
  rpc.handle('NotifyReport', () => ({}));
  rpc.handle('NotifyEvent', () => ({}));
  rpc.handle('NotifyMonitoringReport', () => ({}));
  rpc.handle('SecurityEventNotification', () => ({}));
  rpc.handle('FirmwareStatusNotification', () => ({}));
  rpc.handle('LogStatusNotification', () => ({}));
  rpc.handle('PublishFirmwareStatusNotification', () => ({}));
  rpc.handle('ReservationStatusUpdate', () => ({}));
  rpc.handle('NotifyChargingLimit', () => ({}));
  rpc.handle('ClearedChargingLimit', () => ({}));
  rpc.handle('ReportChargingProfiles', () => ({}));
  rpc.handle('NotifyDisplayMessages', () => ({}));
  rpc.handle('NotifyCustomerInformation', () => ({}));
  rpc.handle('DataTransfer', () => ({ status: 'UnknownVendorId' }));
  rpc.handle('SignCertificate', () => ({ status: 'Rejected' }));
}
