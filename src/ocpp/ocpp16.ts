/**
 * OCPP 1.6J: the official OCA JSON schemas (through typed-ocpp, which ships them adjusted for
 * ajv), the message types, which side initiates which action, and the 1.6 spelling of the
 * CALLERROR codes.
 */
import * as schemas from 'typed-ocpp/dist/ocpp16/schemas.js';
import type * as T from 'typed-ocpp/dist/ocpp16/types.js';
import type { Dialect } from './dialect.js';
import type { RpcErrorKind } from './errors.js';

export type * from 'typed-ocpp/dist/ocpp16/types.js';

/** Calls a Central System sends to a Charge Point: [request, response]. */
export type CsmsCalls16 = {
  CancelReservation: [T.CancelReservationRequest, T.CancelReservationResponse];
  ChangeAvailability: [T.ChangeAvailabilityRequest, T.ChangeAvailabilityResponse];
  ChangeConfiguration: [T.ChangeConfigurationRequest, T.ChangeConfigurationResponse];
  ClearCache: [T.ClearCacheRequest, T.ClearCacheResponse];
  ClearChargingProfile: [T.ClearChargingProfileRequest, T.ClearChargingProfileResponse];
  DataTransfer: [T.DataTransferRequest, T.DataTransferResponse];
  GetCompositeSchedule: [T.GetCompositeScheduleRequest, T.GetCompositeScheduleResponse];
  GetConfiguration: [T.GetConfigurationRequest, T.GetConfigurationResponse];
  GetDiagnostics: [T.GetDiagnosticsRequest, T.GetDiagnosticsResponse];
  GetLocalListVersion: [T.GetLocalListVersionRequest, T.GetLocalListVersionResponse];
  RemoteStartTransaction: [T.RemoteStartTransactionRequest, T.RemoteStartTransactionResponse];
  RemoteStopTransaction: [T.RemoteStopTransactionRequest, T.RemoteStopTransactionResponse];
  ReserveNow: [T.ReserveNowRequest, T.ReserveNowResponse];
  Reset: [T.ResetRequest, T.ResetResponse];
  SendLocalList: [T.SendLocalListRequest, T.SendLocalListResponse];
  SetChargingProfile: [T.SetChargingProfileRequest, T.SetChargingProfileResponse];
  TriggerMessage: [T.TriggerMessageRequest, T.TriggerMessageResponse];
  UnlockConnector: [T.UnlockConnectorRequest, T.UnlockConnectorResponse];
  UpdateFirmware: [T.UpdateFirmwareRequest, T.UpdateFirmwareResponse];
  // Security whitepaper extensions (edition 3), part of the official 1.6 schema set.
  CertificateSigned: [T.CertificateSignedRequest, T.CertificateSignedResponse];
  DeleteCertificate: [T.DeleteCertificateRequest, T.DeleteCertificateResponse];
  ExtendedTriggerMessage: [T.ExtendedTriggerMessageRequest, T.ExtendedTriggerMessageResponse];
  GetInstalledCertificateIds: [T.GetInstalledCertificateIdsRequest, T.GetInstalledCertificateIdsResponse];
  GetLog: [T.GetLogRequest, T.GetLogResponse];
  InstallCertificate: [T.InstallCertificateRequest, T.InstallCertificateResponse];
  SignedUpdateFirmware: [T.SignedUpdateFirmwareRequest, T.SignedUpdateFirmwareResponse];
};

/** Calls a Charge Point sends to a Central System: [request, response]. */
export type CpCalls16 = {
  Authorize: [T.AuthorizeRequest, T.AuthorizeResponse];
  BootNotification: [T.BootNotificationRequest, T.BootNotificationResponse];
  DataTransfer: [T.DataTransferRequest, T.DataTransferResponse];
  DiagnosticsStatusNotification: [T.DiagnosticsStatusNotificationRequest, T.DiagnosticsStatusNotificationResponse];
  FirmwareStatusNotification: [T.FirmwareStatusNotificationRequest, T.FirmwareStatusNotificationResponse];
  Heartbeat: [T.HeartbeatRequest, T.HeartbeatResponse];
  MeterValues: [T.MeterValuesRequest, T.MeterValuesResponse];
  StartTransaction: [T.StartTransactionRequest, T.StartTransactionResponse];
  StatusNotification: [T.StatusNotificationRequest, T.StatusNotificationResponse];
  StopTransaction: [T.StopTransactionRequest, T.StopTransactionResponse];
  LogStatusNotification: [T.LogStatusNotificationRequest, T.LogStatusNotificationResponse];
  SecurityEventNotification: [T.SecurityEventNotificationRequest, T.SecurityEventNotificationResponse];
  SignCertificate: [T.SignCertificateRequest, T.SignCertificateResponse];
  SignedFirmwareStatusNotification: [T.SignedFirmwareStatusNotificationRequest, T.SignedFirmwareStatusNotificationResponse];
};

const csmsActions: ReadonlyArray<keyof CsmsCalls16> = [
  'CancelReservation', 'ChangeAvailability', 'ChangeConfiguration', 'ClearCache',
  'ClearChargingProfile', 'DataTransfer', 'GetCompositeSchedule', 'GetConfiguration',
  'GetDiagnostics', 'GetLocalListVersion', 'RemoteStartTransaction', 'RemoteStopTransaction',
  'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile', 'TriggerMessage',
  'UnlockConnector', 'UpdateFirmware', 'CertificateSigned', 'DeleteCertificate',
  'ExtendedTriggerMessage', 'GetInstalledCertificateIds', 'GetLog', 'InstallCertificate',
  'SignedUpdateFirmware',
];

const cpActions: ReadonlyArray<keyof CpCalls16> = [
  'Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification',
  'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StartTransaction',
  'StatusNotification', 'StopTransaction', 'LogStatusNotification', 'SecurityEventNotification',
  'SignCertificate', 'SignedFirmwareStatusNotification',
];

/**
 * OCPP-J 1.6 §4.2.3. The spelling "Occurence" is kept on purpose by the 1.6 errata, and
 * FormationViolation covers both a payload that is not JSON and one that is not the PDU; a 1.6
 * peer may match on either literally. An unknown message type is ignored (§4.1.3).
 */
const CODES_16: Record<RpcErrorKind, string | null> = {
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  InternalError: 'InternalError',
  ProtocolError: 'ProtocolError',
  SecurityError: 'SecurityError',
  FormatViolation: 'FormationViolation',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  TypeConstraintViolation: 'TypeConstraintViolation',
  GenericError: 'GenericError',
  UnreadableFrame: 'FormationViolation',
  IncompleteCall: 'ProtocolError',
  MalformedCall: 'FormationViolation',
  UnknownMessageType: null,
};

export const ocpp16: Dialect = {
  protocol: 'ocpp1.6',
  schemas: schemas as unknown as Record<string, unknown>,
  actionsSentBy: { csms: new Set(csmsActions), cp: new Set(cpActions) },
  errorCode: (kind) => CODES_16[kind],
};
