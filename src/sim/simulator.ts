import { EventEmitter, once } from 'node:events';
import { ChargePointClient, type ReconnectPolicy } from '../ocpp/cp/client.js';
import type * as T from '../ocpp/ocpp16.js';
import type { CpCalls16, CsmsCalls16 } from '../ocpp/ocpp16.js';
import { RpcViolation } from '../ocpp/errors.js';
import type { Handler } from '../ocpp/rpc.js';
import type WebSocket from 'ws';
import { type ConfigFaults, ConfigStore } from './config-store.js';
import { Firmware16 } from './firmware16.js';
import { diagnosticsFile, uploadFile } from './http-transfer.js';
import type { FirmwareFailure } from './http-transfer.js';
import { Meter } from './meter.js';
import type { SimulatedStation } from './station.js';

export interface SimFaults extends ConfigFaults {
  /** No RemoteTrigger profile: TriggerMessage is answered with CALLERROR NotSupported. */
  noTrigger?: boolean;
  /** RemoteStartTransaction is answered Rejected. */
  refuseRemoteStart?: boolean;
  /** Drop the connection (no closing handshake) this many seconds after it opens. */
  dropAfterS?: number;
  /** Come back this many seconds after a drop; undefined stays away. */
  returnAfterS?: number;
  /** Drop every connection, not only the first. */
  dropRepeatedly?: boolean;
  /** Delay every answer to the Central System. */
  slowResponsesMs?: number;
  /** Answers and notifications carry a field their schema does not allow. */
  invalidPayloads?: boolean;
  /** Never send a Heartbeat, not even when triggered. */
  noHeartbeats?: boolean;
  /** Present a wrong Basic-auth password. */
  wrongPassword?: boolean;
  /** After a network reconnect, send no BootNotification and stay silent until triggered. */
  silentReconnect?: boolean;
  /** The meter does not advance (0 Wh transactions). */
  zeroEnergy?: boolean;
  /** Where a firmware update fails (http-transfer.ts). */
  firmwareFailure?: FirmwareFailure;
  /** Cut the firmware download after this many bytes, then resume it with a byte range. */
  firmwareDropAtBytes?: number;
  /** The diagnostics upload fails (UploadFailed). */
  diagnosticsFailure?: boolean;
}

export interface SimOptions {
  /** Central System URL without the identity, e.g. ws://127.0.0.1:9000/ocpp */
  url: string;
  id: string;
  password?: string;
  connectors?: number;
  vendor?: string;
  model?: string;
  serial?: string;
  firmwareVersion?: string;
  meterType?: string;
  /** Charging power while a transaction runs. */
  powerW?: number;
  /** Time a Reset takes before the charge point reconnects. */
  rebootDelayMs?: number;
  /** The pause between firmware update (and diagnostics upload) statuses. */
  firmwareStepMs?: number;
  /**
   * Time between accepting a new AuthorizationKey and reconnecting with it (firmware finishing
   * what it was doing first); by default it reconnects as soon as its answer is out.
   */
  passwordSwitchDelayMs?: number;
  callTimeoutMs?: number;
  reconnect?: ReconnectPolicy | null;
  faults?: SimFaults;
  wsOptions?: WebSocket.ClientOptions;
}

export type ConnectorStatus = T.StatusNotificationRequest['status'];

interface Transaction {
  id: number;
  connectorId: number;
  idTag: string;
  meterStartWh: number;
  samples: T.MeterValuesRequest['meterValue'];
}

interface Connector {
  id: number;
  status: ConnectorStatus;
  operative: boolean;
  /** ChangeAvailability to Inoperative during a transaction waits for its end. */
  inoperativeScheduled: boolean;
  transaction: Transaction | null;
  meter: Meter;
}

export interface SimEvents {
  log: [line: string];
  booted: [T.BootNotificationResponse];
  connected: [];
  disconnected: [code: number, reason: string];
  status: [connectorId: number, status: ConnectorStatus];
  transactionStarted: [Transaction];
  transactionStopped: [Transaction & { meterStopWh: number; reason: string }];
}

type StopReason = NonNullable<T.StopTransactionRequest['reason']>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A simulated OCPP 1.6J charge point: standard configuration keys, connectors with a status
 * model, an energy meter per connector, transactions started and stopped remotely, MeterValues
 * at the configured interval, TriggerMessage, Reset with reconnect, and selectable faults.
 */
