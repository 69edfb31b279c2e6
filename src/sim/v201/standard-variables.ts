/**
 * The device model of a typical AC charging station: the standard controller components of
 * Part 2 "Referenced Components and Variables" (names, mutability and dataTypes as listed
 * there, and in Part 2 Appendix 3), the ChargingStation, EVSE and Connector components, and
 * the defaults such a station ships with. Functional blocks this simulator does not implement
 * (reservations, smart charging, local lists) report Available = false rather than pretend.
 */
import type { ReconnectPolicy } from '../../ocpp/cp/client.js';
import type * as T from '../../ocpp/ocpp201.js';
import type { AttributeName, VariableSpec } from './device-model.js';
import type { StationOptions } from './options.js';

/** What the station measures, for the variables whose Actual value is live. */
export interface LiveReadings {
  stationState(): T.ConnectorStatusEnumType;
  evseState(evseId: number): T.ConnectorStatusEnumType;
  connectorState(evseId: number, connectorId: number): T.ConnectorStatusEnumType;
  evsePowerW(evseId: number): number;
  dateTime(): string;
  activeNetworkProfile(): string;
}

/** What the station is: its options with the defaults filled in. */
export interface StationFacts {
  id: string;
  vendor: string;
  model: string;
  serial: string;
  firmwareVersion: string;
  evses: number;
  connectorsPerEvse: number;
  powerW: number;
  password: string;
  /** 2 for wss:// (TLS with Basic auth), else 1 (Basic auth). */
  securityProfile: number;
  messageTimeoutS: number;
  reconnect: ReconnectPolicy | null;
}

export function stationFacts(options: StationOptions): StationFacts {
  return {
    id: options.id,
    vendor: options.vendor ?? 'Dynamo',
    model: options.model ?? 'SimCharger AC22',
    serial: options.serial ?? `SIM-${options.id}`.slice(0, 25),
    firmwareVersion: options.firmwareVersion ?? '2.0.1-sim',
    evses: options.evses ?? 1,
    connectorsPerEvse: options.connectorsPerEvse ?? 1,
    powerW: options.powerW ?? 11_000,
    password: options.password ?? '',
    securityProfile: /^wss:/i.test(options.url) ? 2 : 1,
    messageTimeoutS: Math.ceil((options.callTimeoutMs ?? 30_000) / 1000),
    reconnect: options.reconnect === undefined ? { minDelayMs: 1000, maxDelayMs: 30_000 } : options.reconnect,
  };
}

/** The measurands this firmware samples (all of them in MeasurandEnumType). */
export const MEASURANDS = [
  'Energy.Active.Import.Register',
  'Power.Active.Import',
  'Current.Import',
  'Current.Offered',
  'Voltage',
  'Frequency',
] as const;

/** The TxStartPoint / TxStopPoint events this station can detect: no bay sensor, no signing meter. */
export const TX_POINTS = ['EVConnected', 'Authorized', 'PowerPathClosed', 'EnergyTransfer'] as const;

export const CONNECTOR_STATES = 'Available,Occupied,Reserved,Unavailable,Faulted';

/** passwordString (Part 2 §2.1.4). */
const PASSWORD_STRING = /^[A-Za-z0-9*\-_=:+|@.]*$/;

type Extra = Partial<Pick<VariableSpec, 'pattern' | 'rebootRequired' | 'read'>> &
  Partial<Omit<T.VariableCharacteristicsType, 'dataType' | 'supportsMonitoring'>> & {
    instance?: string;
    /** Further attributes beside Actual, e.g. MaxSet. */
    more?: Partial<Record<Exclude<AttributeName, 'Actual'>, string>>;
  };

function define(
  component: T.ComponentType,
  name: string,
  dataType: T.DataEnumType,
  mutability: T.MutabilityEnumType,
  value: string,
  extra: Extra = {},
): VariableSpec {
  const { instance, more, pattern, rebootRequired, read, ...limits } = extra;
  const attributes: VariableSpec['attributes'] = { Actual: { value, mutability } };
  for (const [type, v] of Object.entries(more ?? {})) attributes[type as AttributeName] = { value: v, mutability: 'ReadWrite' };
  return {
    component,
    variable: instance === undefined ? { name } : { name, instance },
    characteristics: { dataType, supportsMonitoring: false, ...limits },
    attributes,
    ...(pattern && { pattern }),
    ...(rebootRequired && { rebootRequired }),
    ...(read && { read }),
  };
}

/** Shorthands for one component: read-only and read-write variables. */
function on(component: T.ComponentType) {
  return {
    ro: (name: string, dataType: T.DataEnumType, value: string, extra?: Extra) => define(component, name, dataType, 'ReadOnly', value, extra),
    rw: (name: string, dataType: T.DataEnumType, value: string, extra?: Extra) => define(component, name, dataType, 'ReadWrite', value, extra),
    wo: (name: string, dataType: T.DataEnumType, value: string, extra?: Extra) => define(component, name, dataType, 'WriteOnly', value, extra),
  };
}

const measurands = MEASURANDS.join(',');
const txPoints = TX_POINTS.join(',');
const seconds = { unit: 's' };

