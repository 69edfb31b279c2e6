/**
 * What every simulated charging station offers, whatever OCPP version it speaks, so the CLI and
 * tests can drive a 1.6 charge point and a 2.0.1 charging station alike.
 *
 * Where the versions differ the interface takes the 2.0.1 view: an EVSE holds connectors. A 1.6
 * connector is an EVSE with one connector, so for 1.6 `evseId` is the connectorId and no
 * connectorId is reported.
 */
import type { EventEmitter } from 'node:events';

export interface StationTransaction {
  /** 1.6: the Central System's number; 2.0.1: the station's own id. */
  readonly id: string | number;
  readonly meterStartWh: number;
}

export interface StoppedTransaction extends StationTransaction {
  readonly meterStopWh: number;
  /** Why it ended, in the version's own words (1.6 Reason, 2.0.1 stoppedReason). */
  readonly reason: string;
}

export interface StationEvents {
  log: [line: string];
  booted: [response: { status: string; interval: number }];
  connected: [];
  disconnected: [code: number, reason: string];
  status: [evseId: number, status: string, connectorId?: number];
  transactionStarted: [transaction: StationTransaction];
  transactionStopped: [transaction: StoppedTransaction];
}

export interface SimulatedStation extends EventEmitter<StationEvents> {
  readonly id: string;
  readonly ocppVersion: '1.6' | '2.0.1';
  readonly client: RawLink;
  readonly isBooted: boolean;
  /** Connects and resolves once the BootNotification is accepted. */
  start(): Promise<void>;
  /** Connects without waiting for the boot. */
  connect(): Promise<void>;
  stop(): void;
  status(evseId: number, connectorId?: number): string | undefined;
  transaction(evseId: number): StationTransaction | null;
  meterWh(evseId: number): number;
  /**
   * The value it holds for a setting, named as templates name it: a 1.6 key (`HeartbeatInterval`)
   * or a 2.0.1 top-level variable (`OCPPCommCtrlr.HeartbeatInterval`, `…ItemsPerMessage[GetVariables]`).
   */
  setting(name: string): string | undefined;
}

/** The connection underneath, for tests and tools that send raw frames or cut the link. */
export interface RawLink {
  readonly connected: boolean;
  sendRaw(text: string): void;
  drop(reconnect?: boolean): void;
  connect(): Promise<void>;
  on(event: 'frame', listener: (direction: 'in' | 'out', text: string, at: number) => void): unknown;
}