export class SimulatedChargePoint extends EventEmitter<SimEvents> implements SimulatedStation {
  readonly config: ConfigStore;
  readonly client: ChargePointClient;
  private readonly connectors: Connector[] = [];
  private readonly faults: SimFaults;
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private meterTimer: NodeJS.Timeout | null = null;
  private booted = false;
  private everBooted = false;
  private connections = 0;
  private stopped = false;
  private rebooting = false;
  private localListVersion = 0;
  private firmwareVersion: string;
  private readonly firmware: Firmware16;
  /** StopTransactions that could not be delivered, sent again after the next boot. */
  private readonly undelivered: T.StopTransactionRequest[] = [];

  constructor(readonly options: SimOptions) {
    super();
    this.faults = options.faults ?? {};
    this.firmwareVersion = options.firmwareVersion ?? '1.4.2';
    this.firmware = new Firmware16({
      notify: (status) => this.send('FirmwareStatusNotification', { status }),
      wait: sleep,
      version: () => this.firmwareVersion,
      rebootInto: (version) => {
        this.firmwareVersion = version;
        void this.reboot('Hard');
      },
      log: (line) => this.log(line),
      ...(this.faults.firmwareFailure && { failure: this.faults.firmwareFailure }),
      transfer: this.faults.firmwareDropAtBytes === undefined ? {} : { dropAtBytes: this.faults.firmwareDropAtBytes },
      stepMs: options.firmwareStepMs ?? 500,
    });
    const connectors = options.connectors ?? 1;
    const profiles = ['Core', 'FirmwareManagement', 'LocalAuthListManagement'];
    if (!this.faults.noTrigger) profiles.push('RemoteTrigger');
    this.config = new ConfigStore(
      {
        vendor: this.vendor,
        model: this.model,
        serial: this.serial,
        connectors,
        profiles,
      },
      this.faults,
    );
    for (let id = 0; id <= connectors; id += 1) {
      this.connectors.push({
        id,
        status: 'Available',
        operative: true,
        inoperativeScheduled: false,
        transaction: null,
        meter: new Meter(id === 0 ? 0 : options.powerW ?? 11_000, this.faults.zeroEnergy ?? false),
      });
    }
    const password = this.faults.wrongPassword ? `${options.password ?? ''}-wrong` : options.password;
    this.client = new ChargePointClient({
      url: options.url,
      id: options.id,
      ...(password !== undefined && { password }),
      ...(options.callTimeoutMs !== undefined && { callTimeoutMs: options.callTimeoutMs }),
      reconnect: options.reconnect === undefined ? { minDelayMs: 1000, maxDelayMs: 30_000 } : options.reconnect,
      validateOutgoing: !this.faults.invalidPayloads,
      ...(options.wsOptions && { wsOptions: options.wsOptions }),
    });
    this.client.on('open', () => this.onOpen());
    this.client.on('close', (code, reason) => this.onClose(code, reason));
    this.client.on('refused', (status, body) => this.log(`connection refused: ${status} ${body}`));
    this.installHandlers();
  }

  readonly ocppVersion = '1.6' as const;

  get id(): string {
    return this.options.id;
  }

  get vendor(): string {
    return this.options.vendor ?? 'Dynamo';
  }

  get model(): string {
    return this.options.model ?? 'SimCharger AC22';
  }

  get serial(): string {
    return this.options.serial ?? `SIM-${this.options.id}`.slice(0, 25);
  }

  get isBooted(): boolean {
    return this.booted;
  }

  status(connectorId: number): ConnectorStatus | undefined {
    return this.connectors[connectorId]?.status;
  }

  transaction(connectorId: number): Transaction | null {
    return this.connectors[connectorId]?.transaction ?? null;
  }

  meterWh(connectorId: number): number {
    return this.connectors[connectorId]?.meter.readWh() ?? 0;
  }

  setting(name: string): string | undefined {
    return this.config.get(name);
  }

  /** Connects and resolves once the BootNotification is accepted. */
  async start(): Promise<void> {
    this.stopped = false;
    const booted = new Promise<void>((resolve) => this.once('booted', () => resolve()));
    await this.client.connect();
    await booted;
  }