function controllers(f: StationFacts, live: LiveReadings): VariableSpec[] {
  const comm = on({ name: 'OCPPCommCtrlr' });
  const data = on({ name: 'DeviceDataCtrlr' });
  const security = on({ name: 'SecurityCtrlr' });
  const auth = on({ name: 'AuthCtrlr' });
  const cache = on({ name: 'AuthCacheCtrlr' });
  const localList = on({ name: 'LocalAuthListCtrlr' });
  const sampled = on({ name: 'SampledDataCtrlr' });
  const aligned = on({ name: 'AlignedDataCtrlr' });
  const tx = on({ name: 'TxCtrlr' });
  const clock = on({ name: 'ClockCtrlr' });
  const reservation = on({ name: 'ReservationCtrlr' });
  const smart = on({ name: 'SmartChargingCtrlr' });
  const minS = (f.reconnect?.minDelayMs ?? 0) / 1000;
  const maxS = (f.reconnect?.maxDelayMs ?? 0) / 1000;
  const perMessage = (instance: string): VariableSpec[] => [
    data.ro('ItemsPerMessage', 'integer', '16', { instance }),
    data.ro('BytesPerMessage', 'integer', '4096', { instance }),
  ];
  return [
    comm.ro('ActiveNetworkProfile', 'integer', '', { read: live.activeNetworkProfile }),
    comm.ro('MessageTimeout', 'integer', String(f.messageTimeoutS), { instance: 'Default', ...seconds }),
    comm.ro('FileTransferProtocols', 'MemberList', 'HTTP,HTTPS,FTP,FTPS', { valuesList: 'HTTP,HTTPS,FTP,FTPS' }),
    comm.rw('HeartbeatInterval', 'integer', '300', { ...seconds, minLimit: 1 }),
    comm.rw('NetworkConfigurationPriority', 'SequenceList', '0', { valuesList: '0,1,2', minLimit: 1, rebootRequired: true }),
    comm.rw('NetworkProfileConnectionAttempts', 'integer', '3', { minLimit: 1 }),
    comm.rw('OfflineThreshold', 'integer', '60', { ...seconds, minLimit: 0 }),
    comm.rw('QueueAllMessages', 'boolean', 'false'),
    comm.rw('MessageAttempts', 'integer', '3', { instance: 'TransactionEvent', minLimit: 1 }),
    comm.rw('MessageAttemptInterval', 'integer', '60', { instance: 'TransactionEvent', ...seconds, minLimit: 0 }),
    comm.rw('UnlockOnEVSideDisconnect', 'boolean', 'true'),
    comm.rw('ResetRetries', 'integer', '2', { minLimit: 0 }),
    // Part 4 §5: 0 leaves pinging to the CSMS, which is what this station does.
    comm.ro('WebSocketPingInterval', 'integer', '0', seconds),
    // Part 4 §5.3: the reconnect back-off, doubling from the minimum, with random jitter.
    comm.ro('RetryBackOffWaitMinimum', 'integer', String(Math.round(minS)), seconds),
    comm.ro('RetryBackOffRepeatTimes', 'integer', String(minS > 0 ? Math.ceil(Math.log2(maxS / minS)) : 0)),
    comm.ro('RetryBackOffRandomRange', 'integer', String(Math.round(maxS)), seconds),

    ...perMessage('GetReport'),
    ...perMessage('GetVariables'),
    ...perMessage('SetVariables'),
    data.ro('ConfigurationValueSize', 'integer', '1000', { maxLimit: 1000 }),
    data.ro('ReportingValueSize', 'integer', '2500', { maxLimit: 2500 }),

    security.wo('BasicAuthPassword', 'string', f.password, { minLimit: 16, maxLimit: 40, pattern: PASSWORD_STRING }),
    security.ro('Identity', 'string', f.id, { maxLimit: 48 }),
    security.rw('OrganizationName', 'string', f.vendor, { maxLimit: 64 }),
    security.ro('SecurityProfile', 'integer', String(f.securityProfile)),
    security.ro('CertificateEntries', 'integer', '0', { maxLimit: 0 }),
    security.ro('AdditionalRootCertificateCheck', 'boolean', 'false'),

    auth.rw('Enabled', 'boolean', 'true'),
    auth.rw('AuthorizeRemoteStart', 'boolean', 'false'),
    auth.rw('LocalAuthorizeOffline', 'boolean', 'true'),
    auth.rw('LocalPreAuthorize', 'boolean', 'false'),
    auth.rw('OfflineTxForUnknownIdEnabled', 'boolean', 'false'),
    auth.rw('DisableRemoteAuthorization', 'boolean', 'false'),

    cache.ro('Available', 'boolean', 'true'),
    cache.rw('Enabled', 'boolean', 'true'),
    cache.rw('LifeTime', 'integer', '86400', { ...seconds, minLimit: 0 }),
    cache.ro('Policy', 'OptionList', 'LRU', { valuesList: 'LRU' }),
    cache.rw('DisablePostAuthorize', 'boolean', 'false'),

    localList.ro('Available', 'boolean', 'false'),
    localList.ro('Enabled', 'boolean', 'false'),

    sampled.ro('Available', 'boolean', 'true'),
    sampled.rw('Enabled', 'boolean', 'true'),
    sampled.rw('TxStartedMeasurands', 'MemberList', 'Energy.Active.Import.Register', { valuesList: measurands, maxLimit: 500 }),
    sampled.rw('TxUpdatedMeasurands', 'MemberList', 'Energy.Active.Import.Register,Power.Active.Import', { valuesList: measurands, maxLimit: 500 }),
    sampled.rw('TxUpdatedInterval', 'integer', '60', { ...seconds, minLimit: 0 }),
    sampled.rw('TxEndedMeasurands', 'MemberList', 'Energy.Active.Import.Register', { valuesList: measurands, maxLimit: 500 }),
    sampled.rw('TxEndedInterval', 'integer', '0', { ...seconds, minLimit: 0 }),
    sampled.ro('RegisterValuesWithoutPhases', 'boolean', 'true'),

    aligned.ro('Available', 'boolean', 'true'),
    aligned.rw('Enabled', 'boolean', 'true'),
    aligned.rw('Interval', 'integer', '900', { ...seconds, minLimit: 0 }),
    aligned.rw('Measurands', 'MemberList', 'Energy.Active.Import.Register', { valuesList: measurands, maxLimit: 500 }),
    aligned.rw('SendDuringIdle', 'boolean', 'false'),
    aligned.rw('TxEndedInterval', 'integer', '0', { ...seconds, minLimit: 0 }),
    aligned.rw('TxEndedMeasurands', 'MemberList', '', { valuesList: measurands, maxLimit: 500 }),

    tx.rw('EVConnectionTimeOut', 'integer', '60', { ...seconds, minLimit: 1 }),
    tx.ro('StopTxOnEVSideDisconnect', 'boolean', 'true'),
    tx.rw('StopTxOnInvalidId', 'boolean', 'true'),
    tx.rw('TxStartPoint', 'MemberList', 'EVConnected,Authorized', { valuesList: txPoints, minLimit: 1 }),
    tx.rw('TxStopPoint', 'MemberList', 'EVConnected,Authorized', { valuesList: txPoints, minLimit: 1 }),
    tx.ro('TxBeforeAcceptedEnabled', 'boolean', 'false'),

    clock.ro('DateTime', 'dateTime', '', { read: live.dateTime }),
    clock.ro('TimeSource', 'SequenceList', 'Heartbeat', { valuesList: 'Heartbeat' }),
    clock.rw('TimeAdjustmentReportingThreshold', 'integer', '20', { ...seconds, minLimit: 0 }),

    reservation.ro('Available', 'boolean', 'false'),
    reservation.ro('Enabled', 'boolean', 'false'),

    smart.ro('Available', 'boolean', 'false'),
    smart.ro('Enabled', 'boolean', 'false'),
  ];
}

