import type WebSocket from 'ws';
import type { ReconnectPolicy } from '../../ocpp/cp/client.js';
import type { SimFaults } from '../simulator.js';

/**
 * Device-model faults. A variable is named `Component.Variable` (any instance, any EVSE), a
 * component by its name, e.g. `TxCtrlr.EVConnectionTimeOut`, `ReservationCtrlr`.
 */
export interface DeviceModelFaults {
  /** Variables SetVariables refuses: Rejected. */
  rejectVariables?: readonly string[];
  /** Components this firmware does not have: UnknownComponent, and absent from every report. */
  unknownComponents?: readonly string[];
  /** Variables it does not have: UnknownVariable, and absent from every report. */
  unknownVariables?: readonly string[];
  /** Variables it answers Accepted for but does not change (firmware that lies). */
  ignoreVariables?: readonly string[];
  /** Variables that need a reboot: RebootRequired, applied at the next Reset. */
  rebootRequiredVariables?: readonly string[];
}

/** The 1.6 simulator's faults that mean the same for 2.0.1, plus the device-model ones. */
export interface StationFaults
  extends DeviceModelFaults,
    Pick<
      SimFaults,
      | 'refuseRemoteStart'
      | 'dropAfterS'
      | 'returnAfterS'
      | 'dropRepeatedly'
      | 'slowResponsesMs'
      | 'invalidPayloads'
      | 'noHeartbeats'
      | 'wrongPassword'
      | 'silentReconnect'
      | 'zeroEnergy'
      | 'firmwareFailure'
      | 'firmwareDropAtBytes'
      | 'diagnosticsFailure'
    > {
  /** Firmware without remote trigger: every TriggerMessage is answered NotImplemented. */
  noTrigger?: boolean;
}

export interface StationOptions {
  /** CSMS URL without the identity, e.g. ws://127.0.0.1:9000/ocpp */
  url: string;
  id: string;
  /** Security profile 1/2 Basic-auth password (SecurityCtrlr.BasicAuthPassword). */
  password?: string;
  evses?: number;
  connectorsPerEvse?: number;
  vendor?: string;
  model?: string;
  serial?: string;
  firmwareVersion?: string;
  /** Charging power of each EVSE while energy flows (EVSE.Power maxLimit). */
  powerW?: number;
  /** Time a reboot takes before the station reconnects. */
  rebootDelayMs?: number;
  /** The pause between firmware update statuses. */
  firmwareStepMs?: number;
  callTimeoutMs?: number;
  reconnect?: ReconnectPolicy | null;
  faults?: StationFaults;
  wsOptions?: WebSocket.ClientOptions;
}
