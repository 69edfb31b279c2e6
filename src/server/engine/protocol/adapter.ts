import type { ConfigurationReportItem } from '../../../api/contract.js';
import type { AnyChargePoint, OcppVersion } from '../../../ocpp/csms/charge-point.js';
import type { CallMap } from '../../../ocpp/rpc.js';
import type { StepContext } from '../step-context.js';
import type { Template, TestTransactionSettings } from '../templates.js';

/**
 * What the commissioning steps need from a charge point, said once; how it is done on the wire
 * is one module per OCPP version (ocpp16.ts, ocpp201.ts). The steps (steps/*.ts) say what they
 * check; the adapters never decide whether a step passes.
 */
export interface ProtocolAdapter {
  readonly version: OcppVersion;
  readonly boot: BootAdapter;
  readonly heartbeat: HeartbeatAdapter;
  readonly configuration: ConfigurationAdapter;
  readonly availability: AvailabilityAdapter;
  readonly transactions: TransactionAdapter;
  readonly firmware: FirmwareAdapter;
  readonly diagnostics: DiagnosticsAdapter;
}

export type Result<T> = ({ ok: true } & T) | { ok: false; detail: string };

/** A test transaction the charge point ended on its own (EV unplugged, a timeout, a fault), in both versions' words. */
export const endedByChargePoint = (transactionId: string, why: string): Result<never> => ({
  ok: false,
  detail: `The charge point ended transaction ${transactionId} itself before the test's end (${why})`,
});

export interface BootAdapter {
  /**
   * Makes sure the charge point has registered with us, asking for a BootNotification where the
   * version allows it; `note` says how, when it was not the plain way.
   */
  ensureBooted(ctx: StepContext): Promise<Result<{ note?: string }>>;
  /** A station kept Pending until configured: registers it now (asks it to boot again). */
  acceptPending(ctx: StepContext): Promise<Result<object>>;
}

export interface HeartbeatAdapter {
  /** Asks for a Heartbeat now: the charge point's answer ('Accepted', or why not). */
  trigger(ctx: StepContext): Promise<string>;
  /** Whether the charge point can be asked for messages at all (1.6: RemoteTrigger). */
  canTrigger(ctx: StepContext): Promise<boolean>;
  /** How often it beats on its own, in seconds, if it says. */
  interval(ctx: StepContext): Promise<number | null>;
}

/** One setting of a template, for the version at hand: a 1.6 key or a 2.0.1 variable. */
export interface Setting {
  /** How people name it: `HeartbeatInterval`, `OCPPCommCtrlr.HeartbeatInterval`, `EVSE[1].Power`. */
  name: string;
  value: string;
  required: boolean;
}

export interface PushResult {
  applied: string[];
  rejected: { name: string; reason: string }[];
  /** What each setting read back as, for those read back after setting them. */
  readBack: Map<string, string>;
  /** Settings whose values are never shown (a password): the report says that one was sent, not what. */
  writeOnly: string[];
}

export interface ConfigurationAdapter {
  /** What one setting is called in this version ("key", "variable"); the plural takes an s. */
  readonly singular: string;
  /** What the settings are called together ("configuration keys", "variables"). */
  readonly noun: string;
  /** The template's settings for this version; null when it has none for it. */
  settings(template: Template): Setting[] | null;
  /**
   * Sets the settings and checks what really changed: the answers, a reboot where one is needed,
   * and a read-back. The charge point's new password (a write-only setting) goes last.
   */
  push(ctx: StepContext, settings: Setting[]): Promise<PushResult>;
}

/** A connector, as the version addresses it, with the key its StatusNotifications are filed under. */
export interface ConnectorRef {
  key: string;
  /** "connector 2", "EVSE 1 connector 2" */
  label: string;
  /** "2", "1/2" */
  short: string;
}

/** What ChangeAvailability acts on: a 1.6 connector, a 2.0.1 EVSE with its connectors. */
export interface AvailabilityUnit {
  label: string;
  connectors: ConnectorRef[];
}

export interface ConnectorStatus {
  status: string;
  errorCode: string | null;
}

export interface AvailabilityAdapter {
  units(ctx: StepContext): Promise<AvailabilityUnit[]>;
  /** Asks for a connector's StatusNotification: the charge point's answer ('Accepted', or why not). */
  triggerStatus(ctx: StepContext, connector: ConnectorRef): Promise<string>;
  /** The key and status a StatusNotification reports, in the version's words. */
  read(request: unknown): ConnectorStatus & { key: string };
  /** Whether a connector in this status can be used (charged from, tested). */
  usable(status: ConnectorStatus): boolean;
  /** The status a connector reports once it is made inoperative, and once operative again. */
  readonly unavailable: string;
  readonly available: string;
  setOperative(ctx: StepContext, unit: AvailabilityUnit, operative: boolean): Promise<string>;
  /** For clean-ups: operative again, now, whatever the session's state. */
  restoreNow(ctx: StepContext, unit: AvailabilityUnit): Promise<unknown>;
}

