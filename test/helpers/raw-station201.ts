import { once } from 'node:events';
import WebSocket from 'ws';

/**
 * A raw OCPP 2.0.1 station that answers as an honest one would unless a test overrides an
 * action: for what the simulator, being strict, never does (pages without end, meters that run
 * backwards, transactions it ends itself, a Reset it refuses).
 */
export type Frame = [number, string, ...unknown[]];
type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Handler = (payload: Payload, station: RawStation201) => Payload | undefined;

export const RAW_BOOT = { reason: 'PowerUp', chargingStation: { model: 'RawModel', vendorName: 'RawVendor', firmwareVersion: '1.0' } };

export class RawStation201 {
  readonly received: Frame[] = [];
  /** Answers to our own CALLs, by message id. */
  private readonly replies = new Map<string, (frame: Frame) => void>();
  private sent = 0;
  private seqNo = 0;
  /** The register the meter values report, in Wh. */
  energyWh = 1000;
  transaction: { id: string; remoteStartId: number; evseId: number } | null = null;
  readonly handlers: Record<string, Handler>;

  private constructor(
    readonly ws: WebSocket,
    overrides: Record<string, Handler>,
  ) {
    this.handlers = { ...this.honest(), ...overrides };
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.received.push(frame);
      if (frame[0] !== 2) return this.replies.get(frame[1])?.(frame);
      const [, id, action, payload] = frame as [number, string, string, Payload];
      const handler = this.handlers[action];
      if (!handler) return this.send([4, id, 'NotImplemented', `${action} not implemented`, {}]);
      const answer = handler(payload, this);
      if (answer !== undefined) this.send([3, id, answer]);
    });
  }

  static async connect(url: string, id: string, password: string | null, overrides: Record<string, Handler> = {}): Promise<RawStation201> {
    const headers = password ? { Authorization: `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}` } : {};
    const ws = new WebSocket(`${url}/${encodeURIComponent(id)}`, ['ocpp2.0.1'], { headers });
    await once(ws, 'open');
    return new RawStation201(ws, overrides);
  }

  send(frame: unknown[]): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** A CALL of ours, and the server's answer to it. */
  call(action: string, payload: unknown, timeoutMs = 5000): Promise<Frame> {
    const id = `raw-${++this.sent}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${action} within ${timeoutMs} ms`)), timeoutMs);
      this.replies.set(id, (frame) => {
        clearTimeout(timer);
        this.replies.delete(id);
        resolve(frame);
      });
      this.send([2, id, action, payload]);
    });
  }

  /** A CALL of ours a moment from now, as a station answers a trigger after its CALLRESULT. */
  later(action: string, payload: unknown): void {
    setTimeout(() => void this.call(action, payload).catch(() => undefined), 20);
  }

  async boot(): Promise<Frame> {
    const answer = await this.call('BootNotification', RAW_BOOT);
    await this.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    return answer;
  }

  txEvent(eventType: 'Started' | 'Updated' | 'Ended', triggerReason: string, extra: Payload = {}): Payload {
    const tx = this.transaction!;
    const context = eventType === 'Started' ? 'Transaction.Begin' : eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
    return {
      eventType,
      timestamp: new Date().toISOString(),
      triggerReason,
      seqNo: this.seqNo++,
      transactionInfo: { transactionId: tx.id, remoteStartId: tx.remoteStartId, ...(eventType === 'Ended' && { stoppedReason: 'Remote' }), ...extra },
      evse: { id: tx.evseId, connectorId: 1 },
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: this.energyWh, context, measurand: 'Energy.Active.Import.Register' }] }],
    };
  }

  close(): void {
    this.ws.close();
  }

  private honest(): Record<string, Handler> {
    const status = (evseId: number, connectorStatus: string): Payload => ({ timestamp: new Date().toISOString(), connectorStatus, evseId, connectorId: 1 });
    const variables = new Map<string, string>([
      ['OCPPCommCtrlr.HeartbeatInterval', '300'],
      ['DeviceDataCtrlr.ItemsPerMessage', '16'],
      ['DeviceDataCtrlr.BytesPerMessage', '8192'],
    ]);
    const name = (d: Payload): string => `${d['component'].name}.${d['variable'].name}`;
    return {
      GetVariables: (p) => ({
        getVariableResult: (p['getVariableData'] as Payload[]).map((d) =>
          variables.has(name(d)) ? { attributeStatus: 'Accepted', component: d['component'], variable: d['variable'], attributeValue: variables.get(name(d)) } : { attributeStatus: 'UnknownVariable', component: d['component'], variable: d['variable'] },
        ),
      }),
      SetVariables: (p) => ({
        setVariableResult: (p['setVariableData'] as Payload[]).map((d) => {
          variables.set(name(d), d['attributeValue']);
          return { attributeStatus: 'Accepted', component: d['component'], variable: d['variable'] };
        }),
      }),
      GetBaseReport: (p, s) => {
        s.later('NotifyReport', {
          requestId: p['requestId'],
          generatedAt: new Date().toISOString(),
          seqNo: 0,
          tbc: false,
          reportData: [{ component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Available' }, variableAttribute: [{ value: 'true', mutability: 'ReadOnly' }] }],
        });
        return { status: 'Accepted' };
      },
      TriggerMessage: (p, s) => {
        const what = p['requestedMessage'];
        if (what === 'Heartbeat') s.later('Heartbeat', {});
        else if (what === 'StatusNotification') s.later('StatusNotification', status(p['evse']?.id ?? 1, 'Available'));
        else if (what === 'BootNotification') s.later('BootNotification', { ...RAW_BOOT, reason: 'Triggered' });
        else if (what === 'TransactionEvent' && s.transaction) s.later('TransactionEvent', s.txEvent('Updated', 'Trigger'));
        return { status: 'Accepted' };
      },
      ChangeAvailability: (p, s) => {
        s.later('StatusNotification', status(p['evse']?.id ?? 1, p['operationalStatus'] === 'Operative' ? 'Available' : 'Unavailable'));
        return { status: 'Accepted' };
      },
      RequestStartTransaction: (p, s) => {
        s.transaction = { id: `TX-${Date.now()}`, remoteStartId: p['remoteStartId'], evseId: p['evseId'] ?? 1 };
        s.later('TransactionEvent', s.txEvent('Started', 'RemoteStart'));
        return { status: 'Accepted' };
      },
      RequestStopTransaction: (_p, s) => {
        s.energyWh += 500;
        s.later('TransactionEvent', s.txEvent('Ended', 'RemoteStop'));
        return { status: 'Accepted' };
      },
      Reset: () => ({ status: 'Accepted' }),
    };
  }
}
