import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RawData, WebSocket } from 'ws';
import { CallQueue, type QueuedCall } from './call-queue.js';
import type { Dialect, Role } from './dialect.js';
import {
  CallError,
  CallQueueFullError,
  CallTimeoutError,
  ConnectionClosedError,
  InvalidOutgoingPayloadError,
  InvalidResponseError,
  RpcViolation,
  type RpcErrorKind,
} from './errors.js';
import {
  CALL,
  CALLERROR,
  type CallErrorFrame,
  type CallFrame,
  type CallResultFrame,
  parseFrame,
  serializeCall,
  serializeError,
  serializeResult,
} from './frames.js';
import { describeError, emitGuarded } from './guarded-emit.js';
import { PayloadValidator } from './validator.js';

/** [request, response] per action. */
export type CallMap = { [action: string]: [unknown, unknown] };

export type FrameDirection = 'in' | 'out';

/** Something the peer sent that could not be processed as a frame: logged, never thrown. */
export interface ProtocolProblem {
  message: string;
  text: string;
}

export interface HandlerContext {
  /** The CALL's message id. */
  id: string;
}

export type Handler<Req, Res> = (payload: Req, ctx: HandlerContext) => Res | Promise<Res>;

export interface RpcOptions {
  dialect: Dialect;
  /** Our side of the connection; the peer initiates the other side's actions. */
  role: Role;
  /** Per-call answer timeout; OCPP leaves the value to the implementation. */
  callTimeoutMs?: number;
  /** Outgoing calls allowed to wait behind the one in flight. */
  maxQueuedCalls?: number;
  /** WebSocket ping period for dead-connection detection; 0 turns it off. */
  pingIntervalMs?: number;
  /** Incoming CALLs being handled at once before further ones are refused. */
  maxConcurrentIncoming?: number;
  /**
   * Bytes of unsent frames allowed for a peer that does not read (it floods CALLs and never
   * reads the answers); past this the connection is closed with 1008. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * Validate what we send (default true). Only a simulator playing broken firmware turns this
   * off; incoming frames are always validated.
   */
  validateOutgoing?: boolean;
}

export interface RpcEvents {
  /** Every frame sent or received, as text, with its time (epoch ms). Positional, not an object: it fires twice per message. */
  frame: [direction: FrameDirection, text: string, at: number];
  problem: [ProtocolProblem];
  /** An incoming CALL that was answered with a CALLRESULT. */
  handled: [action: string, request: unknown, response: unknown];
  /** One of our CALLs that the peer answered with a valid CALLRESULT. */
  answered: [action: string, request: unknown, response: unknown];
  close: [code: number, reason: string];
}

const validators = new WeakMap<Dialect, PayloadValidator>();

/** One validator per dialect, shared by every connection: compiled schemas are reused. */
export function validatorFor(dialect: Dialect): PayloadValidator {
  let v = validators.get(dialect);
  if (!v) {
    v = new PayloadValidator(dialect.schemas);
    validators.set(dialect, v);
  }
  return v;
}

const validatorPreloaded = new WeakSet<Dialect>();

/** Compiles every schema of a dialect up front, for servers that want no first-use pause. */
export function preloadSchemas(dialect: Dialect): void {
  if (validatorPreloaded.has(dialect)) return;
  const v = validatorFor(dialect);
  for (const name of Object.keys(dialect.schemas)) v.validate(name, {});
  validatorPreloaded.add(dialect);
}

/**
 * One OCPP-J connection, either side: strict schema validation both ways, one outgoing CALL in
 * flight (further calls queue), per-call timeouts, replies matched by id, keep-alive pings.
 * Incoming CALLs are handled independently of our outgoing queue, so a peer's Authorize is
 * answered while our RemoteStartTransaction waits for its reply.
 */
