import { EventEmitter, once } from 'node:events';
import type { ChargePointClient } from '../../ocpp/cp/client.js';
import { RpcViolation } from '../../ocpp/errors.js';
import type { CsCalls201, CsmsCalls201 } from '../../ocpp/ocpp201.js';
import type * as T from '../../ocpp/ocpp201.js';
import type { Handler } from '../../ocpp/rpc.js';
import type { SimulatedStation, StoppedTransaction } from '../station.js';
import { Authorization } from './authorization.js';
import { StationClock } from './clock.js';
import { DeviceModel, faultName, type VariableSpec } from './device-model.js';
import { ConnectorStatuses } from './connector-statuses.js';
import { CsmsLink } from './csms-link.js';
import { type ConnectorStatus, Evses } from './evses.js';
import { versionAfter } from '../http-transfer.js';
import { FirmwareUpdates, LogUploads, StationTransfer, type TransferDeps } from './file-transfers.js';
import { Heartbeat } from './heartbeat.js';
import { enforceMessageLimits } from './message-limits.js';
import { NetworkProfiles } from './network-profiles.js';
import type { StationFaults, StationOptions } from './options.js';
import { ReportSender } from './report-sender.js';
import { baseReport, customReport } from './reports.js';
import { Resets } from './resets.js';
import { measures, meterValue } from './sampled-values.js';
import { SecurityEvents, type SecurityEventType } from './security-events.js';
import { type LiveReadings, stationFacts, standardVariables } from './standard-variables.js';
import { type Cancel, Timers } from './timers.js';
import type { Transaction } from './transaction.js';
import { TransactionControl } from './transaction-control.js';
import { TransactionQueue } from './transaction-queue.js';
import { decideTrigger, type Triggerable } from './triggers.js';
import { getVariables, setVariables } from './variable-requests.js';

export interface StoppedTransaction201 extends StoppedTransaction {
  readonly id: string;
  readonly evseId: number;
  readonly connectorId: number;
}

export interface Station201Events {
  log: [line: string];
  booted: [T.BootNotificationResponse];
  connected: [];
  disconnected: [code: number, reason: string];
  status: [evseId: number, status: ConnectorStatus, connectorId: number];
  transactionStarted: [Transaction];
  transactionStopped: [StoppedTransaction201];
}

type Registration = T.RegistrationStatusEnumType;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const BEFORE_ACCEPTANCE: ReadonlySet<keyof CsmsCalls201> = new Set([
  'GetVariables',
  'SetVariables',
  'GetBaseReport',
  'GetReport',
  'TriggerMessage',
  'RequestStartTransaction',
  'RequestStopTransaction',
] as const);

/** Retry after a BootNotification that got no answer, or an interval of 0 (B02.FR.07, B03.FR.05). */
const OWN_BOOT_RETRY_S = 30;
const UNANSWERED_BOOT_RETRY_MS = 5000;

/**
 * A simulated OCPP 2.0.1 charging station: a device model with the standard controllers,
 * EVSEs and connectors with a status model, an energy meter per EVSE, transactions started and
 * stopped remotely as TxStartPoint/TxStopPoint say, TransactionEvents delivered in order and
 * queued while offline, reports, TriggerMessage, availability, Reset with reconnect, log and
 * firmware status sequences, security events, and selectable faults.
 */
export class SimulatedStation201 extends EventEmitter<Station201Events> implements SimulatedStation {
  readonly model: DeviceModel;
  readonly evses: Evses;
  readonly security: SecurityEvents;
  private readonly faults: StationFaults;
  private readonly chargingStation: T.ChargingStationType;
  private readonly timers = new Timers();
  private readonly clock = new StationClock();
  private readonly queue: TransactionQueue;
  private readonly authorization: Authorization;
  private readonly control: TransactionControl;
  private readonly profiles: NetworkProfiles;
  private readonly link: CsmsLink;
  private readonly logs: LogUploads;
  private readonly firmware: FirmwareUpdates;
  private readonly statuses: ConnectorStatuses;
  private readonly heartbeats: Heartbeat;
  private readonly reports: ReportSender;
  private readonly resets: Resets;
  /** The answer to the last BootNotification of this power cycle; null before one came. */
  private registration: Registration | null = null;
  private bootReason: T.BootReasonEnumType = 'PowerUp';
  private poweredOn = false;
  private rebooting = false;
  /** silentReconnect: reconnected, and says nothing until the CSMS triggers a message. */
  private silent = false;
  private connections = 0;
  private offlineSince = 0;
  private bootRetry: Cancel | null = null;
  private aligned: Cancel[] = [];