export interface StartedTransaction {
  id: string;
  /** The energy register when it started, in Wh, if the charge point said. */
  meterStartWh: number | null;
}

export interface EndedTransaction {
  meterStopWh: number | null;
  /** Energy register readings it reported with its end, in Wh. */
  readings: number[];
}

export interface TransactionAdapter {
  /** Starts a transaction remotely and waits for the charge point to report it. */
  start(ctx: StepContext, settings: TestTransactionSettings): Promise<Result<{ transaction: StartedTransaction }>>;
  /** Listens for energy register readings (Wh) of the transaction; returns the removal. */
  onReadings(ctx: StepContext, transaction: StartedTransaction, listener: (wh: number[]) => void): () => void;
  /** Asks for meter values now; whether it agreed. */
  triggerReadings(ctx: StepContext, transaction: StartedTransaction, settings: TestTransactionSettings): Promise<boolean>;
  /** Stops it remotely and waits for the charge point to report its end. */
  stop(ctx: StepContext, transaction: StartedTransaction): Promise<Result<EndedTransaction>>;
  /** For clean-ups: stop it, now, whatever the session's state. */
  stopNow(ctx: StepContext, transaction: StartedTransaction): Promise<unknown>;
}

/** A charge point's full configuration as it reported it (1.6 GetConfiguration, 2.0.1 a base report). */
export interface ConfigurationReport {
  items: ConfigurationReportItem[];
}

/** Typed calls of one version's call map, through the step's gate-respecting call(). */
export function caller<M extends CallMap>(ctx: StepContext) {
  return {
    call: <A extends keyof M & string>(action: A, payload: M[A][0], options: { retry?: boolean; timeoutMs?: number } = {}): Promise<M[A][1]> =>
      ctx.call(action, payload, options) as Promise<M[A][1]>,
    now: <A extends keyof M & string>(action: A, payload: M[A][0]): Promise<M[A][1]> => ctx.callNow(action, payload) as Promise<M[A][1]>,
  };
}

/** What a firmware update asks of a charge point. */
export interface FirmwareOrder {
  /** Ours, to tell its notifications from an older update's (2.0.1 carries it; 1.6 has none). */
  requestId: number;
  location: string;
  retrieveAt: Date;
  signature?: string;
  signingCertificate?: string;
}

/** Where a FirmwareStatusNotification leaves an update. */
export type FirmwareStage = 'progress' | 'installed' | 'failed' | 'idle';

export interface FirmwareStatus {
  status: string;
  stage: FirmwareStage;
  /** False for a notification about another update than the one asked for. */
  ours: boolean;
}

/**
 * Firmware updates, outside any session: the calls go straight to the live connection (there is
 * no step, so no pause gate), and the notifications come to the updater as the server hears them.
 */
export interface FirmwareAdapter {
  /** Sends UpdateFirmware; `ok: false` says why the charge point did not take it. */
  update(cp: AnyChargePoint, order: FirmwareOrder): Promise<Result<object>>;
  read(notification: unknown, requestId: number): FirmwareStatus;
}

/** One version's FirmwareStatusNotification statuses by stage; the rest are progress. */
export function firmwareStatus(stages: { installed: readonly string[]; failed: readonly string[] }, status: string, ours: boolean): FirmwareStatus {
  const stage: FirmwareStage = stages.installed.includes(status) ? 'installed' : stages.failed.includes(status) ? 'failed' : status === 'Idle' ? 'idle' : 'progress';
  return { status, stage, ours };
}

/** Where a diagnostics (log) upload stands after one of its status notifications. */
export interface UploadStatus {
  status: string;
  stage: 'progress' | 'uploaded' | 'failed' | 'idle';
  ours: boolean;
}

/** The charger's own diagnostics file, uploaded to a URL we give it; outside sessions like firmware. */
export interface DiagnosticsAdapter {
  /** The notification that reports the upload (1.6 DiagnosticsStatusNotification, 2.0.1 LogStatusNotification). */
  readonly notification: string;
  /** Asks for the upload; the file name the charger said it will send, or why it will not. */
  request(cp: AnyChargePoint, order: { requestId: number; location: string }): Promise<Result<{ fileName: string | null }>>;
  read(notification: unknown, requestId: number): UploadStatus;
}
