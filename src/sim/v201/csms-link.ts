import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import { ChargePointClient, type ReconnectPolicy } from '../../ocpp/cp/client.js';
import { ocpp201, type CsCalls201, type CsmsCalls201 } from '../../ocpp/ocpp201.js';
import type { CallMap, Handler } from '../../ocpp/rpc.js';
import type { DeviceModel } from './device-model.js';
import type { NetworkProfiles } from './network-profiles.js';

export interface LinkOptions {
  id: string;
  password: string | undefined;
  reconnect: ReconnectPolicy | null;
  validateOutgoing: boolean;
  wsOptions: WebSocket.ClientOptions | undefined;
}

export interface LinkEvents {
  open: [];
  close: [code: number, reason: string];
  refused: [status: number, body: string];
  switched: [slot: number];
}

type Client = ChargePointClient<CsCalls201, CsmsCalls201>;
type AnyHandler = Handler<unknown, unknown>;

/**
 * The connection to the CSMS, through the network connection profile in use (B10). After a
 * reboot the station connects with the first profile of NetworkConfigurationPriority
 * (B10.FR.04); when NetworkProfileConnectionAttempts attempts fail it moves to the next one,
 * round to the first again (B10.FR.03, B10.FR.07).
 */
export class CsmsLink extends EventEmitter<LinkEvents> {
  private current: Client;
  private slot = 0;
  private failures = 0;
  private password: string | undefined;
  private readonly handlers = new Map<string, AnyHandler>();

  constructor(
    private readonly profiles: NetworkProfiles,
    private readonly model: DeviceModel,
    private readonly options: LinkOptions,
  ) {
    super();
    this.password = options.password;
    this.current = this.create(0);
  }

  get client(): Client {
    return this.current;
  }

  /** OCPPCommCtrlr.ActiveNetworkProfile. */
  get activeSlot(): number {
    return this.slot;
  }

  handle<A extends keyof CsmsCalls201 & string>(action: A, handler: Handler<CsmsCalls201[A][0], CsmsCalls201[A][1]>): void {
    this.handlers.set(action, handler as AnyHandler);
    this.current.handle(action, handler);
  }

  setPassword(password: string): void {
    this.password = password;
    this.current.setPassword(password);
  }

  /** After a reboot: the first profile by priority, a new client if that is another slot. */
  takePriority(): void {
    const first = this.profiles.priority()[0]!;
    if (first !== this.slot) this.switchTo(first);
    this.failures = 0;
  }

  private switchTo(slot: number): void {
    this.current.close(1000, 'another network profile');
    this.current = this.create(slot);
    this.emit('switched', slot);
  }

  private create(slot: number): Client {
    const profile = this.profiles.profile(slot)!;
    this.slot = slot;
    this.model.update('SecurityCtrlr', 'SecurityProfile', String(profile.securityProfile));
    const client: Client = new ChargePointClient<CsCalls201, CsmsCalls201>({
      url: profile.ocppCsmsUrl,
      id: this.options.id,
      dialect: ocpp201,
      ...(this.password !== undefined && { password: this.password }),
      callTimeoutMs: profile.messageTimeout * 1000,
      reconnect: this.options.reconnect,
      validateOutgoing: this.options.validateOutgoing,
      ...(this.options.wsOptions && { wsOptions: this.options.wsOptions }),
    });
    const untyped = client as unknown as ChargePointClient<CallMap, CallMap>;
    for (const [action, handler] of this.handlers) untyped.handle(action, handler);
    client.on('open', () => {
      this.failures = 0;
      this.emit('open');
    });
    client.on('close', (code, reason) => this.emit('close', code, reason));
    client.on('refused', (status, body) => this.emit('refused', status, body));
    client.on('error', () => this.failed(client));
    return client;
  }

  private failed(client: Client): void {
    if (client !== this.current) return;
    this.failures += 1;
    const slots = this.profiles.priority();
    if (slots.length < 2 || this.failures < Math.max(1, this.model.int('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts'))) return;
    const next = slots[(slots.indexOf(this.slot) + 1) % slots.length]!;
    this.failures = 0;
    this.switchTo(next);
    void this.current.connect().catch(() => undefined);
  }
}