  constructor(readonly options: StationOptions) {
    super();
    this.faults = options.faults ?? {};
    const facts = stationFacts(options);
    const { vendor, model, serial, firmwareVersion } = facts;
    this.chargingStation = { vendorName: vendor, model, serialNumber: serial, firmwareVersion };
    this.evses = new Evses(facts.evses, facts.connectorsPerEvse, facts.powerW, this.faults.zeroEnergy ?? false);
    this.model = new DeviceModel(standardVariables(facts, this.readings()), this.faults);
    this.model.onChange((spec) => this.variableChanged(spec));
    this.profiles = new NetworkProfiles(this.model, {
      ocppVersion: 'OCPP20',
      ocppTransport: 'JSON',
      ocppCsmsUrl: options.url,
      messageTimeout: facts.messageTimeoutS,
      securityProfile: facts.securityProfile,
      ocppInterface: 'Wired0',
    });
    this.link = new CsmsLink(this.profiles, this.model, {
      id: options.id,
      password: this.faults.wrongPassword ? `${options.password ?? ''}-wrong` : options.password,
      reconnect: facts.reconnect,
      validateOutgoing: !this.faults.invalidPayloads,
      wsOptions: options.wsOptions,
    });
    this.link.on('open', () => this.onOpen());
    this.link.on('close', (code, reason) => this.onClose(code, reason));
    this.link.on('refused', (status, body) => this.log(`connection refused: ${status} ${body}`));
    this.link.on('switched', (slot) => this.log(`connecting with the network profile in slot ${slot}`));

    this.security = new SecurityEvents(async (event) => (await this.send('SecurityEventNotification', event)) !== null);
    this.heartbeats = new Heartbeat(
      this.timers,
      () => (this.faults.noHeartbeats ? 0 : this.model.int('OCPPCommCtrlr', 'HeartbeatInterval')),
      () => void this.heartbeat(false),
    );
    this.statuses = new ConnectorStatuses(this.evses, {
      send: (request, asked) => this.send('StatusNotification', request, asked),
      changed: (connector, status) => this.emit('status', connector.evseId, status, connector.id),
      now: () => this.clock.iso(),
    });
    this.reports = new ReportSender({
      model: this.model,
      send: (request) => this.send('NotifyReport', request, true),
      afterReply: (fn) => this.timers.afterReply(fn),
      now: () => this.clock.iso(),
    });
    this.queue = new TransactionQueue({
      deliver: (request) => this.call('TransactionEvent', request),
      policy: () => ({
        attempts: this.model.int('OCPPCommCtrlr', 'MessageAttempts', 'TransactionEvent'),
        intervalS: this.model.int('OCPPCommCtrlr', 'MessageAttemptInterval', 'TransactionEvent'),
      }),
      delivered: (request, response) => this.control.delivered(request, response),
      later: (ms, fn) => this.timers.later(ms, fn),
      log: (line) => this.log(line),
    });
    this.authorization = new Authorization(this.model, (idToken) => this.send('Authorize', { idToken }));
    this.control = new TransactionControl({
      model: this.model,
      evses: this.evses,
      authorization: this.authorization,
      queue: this.queue,
      timers: this.timers,
      now: () => this.clock.now(),
      statusChanged: () => this.statuses.refresh(),
      sendMeterValues: (evse, value) => void this.send('MeterValues', { evseId: evse.id, meterValue: [value] }),
      started: (transaction) => this.emit('transactionStarted', transaction),
      stopped: (transaction, meterStopWh) => this.transactionEnded(transaction, meterStopWh),
      log: (line) => this.log(line),
    });
    const transferDeps: TransferDeps = {
      transfer: new StationTransfer(
        () => this.model.value('OCPPCommCtrlr', 'FileTransferProtocols'),
        (ms) => this.wait(ms),
        () => ({
          ...(options.faults?.firmwareDropAtBytes !== undefined && { dropAtBytes: options.faults.firmwareDropAtBytes }),
          corrupt: options.faults?.firmwareFailure === 'checksum',
        }),
      ),
      wait: (ms) => this.wait(ms),
      stepMs: options.firmwareStepMs ?? 500,
      now: () => this.clock.now(),
      log: (line) => this.log(line),
      ...(options.faults?.diagnosticsFailure && { uploadFails: true }),
    };
    this.logs = new LogUploads(transferDeps, (request) => this.send('LogStatusNotification', request));
    this.firmware = new FirmwareUpdates(
      {
        ...transferDeps,
        installWhenIdle: (install) => this.resets.runWhenIdle(install),
        reboot: (image) => {
          if (image && options.faults?.firmwareFailure !== 'old-version') this.chargingStation.firmwareVersion = versionAfter(image, this.chargingStation.firmwareVersion ?? '');
          void this.reboot('FirmwareUpdate');
        },
        ...(options.faults?.firmwareFailure && { failure: options.faults.firmwareFailure }),
        securityEvent: (type) => this.raise(type),
      },
      (request) => this.send('FirmwareStatusNotification', request),
    );
    this.resets = new Resets({
      evses: this.evses,
      timers: this.timers,
      installing: () => this.firmware.installing,
      reboot: (reason) => void this.reboot(reason),
      endNow: (evse) => this.control.endNow(evse),
      statusChanged: () => this.statuses.refresh(),
      rebootDelayMs: options.rebootDelayMs ?? 1000,
    });
    this.installHandlers();
  }

