import type * as T from '../ocpp16.js';
import type { CpCalls16, CsmsCalls16 } from '../ocpp16.js';
import type { RpcConnection } from '../rpc.js';
import { commonAnswers, type StationContext } from './answers.js';
import type { StationIdentity } from './registry.js';

/** 1.6 names for who a charge point is. */
export function identity16(boot: T.BootNotificationRequest): StationIdentity {
  return {
    vendor: boot.chargePointVendor,
    model: boot.chargePointModel,
    serialNumber: boot.chargePointSerialNumber ?? boot.chargeBoxSerialNumber ?? null,
    firmwareVersion: boot.firmwareVersion ?? null,
    meterType: boot.meterType ?? null,
    iccid: boot.iccid ?? null,
    imsi: boot.imsi ?? null,
  };
}

/**
 * Answers every call a 1.6 charge point initiates. The answers are the Central System's side of
 * the protocol only; what the calls mean for commissioning is for whoever listens to the
 * server's events.
 */
export function installHandlers16(rpc: RpcConnection<CsmsCalls16, CpCalls16>, station: StationContext): void {
  const { state, policy } = station;
  const id = state.id;
  const answer = commonAnswers(station);
  rpc.handle('BootNotification', (req) => answer.boot(identity16(req)));
  rpc.handle('Heartbeat', () => answer.heartbeat());
  rpc.handle('StatusNotification', (req) =>
    answer.status({ key: String(req.connectorId), evseId: req.connectorId, connectorId: null, status: req.status, errorCode: req.errorCode }, `connector ${req.connectorId}`),
  );
  rpc.handle('Authorize', (req) => ({ idTagInfo: { status: policy.authorizeIdTag(id, req.idTag) } }));
  rpc.handle('StartTransaction', (req) => ({
    transactionId: policy.nextTransactionId(id),
    idTagInfo: { status: policy.authorizeIdTag(id, req.idTag) },
  }));
  // Always answered, even for a transaction we never saw: a charge point retries an
  // unanswered StopTransaction and holds its queue until it gets one.
  rpc.handle('StopTransaction', (req) =>
    req.idTag ? { idTagInfo: { status: policy.authorizeIdTag(id, req.idTag) } } : {},
  );
  rpc.handle('MeterValues', () => ({}));
  rpc.handle('DataTransfer', () => ({ status: 'UnknownVendorId' }));
  rpc.handle('DiagnosticsStatusNotification', () => ({}));
  rpc.handle('FirmwareStatusNotification', () => ({}));
  rpc.handle('LogStatusNotification', () => ({}));
  rpc.handle('SecurityEventNotification', () => ({}));
  rpc.handle('SignedFirmwareStatusNotification', () => ({}));
  rpc.handle('SignCertificate', () => ({ status: 'Rejected' }));
}
