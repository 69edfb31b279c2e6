import type { SimFaults, SimOptions } from './simulator.js';
import type { SimulatedStation } from './station.js';
import type { StationFaults, StationOptions } from './v201/options.js';

export type SimOcppVersion = '1.6' | '2.0.1';
export const SIM_OCPP_VERSIONS: readonly SimOcppVersion[] = ['1.6', '2.0.1'];

/**
 * Faults either version plays. Settings are 1.6 keys (`HeartbeatInterval`) or 2.0.1 variables
 * (`OCPPCommCtrlr.HeartbeatInterval`), whichever the station speaks.
 */
export interface CommonFaults
  extends Pick<
    SimFaults,
    'noTrigger' | 'refuseRemoteStart' | 'dropAfterS' | 'returnAfterS' | 'dropRepeatedly' | 'slowResponsesMs' | 'invalidPayloads' | 'noHeartbeats' | 'wrongPassword' | 'silentReconnect' | 'zeroEnergy' | 'firmwareFailure' | 'firmwareDropAtBytes' | 'diagnosticsFailure'
  > {
  /** Refused: Rejected. */
  rejectSettings?: readonly string[];
  /** Not known to this firmware: 1.6 NotSupported, 2.0.1 UnknownVariable; absent from reports. */
  unknownSettings?: readonly string[];
  /** Accepted but not changed (firmware that lies). */
  ignoreSettings?: readonly string[];
  /** Need a reboot: RebootRequired, applied at the next Reset. */
  rebootSettings?: readonly string[];
  /** 1.6 only: takes an AuthorizationKey as the text typed, not the bytes its hex encodes. */
  authorizationKeyAsText?: boolean;
  /** 2.0.1 only: components this firmware does not have (UnknownComponent). */
  unknownComponents?: readonly string[];
}

/** What both simulators take under the same name. */
type SharedOptions = Pick<SimOptions & StationOptions, 'url' | 'id' | 'password' | 'vendor' | 'model' | 'serial' | 'firmwareVersion' | 'powerW' | 'rebootDelayMs' | 'firmwareStepMs' | 'callTimeoutMs' | 'reconnect' | 'wsOptions'>;

export interface StationSpec extends SharedOptions {
  ocpp: SimOcppVersion;
  /** 1.6: connectors; 2.0.1: EVSEs of one connector each. */
  connectors?: number;
  /** 1.6: how long after a new AuthorizationKey it reconnects with it. */
  passwordSwitchDelayMs?: number;
  faults?: CommonFaults;
}

const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The version's own fault names for the common ones. */
export function faultsFor16(f: CommonFaults): SimFaults {
  const { rejectSettings, unknownSettings, ignoreSettings, rebootSettings, unknownComponents: _unknownComponents, ...shared } = f;
  return defined({ ...shared, rejectKeys: rejectSettings, unsupportedKeys: unknownSettings, ignoreKeys: ignoreSettings, rebootRequiredKeys: rebootSettings });
}

export function faultsFor201(f: CommonFaults): StationFaults {
  const { rejectSettings, unknownSettings, ignoreSettings, rebootSettings, authorizationKeyAsText: _asText, ...shared } = f;
  return defined({ ...shared, rejectVariables: rejectSettings, unknownVariables: unknownSettings, ignoreVariables: ignoreSettings, rebootRequiredVariables: rebootSettings });
}

/**
 * A simulated charge point of either version from one description: what the CLI's `sim`, the
 * demo and the tests start. The simulators themselves are loaded only when one is made.
 */
export async function createStation(spec: StationSpec): Promise<SimulatedStation> {
  const { ocpp, connectors, faults = {}, passwordSwitchDelayMs, ...common } = spec;
  if (ocpp === '1.6') {
    const { SimulatedChargePoint } = await import('./simulator.js');
    return new SimulatedChargePoint({ ...defined(common), url: spec.url, id: spec.id, ...defined({ connectors, passwordSwitchDelayMs }), faults: faultsFor16(faults) });
  }
  const { SimulatedStation201 } = await import('./v201/station.js');
  return new SimulatedStation201({ ...defined(common), url: spec.url, id: spec.id, ...defined({ evses: connectors }), faults: faultsFor201(faults) });
}