const states = { valuesList: CONNECTOR_STATES };

function infrastructure(f: StationFacts, live: LiveReadings): VariableSpec[] {
  const station = on({ name: 'ChargingStation' });
  const specs: VariableSpec[] = [
    station.ro('Available', 'boolean', 'true'),
    station.ro('AvailabilityState', 'OptionList', '', { ...states, read: live.stationState }),
    station.ro('SupplyPhases', 'integer', '3'),
    station.ro('VendorName', 'string', f.vendor, { maxLimit: 50 }),
    station.ro('Model', 'string', f.model, { maxLimit: 20 }),
    station.ro('SerialNumber', 'string', f.serial, { maxLimit: 25 }),
    station.ro('FirmwareVersion', 'string', f.firmwareVersion, { maxLimit: 50 }),
  ];
  for (let id = 1; id <= f.evses; id += 1) {
    const evse = on({ name: 'EVSE', evse: { id } });
    specs.push(
      evse.ro('Available', 'boolean', 'true'),
      evse.ro('AvailabilityState', 'OptionList', '', { ...states, read: () => live.evseState(id) }),
      evse.ro('SupplyPhases', 'integer', '3'),
      // The operator may cap the power below what the hardware can do (MaxSet).
      evse.ro('Power', 'decimal', '', { unit: 'W', maxLimit: f.powerW, minLimit: 0, read: () => String(live.evsePowerW(id)), more: { MaxSet: String(f.powerW) } }),
      evse.ro('AllowReset', 'boolean', 'true'),
    );
    for (let connectorId = 1; connectorId <= f.connectorsPerEvse; connectorId += 1) {
      const connector = on({ name: 'Connector', evse: { id, connectorId } });
      specs.push(
        connector.ro('Available', 'boolean', 'true'),
        connector.ro('AvailabilityState', 'OptionList', '', { ...states, read: () => live.connectorState(id, connectorId) }),
        connector.ro('ConnectorType', 'string', 'sType2'),
        connector.ro('SupplyPhases', 'integer', '3'),
      );
    }
  }
  return specs;
}

export function standardVariables(facts: StationFacts, live: LiveReadings): VariableSpec[] {
  return [...infrastructure(facts, live), ...controllers(facts, live)];
}
