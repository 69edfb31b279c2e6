/**
 * OCPP 2.0.1 (OCPP-J 2.0.1): the official OCA JSON schemas (through typed-ocpp, adjusted for
 * ajv), the message types, which side initiates which action, and the 2.0.1 spelling of the
 * CALLERROR codes.
 */
import * as schemas from 'typed-ocpp/dist/ocpp20/schemas.js';
import type * as T from 'typed-ocpp/dist/ocpp20/types.js';
import type { Dialect } from './dialect.js';
import type { RpcErrorKind } from './errors.js';

export type * from 'typed-ocpp/dist/ocpp20/types.js';

/** Calls a CSMS sends to a Charging Station: [request, response]. */
export type CsmsCalls201 = {
  CancelReservation: [T.CancelReservationRequest, T.CancelReservationResponse];
  CertificateSigned: [T.CertificateSignedRequest, T.CertificateSignedResponse];
  ChangeAvailability: [T.ChangeAvailabilityRequest, T.ChangeAvailabilityResponse];
  ClearCache: [T.ClearCacheRequest, T.ClearCacheResponse];
  ClearChargingProfile: [T.ClearChargingProfileRequest, T.ClearChargingProfileResponse];
  ClearDisplayMessage: [T.ClearDisplayMessageRequest, T.ClearDisplayMessageResponse];
  ClearVariableMonitoring: [T.ClearVariableMonitoringRequest, T.ClearVariableMonitoringResponse];
  CostUpdated: [T.CostUpdatedRequest, T.CostUpdatedResponse];
  CustomerInformation: [T.CustomerInformationRequest, T.CustomerInformationResponse];
  DataTransfer: [T.DataTransferRequest, T.DataTransferResponse];
  DeleteCertificate: [T.DeleteCertificateRequest, T.DeleteCertificateResponse];
  GetBaseReport: [T.GetBaseReportRequest, T.GetBaseReportResponse];
  GetChargingProfiles: [T.GetChargingProfilesRequest, T.GetChargingProfilesResponse];
  GetCompositeSchedule: [T.GetCompositeScheduleRequest, T.GetCompositeScheduleResponse];
  GetDisplayMessages: [T.GetDisplayMessagesRequest, T.GetDisplayMessagesResponse];
  GetInstalledCertificateIds: [T.GetInstalledCertificateIdsRequest, T.GetInstalledCertificateIdsResponse];
  GetLocalListVersion: [T.GetLocalListVersionRequest, T.GetLocalListVersionResponse];
  GetLog: [T.GetLogRequest, T.GetLogResponse];
  GetMonitoringReport: [T.GetMonitoringReportRequest, T.GetMonitoringReportResponse];
  GetReport: [T.GetReportRequest, T.GetReportResponse];
  GetTransactionStatus: [T.GetTransactionStatusRequest, T.GetTransactionStatusResponse];
  GetVariables: [T.GetVariablesRequest, T.GetVariablesResponse];
  InstallCertificate: [T.InstallCertificateRequest, T.InstallCertificateResponse];
  // A CSMS sends these two to a Local Controller, which is a Charging Station to it.
  PublishFirmware: [T.PublishFirmwareRequest, T.PublishFirmwareResponse];
  UnpublishFirmware: [T.UnpublishFirmwareRequest, T.UnpublishFirmwareResponse];
  RequestStartTransaction: [T.RequestStartTransactionRequest, T.RequestStartTransactionResponse];
  RequestStopTransaction: [T.RequestStopTransactionRequest, T.RequestStopTransactionResponse];
  ReserveNow: [T.ReserveNowRequest, T.ReserveNowResponse];
  Reset: [T.ResetRequest, T.ResetResponse];
  SendLocalList: [T.SendLocalListRequest, T.SendLocalListResponse];
  SetChargingProfile: [T.SetChargingProfileRequest, T.SetChargingProfileResponse];
  SetDisplayMessage: [T.SetDisplayMessageRequest, T.SetDisplayMessageResponse];
  SetMonitoringBase: [T.SetMonitoringBaseRequest, T.SetMonitoringBaseResponse];
  SetMonitoringLevel: [T.SetMonitoringLevelRequest, T.SetMonitoringLevelResponse];
  SetNetworkProfile: [T.SetNetworkProfileRequest, T.SetNetworkProfileResponse];
  SetVariableMonitoring: [T.SetVariableMonitoringRequest, T.SetVariableMonitoringResponse];
  SetVariables: [T.SetVariablesRequest, T.SetVariablesResponse];
  TriggerMessage: [T.TriggerMessageRequest, T.TriggerMessageResponse];
  UnlockConnector: [T.UnlockConnectorRequest, T.UnlockConnectorResponse];
  UpdateFirmware: [T.UpdateFirmwareRequest, T.UpdateFirmwareResponse];
};