  readonly ocppVersion = '2.0.1' as const;

  get id(): string {
    return this.options.id;
  }

  /** The connection in use (it changes when the station moves to another network profile). */
  get client(): ChargePointClient<CsCalls201, CsmsCalls201> {
    return this.link.client;
  }

  /** Connected, accepted by the CSMS, and talking. */
  get isBooted(): boolean {
    return this.client.connected && this.registration === 'Accepted' && !this.silent;
  }

  status(evseId: number, connectorId = 1): ConnectorStatus | undefined {
    const connector = this.evses.connector(evseId, connectorId);
    return connector ? this.evses.status(connector) : undefined;
  }

  transaction(evseId: number): Transaction | null {
    return this.evses.evse(evseId)?.transaction ?? null;
  }

  meterWh(evseId: number): number {
    return this.evses.evse(evseId)?.meter.readWh() ?? 0;
  }

  setting(name: string): string | undefined {
    const m = /^([^.[\]]+)\.([^.[\]]+)(?:\[([^\]]+)\])?$/.exec(name);
    if (!m) return undefined;
    return this.model.spec(m[1]!, m[2]!, m[3]) ? this.model.value(m[1]!, m[2]!, m[3]) : undefined;
  }

  /** Powers on, connects, and resolves once the BootNotification is accepted. */
  async start(): Promise<void> {
    const booted = new Promise<void>((resolve) => this.once('booted', () => resolve()));
    await this.connect();
    await booted;
  }

  /** Powers on and connects without waiting for the boot. */
  connect(): Promise<void> {
    if (!this.poweredOn) {
      this.poweredOn = true;
      this.timers.resume();
      this.raise('StartupOfTheDevice');
    }
    return this.client.connect();
  }

  /** Powers off: the next connect() is a power-up, with a BootNotification (reason PowerUp). */
  stop(): void {
    this.poweredOn = false;
    this.registration = null;
    this.bootReason = 'PowerUp';
    this.silent = false;
    this.timers.stop();
    this.heartbeats.cancel();
    this.client.close(1000, 'simulator stopped');
  }

  /** The device-model variables whose Actual value is measured. */
  private readings(): LiveReadings {
    return {
      stationState: () => this.evses.stationStatus(),
      evseState: (id) => this.evses.evseStatus(this.evses.evse(id)!),
      connectorState: (id, connectorId) => this.evses.status(this.evses.connector(id, connectorId)!),
      evsePowerW: (id) => {
        const meter = this.evses.evse(id)!.meter;
        return meter.running ? meter.powerW : 0;
      },
      dateTime: () => this.clock.iso(),
      activeNetworkProfile: () => String(this.link.activeSlot),
    };
  }

  private log(line: string): void {
    this.emit('log', line);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.later(ms, resolve));
  }

  // ---- connection ----

  private onOpen(): void {
    this.connections += 1;
    this.emit('connected');
    const { dropAfterS, returnAfterS, dropRepeatedly } = this.faults;
    if (dropAfterS !== undefined && (this.connections === 1 || dropRepeatedly)) {
      this.timers.later(dropAfterS * 1000, () => this.dropLink(returnAfterS));
    }
    if (this.rebooting || this.registration !== 'Accepted') {
      this.rebooting = false;
      void this.boot(this.bootReason);
      return;
    }
    // A reconnect is not a reboot: no BootNotification, the state goes on (B04).
    if (this.faults.silentReconnect) {
      this.silent = true;
      this.log('reconnected; staying silent until the CSMS triggers a message');
      return;
    }
    const offlineS = (Date.now() - this.offlineSince) / 1000;
    this.goOnline(offlineS > this.model.int('OCPPCommCtrlr', 'OfflineThreshold'));
  }

  private onClose(code: number, reason: string): void {
    this.offlineSince = Date.now();
    this.queue.goOffline();
    this.heartbeats.cancel();
    this.emit('disconnected', code, reason);
    if (this.poweredOn) this.log(`connection closed (${code}${reason ? ` ${reason}` : ''})`);
  }

  private dropLink(returnAfterS: number | undefined): void {
    this.log(returnAfterS === undefined ? 'dropping the connection for good' : `dropping the connection for ${returnAfterS} s`);
    this.client.drop(false);
    if (returnAfterS !== undefined) this.timers.later(returnAfterS * 1000, () => void this.client.connect().catch(() => undefined));
  }

  /** Online and accepted: heartbeats, statuses (all, or those that changed: B01.FR.05, B04), queued messages. */
  private goOnline(allStatuses: boolean): void {
    this.silent = false;
    this.heartbeats.arm();
    this.statuses.resume(allStatuses);
    this.queue.goOnline();
    void this.security.flush();
  }

  // ---- registration (B01-B03) ----

  private async boot(reason: T.BootReasonEnumType): Promise<void> {
    this.bootRetry?.();
    this.bootRetry = null;
    const response = await this.send('BootNotification', { reason, chargingStation: this.chargingStation });
    if (!response) {
      if (this.client.connected) this.bootRetry = this.timers.later(UNANSWERED_BOOT_RETRY_MS, () => void this.boot(reason));
      return;
    }
    this.registration = response.status;
    this.syncClock(response.currentTime);
    if (response.status !== 'Accepted') {
      const retryS = response.interval > 0 ? response.interval : OWN_BOOT_RETRY_S;
      this.log(`BootNotification ${response.status}; retrying in ${retryS} s`);
      this.bootRetry = this.timers.later(retryS * 1000, () => void this.boot(reason));
      return;
    }
    // B01.FR.04: the heartbeat interval the CSMS gives.
    if (response.interval > 0) this.model.update('OCPPCommCtrlr', 'HeartbeatInterval', String(response.interval));
    this.log(`booted (${reason}; heartbeat every ${this.model.int('OCPPCommCtrlr', 'HeartbeatInterval')} s)`);
    this.emit('booted', response);
    this.startAligned();
    this.goOnline(true);
    await this.firmware.booted();
  }

  /** B01.FR.08, B02.FR.02, B03.FR.02: what the station may send now. */
  private may(action: keyof CsCalls201, asked: boolean): boolean {
    if (action === 'BootNotification') return true;
    if (this.registration === 'Accepted') return !this.silent || asked;
    return this.registration === 'Pending' && asked;
  }

  // ---- sending ----

  /**
   * Every call goes out here: heartbeat timer re-armed (G02.FR.05), payload corrupted on request
   * (all but the BootNotification, or the fault would only ever show a station that never boots).
   */
  private call<A extends keyof CsCalls201 & string>(action: A, payload: CsCalls201[A][0]): Promise<CsCalls201[A][1]> {
    this.heartbeats.touch();
    return this.client.call(action, action === 'BootNotification' ? payload : this.corrupt(payload));
  }

  /**
   * Sends if the station may (`asked`: the CSMS asked for it by TriggerMessage or a report
   * request); failures are logged, never thrown: firmware keeps running.
   */
  private async send<A extends keyof CsCalls201 & string>(action: A, payload: CsCalls201[A][0], asked = false): Promise<CsCalls201[A][1] | null> {
    if (!this.may(action, asked)) {
      this.log(`${action} not sent: ${this.registration === null ? 'not registered' : this.silent ? 'silent' : this.registration}`);
      return null;
    }
    try {
      return await this.call(action, payload);
    } catch (err) {
      this.log(`${action} failed: ${(err as Error).message}`);
      return null;
    }
  }

  private corrupt<P>(payload: P): P {
    return this.faults.invalidPayloads ? ({ ...payload, simulatorFault: true } as P) : payload;
  }

  private syncClock(csmsTime: string): void {
    const movedS = this.clock.sync(csmsTime);
    const threshold = this.model.int('ClockCtrlr', 'TimeAdjustmentReportingThreshold');
    if (threshold > 0 && movedS > threshold) this.raise('SettingSystemTime', `clock moved ${Math.round(movedS)} s`);
  }

  private raise(type: SecurityEventType, techInfo?: string): void {
    this.security.raise(type, this.clock.now(), techInfo);
    if (this.isBooted) void this.security.flush();
  }

  // ---- heartbeat (G02) ----

  private async heartbeat(asked: boolean): Promise<void> {
    if (this.faults.noHeartbeats) return;
    const response = await this.send('Heartbeat', {}, asked);
    if (response) this.syncClock(response.currentTime);
    if (!this.heartbeats.armed && this.isBooted) this.heartbeats.arm();
  }

  // ---- meter values outside transactions (J01) ----

  private startAligned(): void {
    for (const cancel of this.aligned.splice(0)) cancel();
    if (!this.model.bool('AlignedDataCtrlr', 'Enabled')) return;
    const interval = this.model.int('AlignedDataCtrlr', 'Interval');
    const clock = (): number => this.clock.now().getTime();
    if (interval > 0) this.aligned.push(this.timers.aligned(interval, (at) => this.control.clockAligned(at), clock));
    const ended = this.model.int('AlignedDataCtrlr', 'TxEndedInterval');
    if (ended > 0) this.aligned.push(this.timers.aligned(ended, (at) => this.control.clockAlignedForEnded(at), clock));
  }

  // ---- transactions ----

  private transactionEnded(transaction: Transaction, meterStopWh: number): void {
    this.emit('transactionStopped', {
      id: transaction.id,
      evseId: transaction.evseId,
      connectorId: transaction.connectorId,
      meterStartWh: transaction.meterStartWh,
      meterStopWh,
      reason: transaction.stoppedReason ?? 'Local',
    });
    // Leave the Ended message and the EV's departure to go out first.
    this.timers.later(0, () => this.resets.transactionEnded());
  }

  // ---- reboot (B11, B12) ----

  private async reboot(reason: T.BootReasonEnumType): Promise<void> {
    this.log(`rebooting (${reason})`);
    for (const evse of this.evses.all) this.control.endNow(evse);
    // B12.FR.04/05: Ended goes out before the reboot if it can; what cannot waits in the queue.
    await this.queue.drained(this.options.callTimeoutMs ?? 30_000);
    for (const cancel of this.aligned.splice(0)) cancel();
    this.bootRetry?.();
    this.bootRetry = null;
    this.rebooting = true;
    this.registration = null;
    this.bootReason = reason;
    this.raise('ResetOrReboot', reason);
    this.client.close(1012, 'rebooting');
    this.timers.later(this.options.rebootDelayMs ?? 1000, () => {
      this.model.applyPending();
      for (const evse of this.evses.all) evse.resetPending = false;
      this.link.takePriority();
      void this.client.connect().catch(() => undefined);
    });
  }

  // ---- device model ----

  private variableChanged(spec: VariableSpec): void {
    switch (faultName(spec)) {
      case 'OCPPCommCtrlr.HeartbeatInterval':
        this.heartbeats.touch();
        break;
      case 'SampledDataCtrlr.TxUpdatedInterval':
      case 'SampledDataCtrlr.TxEndedInterval':
        this.control.restartSamplers();
        break;
      case 'AlignedDataCtrlr.Enabled':
      case 'AlignedDataCtrlr.Interval':
      case 'AlignedDataCtrlr.TxEndedInterval':
        if (this.aligned.length > 0 || this.isBooted) this.startAligned();
        break;
      case 'SecurityCtrlr.BasicAuthPassword':
        this.passwordChanged();
        break;
    }
  }

  /** A01: answer Accepted, disconnect (keeping queued messages), connect with the new password. */
  private passwordChanged(): void {
    // A01.FR.11/12: logged as a security event, without the password.
    this.raise('ReconfigurationOfSecurityParameters', 'SecurityCtrlr.BasicAuthPassword changed');
    this.link.setPassword(this.model.value('SecurityCtrlr', 'BasicAuthPassword'));
    // Applied by a reboot (a RebootRequired fault), it is simply the password the reboot connects with.
    if (this.client.connected) this.timers.afterReply(() => this.reconnect('new BasicAuthPassword'));
  }

  /** Disconnects (keeping queued messages) and connects again: the new credentials are used. */
  private async reconnect(reason: string): Promise<void> {
    this.log(`${reason}; reconnecting`);
    if (this.client.connected) {
      const closed = once(this.client, 'close');
      this.client.close(1000, reason);
      await closed;
    }
    if (this.poweredOn) await this.client.connect().catch(() => undefined);
  }

  // ---- handlers ----

  private handle<A extends keyof CsmsCalls201 & string>(action: A, handler: Handler<CsmsCalls201[A][0], CsmsCalls201[A][1]>): void {
    this.link.handle(action, async (payload, ctx) => {
      if (!this.answers(action, payload)) {
        throw new RpcViolation('SecurityError', `${action} is not accepted before the CSMS accepted this station`);
      }
      if (this.faults.slowResponsesMs) await sleep(this.faults.slowResponsesMs);
      return this.corrupt(await handler(payload, ctx));
    });
  }

  /**
   * What a station not yet accepted answers (as libocpp reads B02.FR.01 and B03.FR.08): while
   * Pending the configuration and report requests, TriggerMessage, and remote start/stop (to
   * reject them, B02.FR.05); while Rejected only a triggered BootNotification. The rest gets a
   * CALLERROR SecurityError.
   */
  private answers(action: keyof CsmsCalls201, payload: unknown): boolean {
    if (this.registration === 'Accepted') return true;
    if (this.registration === 'Rejected') {
      return action === 'TriggerMessage' && (payload as T.TriggerMessageRequest).requestedMessage === 'BootNotification';
    }
    return BEFORE_ACCEPTANCE.has(action);
  }

  /** B02.FR.05: no remote transaction control before acceptance. */
  private get notAccepted(): { status: 'Rejected'; statusInfo: T.StatusInfoType } | null {
    return this.registration === 'Accepted' ? null : { status: 'Rejected', statusInfo: { reasonCode: 'CSNotAccepted' } };
  }

  private installHandlers(): void {
    const afterReply = (fn: () => void | Promise<void>): void => this.timers.afterReply(fn);
    this.handle('GetBaseReport', (req) => this.reports.start(req.requestId, baseReport(this.model, req.reportBase)));
    this.handle('GetReport', (req, ctx) => {
      enforceMessageLimits(this.model, 'GetReport', { id: ctx.id, payload: req }, req.componentVariable?.length ?? 0);
      return this.reports.start(req.requestId, customReport(this.model, req));
    });
    this.handle('GetVariables', (req, ctx) => {
      enforceMessageLimits(this.model, 'GetVariables', { id: ctx.id, payload: req }, req.getVariableData.length);
      return getVariables(this.model, req);
    });
    this.handle('SetVariables', (req, ctx) => {
      enforceMessageLimits(this.model, 'SetVariables', { id: ctx.id, payload: req }, req.setVariableData.length);
      return setVariables(this.model, req);
    });
    this.handle('SetNetworkProfile', (req) => {
      const response = this.profiles.set(req);
      if (response.status === 'Accepted') this.raise('ReconfigurationOfSecurityParameters', `network profile in slot ${req.configurationSlot}`);
      return response;
    });
    this.handle('TriggerMessage', (req) => {
      if (this.faults.noTrigger) return { status: 'NotImplemented' };
      const decision = decideTrigger(req, this.triggerable());
      const send = decision.send;
      if (send) {
        afterReply(async () => {
          await send();
          if (this.silent) this.goOnline(false);
        });
      }
      return decision.response;
    });
    this.handle('RequestStartTransaction', (req) => {
      if (this.notAccepted) return this.notAccepted;
      if (this.faults.refuseRemoteStart) return { status: 'Rejected' };
      return this.control.requestStart(req, afterReply);
    });
    this.handle('RequestStopTransaction', (req) => this.notAccepted ?? this.control.requestStop(req, afterReply));
    this.handle('GetTransactionStatus', (req) => this.control.transactionStatus(req));
    this.handle('ChangeAvailability', (req) => {
      const response = this.evses.changeAvailability(req);
      if (response.status !== 'Rejected') afterReply(() => this.statuses.refresh());
      return response;
    });
    this.handle('UnlockConnector', (req) => {
      const connector = this.evses.connector(req.evseId, req.connectorId);
      if (!connector) return { status: 'UnknownConnector' };
      // F05.FR.02: never while an authorized transaction runs there.
      if (this.evses.evse(req.evseId)!.transaction) return { status: 'OngoingAuthorizedTransaction' };
      return { status: 'Unlocked' };
    });
    this.handle('Reset', (req) => this.resets.request(req));
    this.handle('ClearCache', () => this.authorization.clear());
    this.handle('DataTransfer', () => ({ status: 'UnknownVendorId' }));
    // H01.FR.01: a station that takes no reservations (ReservationCtrlr.Available false) says Rejected.
    this.handle('ReserveNow', () => ({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest' } }));
    this.handle('CancelReservation', () => ({ status: 'Rejected', statusInfo: { reasonCode: 'NotFound' } }));
    this.handle('GetLog', (req) => this.logs.start(req, afterReply));
    this.handle('UpdateFirmware', (req) => this.firmware.start(req, afterReply));
  }

  private triggerable(): Triggerable {
    return {
      evses: this.evses,
      accepted: this.registration === 'Accepted',
      measures: measures(this.model.value('AlignedDataCtrlr', 'Measurands')),
      boot: () => this.boot('Triggered'),
      heartbeat: () => this.heartbeat(true),
      statusNotification: (connector) => this.statuses.report(connector, true),
      meterValues: async (evses) => {
        for (const evse of evses) {
          const value = meterValue(evse, this.model.value('AlignedDataCtrlr', 'Measurands'), 'Trigger', this.clock.now());
          if (value) await this.send('MeterValues', { evseId: evse.id, meterValue: [value] }, true);
        }
      },
      transactionEvents: async (evses) => this.control.triggered(evses),
      logStatus: async () => void (await this.send('LogStatusNotification', this.logs.triggered, true)),
      firmwareStatus: async () => void (await this.send('FirmwareStatusNotification', this.firmware.triggered, true)),
    };
  }
}