export class RpcConnection<Out extends CallMap = CallMap, In extends CallMap = CallMap> extends EventEmitter<RpcEvents> {
  readonly protocol: string;
  private readonly validator: PayloadValidator;
  private readonly handlers = new Map<string, Handler<unknown, unknown>>();
  private readonly queue: CallQueue;
  private readonly callTimeoutMs: number;
  private readonly maxConcurrentIncoming: number;
  private readonly validateOutgoing: boolean;
  private readonly maxBufferedBytes: number;
  private readonly peerActions: ReadonlySet<string>;
  private readonly ownActions: ReadonlySet<string>;
  private timer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private alive = true;
  private incoming = 0;
  private closedWith: { code: number; reason: string } | null = null;
  private gate: ((action: string, payload: unknown) => RpcViolation | null) | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: RpcOptions,
  ) {
    super();
    this.protocol = options.dialect.protocol;
    this.validator = validatorFor(options.dialect);
    this.queue = new CallQueue(options.maxQueuedCalls ?? 1000);
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.maxConcurrentIncoming = options.maxConcurrentIncoming ?? 100;
    this.validateOutgoing = options.validateOutgoing ?? true;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    const peer: Role = options.role === 'csms' ? 'cp' : 'csms';
    this.peerActions = options.dialect.actionsSentBy[peer];
    this.ownActions = options.dialect.actionsSentBy[options.role];
    ws.on('message', (data, isBinary) => this.guard(() => this.onMessage(data, isBinary)));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', (code, reason) => this.guard(() => this.onClose(code, reason.toString())));
    // Socket errors (a frame over the size limit, invalid UTF-8) are followed by 'close' with
    // its code; without a listener ws would throw them.
    ws.on('error', (err) => this.notify('problem', { message: `WebSocket error: ${err.message}`, text: '' }));
    const ping = options.pingIntervalMs ?? 30_000;
    if (ping > 0) this.startKeepAlive(ping);
  }

  get isOpen(): boolean {
    return this.closedWith === null && this.ws.readyState === this.ws.OPEN;
  }

  /** Calls waiting to be sent plus the one in flight. */
  get pendingCalls(): number {
    return this.queue.length + (this.queue.inFlight ? 1 : 0);
  }

  handle<A extends keyof In & string>(action: A, handler: Handler<In[A][0], In[A][1]>): void {
    this.handlers.set(action, handler as Handler<unknown, unknown>);
  }

  /**
   * A check every valid incoming CALL passes before its handler: a violation it returns is the
   * answer instead (a Pending 2.0.1 station may send only what it was asked for, B02.FR.09).
   */
  setGate(gate: (action: string, payload: unknown) => RpcViolation | null): void {
    this.gate = gate;
  }

  call<A extends keyof Out & string>(
    action: A,
    payload: Out[A][0],
    options: { timeoutMs?: number } = {},
  ): Promise<Out[A][1]> {
    if (this.closedWith) return Promise.reject(new ConnectionClosedError(this.closedWith.reason || 'closed'));
    if (!this.ownActions.has(action)) {
      return Promise.reject(new InvalidOutgoingPayloadError(action, `${this.options.role} does not send ${action}`));
    }
    const violation = this.validateOutgoing ? this.validator.validate(`${action}Request`, payload) : null;
    if (violation) return Promise.reject(new InvalidOutgoingPayloadError(`${action}Request`, violation.message));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const queued: QueuedCall = {
        id,
        action,
        payload,
        text: serializeCall(id, action, payload),
        timeoutMs: options.timeoutMs ?? this.callTimeoutMs,
        resolve: resolve as (p: unknown) => void,
        reject,
      };
      if (!this.queue.push(queued)) {
        reject(new CallQueueFullError(this.queue.limit));
        return;
      }
      this.pump();
    });
  }

  /** Sends raw text as-is: for simulators and tests that must misbehave on purpose. */
  sendRaw(text: string): void {
    this.send(text);
  }

  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      this.ws.close(code, reason);
    }
    this.shutdown(code, reason || 'closed locally');
  }

  /**
   * Closes with the handshake, and drops the socket if the peer has not finished it within
   * `graceMs`: a server shutting down does not wait on a peer that never answers a close.
   */
  async closeWithin(code: number, reason: string, graceMs: number): Promise<void> {
    if (this.ws.readyState === this.ws.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.close(code, reason);
    const timer = setTimeout(() => this.ws.terminate(), graceMs);
    await closed;
    clearTimeout(timer);
  }

  /** Drops the connection without a closing handshake (dead peer). */
  terminate(reason: string): void {
    this.ws.terminate();
    this.shutdown(1006, reason);
  }

  private send(text: string): void {
    this.ws.send(text);
    if (this.listenerCount('frame') > 0) this.notify('frame', 'out', text, Date.now());
    const waiting = this.ws.bufferedAmount;
    if (waiting > this.maxBufferedBytes && !this.closedWith) {
      const reason = `peer is not reading: ${waiting} bytes of frames waiting`;
      this.notify('problem', { message: `closing the connection (1008): ${reason}`, text: '' });
      this.close(1008, 'not reading its answers');
    }
  }

  private pump(): void {
    const next = this.queue.next();
    if (!next) return;
    this.send(next.text);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.queue.inFlight !== next) return;
      this.queue.inFlight = null;
      next.reject(new CallTimeoutError(next.action, next.timeoutMs));
      this.pump();
    }, next.timeoutMs);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.alive = true;
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString();
    if (this.listenerCount('frame') > 0) this.notify('frame', 'in', text, Date.now());
    if (isBinary) {
      // OCPP-J uses text frames only; some firmware sends its JSON as binary. Process it, and
      // say so, rather than let its calls time out.
      this.notify('problem', { message: 'binary WebSocket frame; OCPP-J requires text frames', text });
    }
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      const { problem } = parsed;
      this.notify('problem', { message: problem.message, text });
      if (problem.action === 'reply') this.replyError(problem.id, problem.kind, problem.message);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === CALL) this.onCall(frame);
    else this.onReply(frame);
  }

  private onCall(frame: CallFrame): void {
    const { id, action, payload } = frame;
    if (!this.peerActions.has(action)) {
      if (this.ownActions.has(action)) this.replyError(id, 'NotSupported', `${action} is not sent by this side`);
      else this.replyError(id, 'NotImplemented', `unknown action ${action}`);
      return;
    }
    const violation = this.validator.validate(`${action}Request`, payload);
    if (violation) {
      this.replyError(id, violation.kind, violation.message);
      return;
    }
    const refused = this.gate?.(action, payload);
    if (refused) {
      this.replyError(id, refused.kind, refused.message, refused.details);
      return;
    }
    const handler = this.handlers.get(action);
    if (!handler) {
      this.replyError(id, 'NotSupported', `${action} is not supported`);
      return;
    }
    if (this.incoming >= this.maxConcurrentIncoming) {
      this.replyError(id, 'GenericError', 'too many calls in progress; send one CALL at a time');
      return;
    }
    let out: unknown;
    try {
      out = handler(payload, { id });
    } catch (err) {
      this.replyHandlerError(id, action, err);
      return;
    }
    if (out instanceof Promise) {
      this.incoming += 1;
      out.then(
        (response) => {
          this.incoming -= 1;
          this.guard(() => this.replyResult(id, action, payload, response));
        },
        (err: unknown) => {
          this.incoming -= 1;
          this.guard(() => this.replyHandlerError(id, action, err));
        },
      );
    } else {
      this.replyResult(id, action, payload, out);
    }
  }

  private replyResult(id: string, action: string, request: unknown, response: unknown): void {
    if (this.closedWith) return;
    const violation = this.validateOutgoing ? this.validator.validate(`${action}Response`, response) : null;
    if (violation) {
      this.notify('problem', { message: `our ${action} response is invalid: ${violation.message}`, text: JSON.stringify(response) });
      this.replyError(id, 'InternalError', 'response could not be built');
      return;
    }
    this.send(serializeResult(id, response));
    if (this.listenerCount('handled') > 0) this.notify('handled', action, request, response);
  }

  private replyHandlerError(id: string, action: string, err: unknown): void {
    if (err instanceof CallError) {
      this.send(serializeError(id, err.errorCode, err.description, err.details));
    } else if (err instanceof RpcViolation) {
      this.replyError(id, err.kind, err.message, err.details);
    } else {
      const message = err instanceof Error ? err.message : String(err);
      this.notify('problem', { message: `${action} handler failed: ${message}`, text: '' });
      this.replyError(id, 'InternalError', `${action} could not be processed`);
    }
  }

  private replyError(id: string, kind: RpcErrorKind, description: string, details: unknown = {}): void {
    const code = this.options.dialect.errorCode(kind);
    if (this.closedWith || code === null) return;
    this.send(serializeError(id, code, description, details));
  }

  private onReply(frame: CallResultFrame | CallErrorFrame): void {
    const call = this.queue.inFlight;
    if (!call || call.id !== frame.id) {
      this.notify('problem', { message: `reply to unknown message id ${frame.id} dropped`, text: JSON.stringify(frame) });
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.inFlight = null;
    if (frame.type === CALLERROR) {
      call.reject(new CallError(frame.code, frame.description, frame.details));
    } else {
      const violation = this.validator.validate(`${call.action}Response`, frame.payload);
      if (violation) call.reject(new InvalidResponseError(call.action, violation.message, frame.payload));
      else {
        if (this.listenerCount('answered') > 0) this.notify('answered', call.action, call.payload, frame.payload);
        call.resolve(frame.payload);
      }
    }
    this.pump();
  }

  /** Emits to listeners that may throw; a throw is reported as a problem, never propagated. */
  private notify<E extends keyof RpcEvents & string>(event: E, ...args: RpcEvents[E]): void {
    emitGuarded(this, (err) => this.reportFault(err, `a ${event} listener`), event, ...args);
  }

  /** Runs socket-event work; an exception in it is reported, and the connection lives on. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.reportFault(err, 'handling a frame');
    }
  }

  private reportFault(err: unknown, where: string): void {
    const problem = { message: `internal error in ${where}: ${describeError(err)}`, text: '' };
    // A 'problem' listener that throws as well is left unheard: there is no one else to tell.
    emitGuarded(this, () => undefined, 'problem', problem);
  }

  private startKeepAlive(intervalMs: number): void {
    this.pingTimer = setInterval(() => {
      if (!this.alive) {
        this.terminate('no pong or traffic within the keep-alive period');
        return;
      }
      this.alive = false;
      this.ws.ping();
    }, intervalMs);
    this.pingTimer.unref();
  }

  private onClose(code: number, reason: string): void {
    this.shutdown(code, reason || `closed by peer (${code})`);
  }

  private shutdown(code: number, reason: string): void {
    if (this.closedWith) return;
    this.closedWith = { code, reason };
    if (this.timer) clearTimeout(this.timer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.timer = null;
    this.pingTimer = null;
    const error = new ConnectionClosedError(reason);
    for (const call of this.queue.drain()) call.reject(error);
    this.notify('close', code, reason);
  }
}