/** Calls a Charging Station sends to a CSMS: [request, response]. */
export type CsCalls201 = {
  Authorize: [T.AuthorizeRequest, T.AuthorizeResponse];
  BootNotification: [T.BootNotificationRequest, T.BootNotificationResponse];
  ClearedChargingLimit: [T.ClearedChargingLimitRequest, T.ClearedChargingLimitResponse];
  DataTransfer: [T.DataTransferRequest, T.DataTransferResponse];
  FirmwareStatusNotification: [T.FirmwareStatusNotificationRequest, T.FirmwareStatusNotificationResponse];
  Get15118EVCertificate: [T.Get15118EVCertificateRequest, T.Get15118EVCertificateResponse];
  GetCertificateStatus: [T.GetCertificateStatusRequest, T.GetCertificateStatusResponse];
  Heartbeat: [T.HeartbeatRequest, T.HeartbeatResponse];
  LogStatusNotification: [T.LogStatusNotificationRequest, T.LogStatusNotificationResponse];
  MeterValues: [T.MeterValuesRequest, T.MeterValuesResponse];
  NotifyChargingLimit: [T.NotifyChargingLimitRequest, T.NotifyChargingLimitResponse];
  NotifyCustomerInformation: [T.NotifyCustomerInformationRequest, T.NotifyCustomerInformationResponse];
  NotifyDisplayMessages: [T.NotifyDisplayMessagesRequest, T.NotifyDisplayMessagesResponse];
  NotifyEVChargingNeeds: [T.NotifyEVChargingNeedsRequest, T.NotifyEVChargingNeedsResponse];
  NotifyEVChargingSchedule: [T.NotifyEVChargingScheduleRequest, T.NotifyEVChargingScheduleResponse];
  NotifyEvent: [T.NotifyEventRequest, T.NotifyEventResponse];
  NotifyMonitoringReport: [T.NotifyMonitoringReportRequest, T.NotifyMonitoringReportResponse];
  NotifyReport: [T.NotifyReportRequest, T.NotifyReportResponse];
  // Sent by a Local Controller, as the Charging Station it is to the CSMS.
  PublishFirmwareStatusNotification: [T.PublishFirmwareStatusNotificationRequest, T.PublishFirmwareStatusNotificationResponse];
  ReportChargingProfiles: [T.ReportChargingProfilesRequest, T.ReportChargingProfilesResponse];
  ReservationStatusUpdate: [T.ReservationStatusUpdateRequest, T.ReservationStatusUpdateResponse];
  SecurityEventNotification: [T.SecurityEventNotificationRequest, T.SecurityEventNotificationResponse];
  SignCertificate: [T.SignCertificateRequest, T.SignCertificateResponse];
  StatusNotification: [T.StatusNotificationRequest, T.StatusNotificationResponse];
  TransactionEvent: [T.TransactionEventRequest, T.TransactionEventResponse];
};

// Part 2 §Messages: who initiates each message. DataTransfer goes both ways.
const csmsActions: ReadonlyArray<keyof CsmsCalls201> = [
  'CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ClearCache', 'ClearChargingProfile',
  'ClearDisplayMessage', 'ClearVariableMonitoring', 'CostUpdated', 'CustomerInformation', 'DataTransfer',
  'DeleteCertificate', 'GetBaseReport', 'GetChargingProfiles', 'GetCompositeSchedule', 'GetDisplayMessages',
  'GetInstalledCertificateIds', 'GetLocalListVersion', 'GetLog', 'GetMonitoringReport', 'GetReport',
  'GetTransactionStatus', 'GetVariables', 'InstallCertificate', 'PublishFirmware', 'UnpublishFirmware',
  'RequestStartTransaction', 'RequestStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList',
  'SetChargingProfile', 'SetDisplayMessage', 'SetMonitoringBase', 'SetMonitoringLevel', 'SetNetworkProfile',
  'SetVariableMonitoring', 'SetVariables', 'TriggerMessage', 'UnlockConnector', 'UpdateFirmware',
];

const csActions: ReadonlyArray<keyof CsCalls201> = [
  'Authorize', 'BootNotification', 'ClearedChargingLimit', 'DataTransfer', 'FirmwareStatusNotification',
  'Get15118EVCertificate', 'GetCertificateStatus', 'Heartbeat', 'LogStatusNotification', 'MeterValues',
  'NotifyChargingLimit', 'NotifyCustomerInformation', 'NotifyDisplayMessages', 'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule', 'NotifyEvent', 'NotifyMonitoringReport', 'NotifyReport',
  'PublishFirmwareStatusNotification', 'ReportChargingProfiles', 'ReservationStatusUpdate',
  'SecurityEventNotification', 'SignCertificate', 'StatusNotification', 'TransactionEvent',
];

/**
 * OCPP-J 2.0.1 Part 4 §4.3 (Table 8). A frame that is not a valid RPC message at all, or a CALL
 * of the wrong shape, is RpcFrameworkError ("-1" when its id cannot be read, §4.2.3); an unknown
 * message type is answered MessageTypeNotSupported (§4.4: 2.1 later turned this into ignoring
 * it). "Occurrence" is spelled right from 2.0 on.
 */
const CODES_201: Record<RpcErrorKind, string | null> = {
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  InternalError: 'InternalError',
  ProtocolError: 'ProtocolError',
  SecurityError: 'SecurityError',
  FormatViolation: 'FormatViolation',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  OccurrenceConstraintViolation: 'OccurrenceConstraintViolation',
  TypeConstraintViolation: 'TypeConstraintViolation',
  GenericError: 'GenericError',
  UnreadableFrame: 'RpcFrameworkError',
  IncompleteCall: 'RpcFrameworkError',
  MalformedCall: 'RpcFrameworkError',
  UnknownMessageType: 'MessageTypeNotSupported',
};

export const ocpp201: Dialect = {
  protocol: 'ocpp2.0.1',
  schemas: schemas as unknown as Record<string, unknown>,
  actionsSentBy: { csms: new Set(csmsActions), cp: new Set(csActions) },
  errorCode: (kind) => CODES_201[kind],
};