  /** Connects without waiting for the boot (for tests of refused connections). */
  connect(): Promise<void> {
    this.stopped = false;
    return this.client.connect();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.stopHeartbeats();
    this.stopMeterValues();
    this.client.close(1000, 'simulator stopped');
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private log(line: string): void {
    this.emit('log', line);
  }

  private onOpen(): void {
    this.connections += 1;
    this.emit('connected');
    const { dropAfterS, returnAfterS, dropRepeatedly } = this.faults;
    if (dropAfterS !== undefined && (this.connections === 1 || dropRepeatedly)) {
      this.later(dropAfterS * 1000, () => this.dropConnection(returnAfterS));
    }
    if (this.faults.silentReconnect && this.everBooted && !this.rebooting) {
      this.log('reconnected; staying silent until the Central System asks for a BootNotification');
      return;
    }
    this.rebooting = false;
    void this.boot();
  }

  private onClose(code: number, reason: string): void {
    this.booted = false;
    this.stopHeartbeats();
    this.emit('disconnected', code, reason);
    if (!this.stopped) this.log(`connection closed (${code}${reason ? ` ${reason}` : ''})`);
  }

  private dropConnection(returnAfterS: number | undefined): void {
    this.log(returnAfterS === undefined ? 'dropping the connection for good' : `dropping the connection for ${returnAfterS} s`);
    this.client.drop(false);
    if (returnAfterS !== undefined) {
      this.later(returnAfterS * 1000, () => this.client.connect().catch(() => undefined));
    }
  }

  private async boot(): Promise<void> {
    const request: T.BootNotificationRequest = {
      chargePointVendor: this.vendor,
      chargePointModel: this.model,
      chargePointSerialNumber: this.serial,
      firmwareVersion: this.firmwareVersion,
      meterType: this.options.meterType ?? 'MID certified',
    };
    let response: T.BootNotificationResponse;
    try {
      response = await this.client.call('BootNotification', request);
    } catch (err) {
      this.log(`BootNotification failed: ${(err as Error).message}`);
      if (this.client.connected) this.later(5000, () => void this.boot());
      return;
    }
    if (response.status !== 'Accepted') {
      const retryS = response.interval > 0 ? response.interval : 30;
      this.log(`BootNotification ${response.status}; retrying in ${retryS} s`);
      this.later(retryS * 1000, () => void this.boot());
      return;
    }
    this.booted = true;
    this.everBooted = true;
    if (response.interval > 0) this.config.change('HeartbeatInterval', String(response.interval));
    this.log(`booted (heartbeat every ${this.config.int('HeartbeatInterval')} s)`);
    this.emit('booted', response);
    for (const connector of this.connectors) void this.sendStatus(connector.id);
    this.startHeartbeats();
    for (const stop of this.undelivered.splice(0)) void this.sendStopTransaction(stop);
    void this.firmware.booted();
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    const seconds = this.config.int('HeartbeatInterval');
    if (this.faults.noHeartbeats || seconds <= 0) return;
    this.heartbeatTimer = setInterval(() => void this.sendHeartbeat(), seconds * 1000);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async sendHeartbeat(): Promise<void> {
    if (this.faults.noHeartbeats || !this.booted) return;
    await this.send('Heartbeat', this.corrupt({}));
  }

  /** Calls the Central System; failures are logged, never thrown (firmware keeps running). */
  private async send<A extends keyof CpCalls16 & string>(action: A, payload: CpCalls16[A][0]): Promise<CpCalls16[A][1] | null> {
    try {
      return await this.client.call(action, payload);
    } catch (err) {
      this.log(`${action} failed: ${(err as Error).message}`);
      return null;
    }
  }

  private corrupt<P extends object>(payload: P): P {
    return this.faults.invalidPayloads ? ({ ...payload, simulatorFault: true } as P) : payload;
  }

  private setStatus(connectorId: number, status: ConnectorStatus): void {
    const connector = this.connectors[connectorId];
    if (!connector || connector.status === status) return;
    connector.status = status;
    this.emit('status', connectorId, status);
    void this.sendStatus(connectorId);
  }

  private async sendStatus(connectorId: number): Promise<void> {
    const connector = this.connectors[connectorId];
    if (!connector || !this.booted) return;
    await this.send(
      'StatusNotification',
      this.corrupt({ connectorId, status: connector.status, errorCode: 'NoError' as const, timestamp: new Date().toISOString() }),
    );
  }

  private handle<A extends keyof CsmsCalls16 & string>(action: A, handler: Handler<CsmsCalls16[A][0], CsmsCalls16[A][1]>): void {
    this.client.handle(action, async (payload, ctx) => {
      if (this.faults.slowResponsesMs) await sleep(this.faults.slowResponsesMs);
      return this.corrupt((await handler(payload, ctx)) as object) as CsmsCalls16[A][1];
    });
  }

  /** Runs after the current answer went out: a charge point answers first, then acts. */
  private afterReply(fn: () => void | Promise<void>): void {
    setImmediate(() => {
      if (!this.stopped) void fn();
    });
  }

  private installHandlers(): void {
    this.handle('GetConfiguration', (req) => this.config.read(req.key));
    this.handle('ChangeConfiguration', (req) => {
      const status = this.config.change(req.key, req.value);
      if (status === 'Accepted' && req.key === 'HeartbeatInterval') this.startHeartbeats();
      if (status === 'Accepted' && req.key === 'MeterValueSampleInterval') this.restartMeterValues();
      if (status === 'Accepted' && req.key === 'AuthorizationKey' && !this.faults.ignoreKeys?.includes(req.key)) {
        const delay = this.options.passwordSwitchDelayMs;
        if (delay) this.later(delay, () => void this.reconnectWithNewPassword());
        else this.afterReply(() => this.reconnectWithNewPassword());
      }
      return { status };
    });
    this.handle('ClearCache', () => ({ status: 'Accepted' }));
    this.handle('DataTransfer', () => ({ status: 'UnknownVendorId' }));
    this.handle('GetLocalListVersion', () => ({ listVersion: this.localListVersion }));
    this.handle('SendLocalList', (req) => {
      this.localListVersion = req.listVersion;
      return { status: 'Accepted' };
    });
    this.handle('TriggerMessage', (req) => this.onTrigger(req));
    this.handle('RemoteStartTransaction', (req) => this.onRemoteStart(req));
    this.handle('RemoteStopTransaction', (req) => {
      const connector = this.connectors.find((c) => c.transaction?.id === req.transactionId);
      if (!connector) return { status: 'Rejected' };
      this.afterReply(() => this.stopTransaction(connector, 'Remote'));
      return { status: 'Accepted' };
    });
    this.handle('ChangeAvailability', (req) => this.onChangeAvailability(req));
    this.handle('UnlockConnector', (req) => {
      const connector = this.connectors[req.connectorId];
      if (!connector || req.connectorId === 0) return { status: 'NotSupported' };
      if (connector.transaction) this.afterReply(() => this.stopTransaction(connector, 'UnlockCommand'));
      return { status: 'Unlocked' };
    });
    this.handle('Reset', (req) => {
      this.afterReply(() => this.reboot(req.type));
      return { status: 'Accepted' };
    });
    this.handle('GetDiagnostics', (req) => {
      const fileName = `diagnostics-${this.id}-${Date.now()}.log`;
      this.afterReply(async () => {
        await this.send('DiagnosticsStatusNotification', { status: 'Uploading' });
        let status: T.DiagnosticsStatusNotificationRequest['status'] = 'Uploaded';
        try {
          if (this.faults.diagnosticsFailure) throw new Error('told to fail the upload');
          // FTP and the like are played, moving nothing; HTTP(S) for real.
          if (/^https?:\/\//i.test(req.location)) await uploadFile(req.location, fileName, diagnosticsFile('Diagnostics', new Date()));
        } catch (err) {
          this.log(`diagnostics upload failed: ${(err as Error).message}`);
          status = 'UploadFailed';
        }
        await sleep(this.options.firmwareStepMs ?? 500);
        await this.send('DiagnosticsStatusNotification', { status });
      });
      return { fileName };
    });
    this.handle('UpdateFirmware', (req) => {
      this.afterReply(() => this.firmware.run(req));
      return {};
    });
  }

  private onTrigger(req: T.TriggerMessageRequest): T.TriggerMessageResponse {
    if (this.faults.noTrigger) throw new RpcViolation('NotSupported', 'TriggerMessage is not supported by this firmware');
    const { requestedMessage, connectorId } = req;
    if (connectorId !== undefined && !this.connectors[connectorId]) return { status: 'Rejected' };
    switch (requestedMessage) {
      case 'BootNotification':
        this.afterReply(() => this.boot());
        break;
      case 'Heartbeat':
        if (this.faults.noHeartbeats) break;
        this.afterReply(() => this.send('Heartbeat', this.corrupt({})).then(() => undefined));
        break;
      case 'StatusNotification':
        this.afterReply(async () => {
          const ids = connectorId === undefined ? this.connectors.map((c) => c.id) : [connectorId];
          for (const id of ids) await this.sendStatus(id);
        });
        break;
      case 'MeterValues':
        this.afterReply(async () => {
          const targets = this.connectors.filter((c) => c.id !== 0 && (connectorId === undefined || c.id === connectorId));
          for (const connector of targets) await this.sendMeterValues(connector, 'Trigger');
        });
        break;
      case 'DiagnosticsStatusNotification':
        this.afterReply(() => this.send('DiagnosticsStatusNotification', { status: 'Idle' }).then(() => undefined));
        break;
      case 'FirmwareStatusNotification':
        this.afterReply(() => this.send('FirmwareStatusNotification', { status: 'Idle' }).then(() => undefined));
        break;
      default:
        return { status: 'NotImplemented' };
    }
    return { status: 'Accepted' };
  }

  private onRemoteStart(req: T.RemoteStartTransactionRequest): T.RemoteStartTransactionResponse {
    if (this.faults.refuseRemoteStart) return { status: 'Rejected' };
    const connector =
      req.connectorId === undefined
        ? this.connectors.find((c) => c.id !== 0 && c.status === 'Available')
        : this.connectors[req.connectorId];
    if (!connector || connector.id === 0 || connector.transaction || !connector.operative || connector.status !== 'Available') {
      return { status: 'Rejected' };
    }
    connector.status = 'Preparing';
    this.afterReply(async () => {
      this.emit('status', connector.id, 'Preparing');
      await this.sendStatus(connector.id);
      await this.startTransaction(connector, req.idTag);
    });
    return { status: 'Accepted' };
  }

  private async startTransaction(connector: Connector, idTag: string): Promise<void> {
    if (this.config.bool('AuthorizeRemoteTxRequests')) {
      const auth = await this.send('Authorize', { idTag });
      if (auth?.idTagInfo.status !== 'Accepted') {
        this.log(`idTag ${idTag} not authorised (${auth?.idTagInfo.status ?? 'no answer'})`);
        this.setStatus(connector.id, 'Available');
        return;
      }
    }
    const meterStartWh = connector.meter.readWh();
    const response = await this.send('StartTransaction', {
      connectorId: connector.id,
      idTag,
      meterStart: meterStartWh,
      timestamp: new Date().toISOString(),
    });
    if (!response) {
      this.setStatus(connector.id, 'Available');
      return;
    }
    const transaction: Transaction = { id: response.transactionId, connectorId: connector.id, idTag, meterStartWh, samples: [] };
    connector.transaction = transaction;
    connector.meter.start();
    this.setStatus(connector.id, 'Charging');
    this.emit('transactionStarted', transaction);
    this.log(`transaction ${transaction.id} started on connector ${connector.id}`);
    this.restartMeterValues();
    if (response.idTagInfo.status !== 'Accepted' && this.config.bool('StopTransactionOnInvalidId')) {
      await this.stopTransaction(connector, 'DeAuthorized');
    }
  }

  private async stopTransaction(connector: Connector, reason: StopReason): Promise<void> {
    const transaction = connector.transaction;
    if (!transaction) return;
    connector.meter.stop();
    connector.transaction = null;
    this.restartMeterValues();
    const meterStopWh = connector.meter.readWh();
    this.setStatus(connector.id, 'Finishing');
    const stop: T.StopTransactionRequest = {
      transactionId: transaction.id,
      idTag: transaction.idTag,
      meterStop: meterStopWh,
      timestamp: new Date().toISOString(),
      reason,
    };
    const stopData = this.config.list('StopTxnSampledData');
    if (stopData.length > 0) {
      stop.transactionData = [
        { timestamp: new Date().toISOString(), sampledValue: this.sample(connector, stopData, 'Transaction.End') },
      ];
    }
    await this.sendStopTransaction(stop);
    this.emit('transactionStopped', { ...transaction, meterStopWh, reason });
    this.log(`transaction ${transaction.id} stopped (${reason}), ${meterStopWh - transaction.meterStartWh} Wh`);
    if (connector.inoperativeScheduled) {
      connector.inoperativeScheduled = false;
      connector.operative = false;
      this.setStatus(connector.id, 'Unavailable');
    } else {
      this.setStatus(connector.id, 'Available');
    }
  }

  private async sendStopTransaction(stop: T.StopTransactionRequest): Promise<void> {
    if (!this.client.connected) {
      this.undelivered.push(stop);
      return;
    }
    const answer = await this.send('StopTransaction', stop);
    if (answer === null && !this.client.connected) this.undelivered.push(stop);
  }

  private onChangeAvailability(req: T.ChangeAvailabilityRequest): T.ChangeAvailabilityResponse {
    const targets = req.connectorId === 0 ? this.connectors : [this.connectors[req.connectorId]];
    if (targets.some((c) => c === undefined)) return { status: 'Rejected' };
    const operative = req.type === 'Operative';
    let scheduled = false;
    for (const connector of targets as Connector[]) {
      if (!operative && connector.transaction) {
        connector.inoperativeScheduled = true;
        scheduled = true;
        continue;
      }
      connector.operative = operative;
      connector.inoperativeScheduled = false;
      const status: ConnectorStatus = operative ? 'Available' : 'Unavailable';
      this.afterReply(() => this.setStatus(connector.id, status));
    }
    return { status: scheduled ? 'Scheduled' : 'Accepted' };
  }

  private async reboot(type: T.ResetRequest['type']): Promise<void> {
    this.log(`${type} reset`);
    for (const connector of this.connectors) {
      if (connector.transaction) await this.stopTransaction(connector, type === 'Soft' ? 'SoftReset' : 'HardReset');
    }
    this.rebooting = true;
    this.client.close(1012, 'rebooting');
    this.later(this.options.rebootDelayMs ?? 1000, () => {
      this.config.applyPending();
      this.usePasswordFromConfig();
      this.client.connect().catch(() => undefined);
    });
  }

  private usePasswordFromConfig(): void {
    const password = this.config.password();
    if (password) this.client.setPassword(password);
  }

  /** As the whitepaper asks: after a new AuthorizationKey, reconnect with the new password. */
  private async reconnectWithNewPassword(): Promise<void> {
    this.log('AuthorizationKey changed; reconnecting with the new password');
    this.usePasswordFromConfig();
    if (this.client.connected) {
      const closed = once(this.client, 'close');
      this.client.close(1000, 'new AuthorizationKey');
      await closed;
    }
    if (!this.stopped) await this.client.connect().catch(() => undefined);
  }

  private restartMeterValues(): void {
    this.stopMeterValues();
    const seconds = this.config.int('MeterValueSampleInterval');
    if (seconds <= 0 || !this.connectors.some((c) => c.transaction)) return;
    this.meterTimer = setInterval(() => {
      for (const connector of this.connectors) {
        if (connector.transaction) void this.sendMeterValues(connector, 'Sample.Periodic');
      }
    }, seconds * 1000);
    this.meterTimer.unref();
  }

  private stopMeterValues(): void {
    if (this.meterTimer) clearInterval(this.meterTimer);
    this.meterTimer = null;
  }

  private async sendMeterValues(connector: Connector, context: 'Sample.Periodic' | 'Trigger'): Promise<void> {
    const measurands = this.config.list('MeterValuesSampledData');
    const meterValue = [{ timestamp: new Date().toISOString(), sampledValue: this.sample(connector, measurands, context) }];
    const request: T.MeterValuesRequest = { connectorId: connector.id, meterValue };
    if (connector.transaction) {
      request.transactionId = connector.transaction.id;
      connector.transaction.samples.push(...meterValue);
    }
    await this.send('MeterValues', this.corrupt(request));
  }

  private sample(
    connector: Connector,
    measurands: string[],
    context: NonNullable<T.MeterValuesRequest['meterValue'][number]['sampledValue'][number]['context']>,
  ): T.MeterValuesRequest['meterValue'][number]['sampledValue'] {
    const charging = connector.transaction !== null && connector.meter.running;
    const powerW = charging ? connector.meter.powerW : 0;
    const values: Record<string, { value: string; unit: 'Wh' | 'W' | 'A' | 'V' | 'Celsius' }> = {
      'Energy.Active.Import.Register': { value: String(connector.meter.readWh()), unit: 'Wh' },
      'Power.Active.Import': { value: powerW.toFixed(0), unit: 'W' },
      'Current.Import': { value: (powerW / (3 * 230)).toFixed(1), unit: 'A' },
      'Current.Offered': { value: '32', unit: 'A' },
      Voltage: { value: '230', unit: 'V' },
      Temperature: { value: '24', unit: 'Celsius' },
    };
    return measurands
      .filter((m) => values[m])
      .map((measurand) => ({
        ...values[measurand]!,
        measurand: measurand as 'Energy.Active.Import.Register',
        context,
        location: 'Outlet' as const,
      }));
  }
}
