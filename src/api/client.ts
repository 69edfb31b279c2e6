import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { Agent, request, retryInterceptor } from './transport.js';
import { backoffDelay } from '../common/backoff.js';
import type {
  AddChargePointRequest,
  AddChargePointResponse,
  ApplyTemplateResponse,
  ChargePointEvent,
  DiagnosticsFetch,
  ChargePointEventsResponse,
  EventBatchResponse,
  FirmwareImage,
  FirmwareUpdate,
  FirmwareUpdateRequest,
  CommissionResponse,
  Diagnostics,
  DiagnosticsQuery,
  HealthResponse,
  IssueCreated,
  IssuesResponse,
  LocalChargePointsResponse,
  LogBatchResponse,
  LogEntry,
  LoginResponse,
  LogsQuery,
  LogsResponse,
  PauseResponse,
  ReportIssueRequest,
  ResumeResponse,
  SessionPutResponse,
  SessionRecord,
  StartRequest,
  StartResponse,
  StatusResponse,
  StopResponse,
  TemplatesResponse,
} from './contract.js';
import { ApiRequestError, InvalidResponseError, NetworkError, errorFromBody } from './client-errors.js';
import { buildPath, type FieldType, ROUTES, type RouteName } from './routes.js';

export { ApiRequestError, InvalidResponseError, NetworkError } from './client-errors.js';

export interface ClientOptions {
  /** Bearer token for every route but login and health. */
  token?: string | null;
  /** Answer timeout per request. */
  timeoutMs?: number;
  /** Retries of idempotent GETs on network errors and 502/503/504/429. */
  maxRetries?: number;
  userAgent?: string;
  /**
   * Talk HTTP over this Unix socket instead of TCP (the local server, for --local); `baseUrl`
   * then only names the server in messages and the Host header.
   */
  socketPath?: string;
  /** How errors name the server, when not by its URL (the socket of the local server). */
  label?: string;
  /** The hint of a NetworkError from this client, when there is a better one than the default. */
  unreachableHint?: string;
  /**
   * Epoch ms after which no request may still be running (sync --max-wait): each request's
   * time limit is cut to what is left.
   */
  deadline?: number;
  /** Applied to every answer before it is returned (the CLI makes text safe for a terminal). */
  readAnswer?: (value: unknown) => unknown;
  /**
   * A new token when the server refuses the one held (401), asked once per request and never for
   * a request whose body was a stream (it cannot be sent twice): --local logs in again from its
   * server's own credentials, through the socket only that server answers on.
   */
  renewToken?: () => Promise<string>;
}

interface SendOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A file sent as it is read, for the routes that take one. */
  file?: { stream: Readable; size: number };
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Another method than the route's, to ask whether the route is there at all (it answers 405). */
  method?: 'GET';
  /** Sent again with a renewed token: a second 401 is the answer. */
  renewed?: boolean;
}

const RETRY_STATUS = [429, 502, 503, 504];
/** The longest Retry-After a request waits out before it retries. */
const MAX_RETRY_AFTER_MS = 10_000;
const RETRY_ERRORS = ['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'];

type RetryCallback = NonNullable<NonNullable<Parameters<typeof retryInterceptor>[0]>['retry']>;

/**
 * undici's retry handler with two changes: only GET (never a POST: a report-issue that reached
 * the server must not be sent twice blindly) and full jitter, so a site's laptops coming back
 * online do not retry in step.
 */
function retryWithJitter(maxRetries: number): RetryCallback {
  return (err, { state, opts }, cb) => {
    const e = err as Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[]> };
    const retriable =
      opts.method === 'GET' &&
      state.counter <= maxRetries &&
      ((e.statusCode !== undefined && RETRY_STATUS.includes(e.statusCode)) || (e.code !== undefined && RETRY_ERRORS.includes(e.code)));
    if (!retriable) {
      cb(err);
      return;
    }
    const retryAfter = Number(e.headers?.['retry-after']);
    // The server names the wait, but a command must not hang for a day on its word: past the
    // cap the answer is the error (429 or 503), with its hint, at once.
    if (Number.isFinite(retryAfter) && retryAfter * 1000 > MAX_RETRY_AFTER_MS) {
      cb(err);
      return;
    }
    const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoffDelay(state.counter, 250, 8000);
    setTimeout(() => cb(null), delay);
  };
}

/**
 * The typed client of the installer API: one method per route, the only code on the client side
 * that knows paths (they come from the shared route table). Used by the CLI and by sync.
 */
export class ApiClient {
  private readonly dispatcher: Dispatcher;
  private token: string | null;

  constructor(
    readonly baseUrl: string,
    private readonly options: ClientOptions = {},
  ) {
    this.token = options.token ?? null;
    const maxRetries = options.maxRetries ?? 3;
    const connect = options.socketPath ? { timeout: 10_000, socketPath: options.socketPath } : { timeout: 10_000 };
    this.dispatcher = new Agent({ connect, keepAliveTimeout: 4_000 }).compose(
      retryInterceptor({ maxRetries, methods: ['GET'], statusCodes: RETRY_STATUS, errorCodes: RETRY_ERRORS, retry: retryWithJitter(maxRetries) }),
    );
  }

  setToken(token: string | null): void {
    this.token = token;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Closes at once: requests under way fail (as on a lost link) instead of being waited for. */
  async destroy(): Promise<void> {
    await this.dispatcher.destroy();
  }

  health(): Promise<HealthResponse> {
    return this.send('health');
  }

  login(email: string, password: string): Promise<LoginResponse> {
    return this.send('login', { body: { email, password } });
  }

  templates(): Promise<TemplatesResponse> {
    return this.send('templates');
  }

  start(chargePointId: string, body: StartRequest = {}): Promise<StartResponse> {
    return this.send('start', { params: { charge_point_id: chargePointId }, body });
  }

  status(chargePointId: string): Promise<StatusResponse> {
    return this.send('status', { params: { charge_point_id: chargePointId } });
  }

  stop(chargePointId: string): Promise<StopResponse> {
    return this.send('stop', { params: { charge_point_id: chargePointId } });
  }

  pause(chargePointId: string): Promise<PauseResponse> {
    return this.send('pause', { params: { charge_point_id: chargePointId } });
  }

  resume(chargePointId: string): Promise<ResumeResponse> {
    return this.send('resume', { params: { charge_point_id: chargePointId } });
  }

  restart(chargePointId: string, templateId?: string): Promise<StartResponse> {
    return this.send('restart', { params: { charge_point_id: chargePointId }, body: templateId ? { template_id: templateId } : {} });
  }

  logs(chargePointId: string, query: LogsQuery = {}): Promise<LogsResponse> {
    return this.send('logs', { params: { charge_point_id: chargePointId }, query: { ...query } });
  }

  reportIssue(chargePointId: string, body: ReportIssueRequest, idempotencyKey?: string): Promise<IssueCreated> {
    return this.send('reportIssue', {
      params: { charge_point_id: chargePointId },
      body,
      ...(idempotencyKey && { headers: { 'Idempotency-Key': idempotencyKey } }),
    });
  }

  issues(chargePointId: string): Promise<IssuesResponse> {
    return this.send('issues', { params: { charge_point_id: chargePointId } });
  }

  /** Pushing keys (and maybe a reboot) takes a while on real hardware. */
  applyTemplate(chargePointId: string, templateId: string): Promise<ApplyTemplateResponse> {
    return this.send('applyTemplate', { params: { charge_point_id: chargePointId }, body: { template_id: templateId }, timeoutMs: 180_000 });
  }

  diagnostics(chargePointId: string, query: DiagnosticsQuery = {}): Promise<Diagnostics> {
    return this.send('diagnostics', { params: { charge_point_id: chargePointId }, query: query.full ? { full: 'true' } : {} });
  }

  commission(chargePointId: string): Promise<CommissionResponse> {
    return this.send('commission', { params: { charge_point_id: chargePointId } });
  }

  /** The answer must name the session sent: anything else is not proof that it was stored. */
  async putSession(record: SessionRecord): Promise<SessionPutResponse> {
    const answer = await this.send<SessionPutResponse>('putSession', { params: { charge_point_id: record.charge_point_id, session_id: record.session_id }, body: record });
    if (answer.session_id !== record.session_id) throw new InvalidResponseError(this.label, `it names session ${answer.session_id}, not ${record.session_id}`);
    return answer;
  }

  /** Every line sent must be counted, as stored or as already there. */
  async postSessionLogs(chargePointId: string, sessionId: string, logs: LogEntry[]): Promise<LogBatchResponse> {
    const answer = await this.send<LogBatchResponse>('postSessionLogs', { params: { charge_point_id: chargePointId, session_id: sessionId }, body: { logs } });
    if (answer.accepted + answer.duplicates !== logs.length) {
      throw new InvalidResponseError(this.label, `it counts ${answer.accepted} accepted and ${answer.duplicates} duplicate lines of ${logs.length} sent`);
    }
    return answer;
  }

  /** Every line sent must be counted, as stored or as already there. */
  async postChargePointEvents(chargePointId: string, events: ChargePointEvent[]): Promise<EventBatchResponse> {
    const answer = await this.send<EventBatchResponse>('postChargePointEvents', { params: { charge_point_id: chargePointId }, body: { events } });
    if (answer.accepted + answer.duplicates !== events.length) {
      throw new InvalidResponseError(this.label, `it counts ${answer.accepted} accepted and ${answer.duplicates} duplicate events of ${events.length} sent`);
    }
    return answer;
  }

  chargePointEvents(chargePointId: string, topic?: ChargePointEvent['topic']): Promise<ChargePointEventsResponse> {
    return this.send('chargePointEvents', { params: { charge_point_id: chargePointId }, query: { topic } });
  }

  /**
   * Whether this server takes firmware images (the local server does, the hosted API does not),
   * asked with a GET its route answers 405: no image is sent over a site's 4G to a server that
   * would refuse it, and the refusal cannot race the upload (a server that answers before reading
   * a body closes the connection under the sender's feet).
   */
  async takesFirmware(): Promise<boolean> {
    try {
      await this.send('putFirmware', { method: 'GET' });
      return true;
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 405) return true;
      if (err instanceof ApiRequestError && err.status === 404) return false;
      throw err;
    }
  }

  /** Local server only: hands it a firmware image for its chargers (streamed; no time limit but the link's). */
  putFirmware(file: { stream: Readable; size: number }): Promise<FirmwareImage> {
    return this.send('putFirmware', { file, timeoutMs: 30 * 60_000 });
  }

  startFirmwareUpdate(chargePointId: string, body: FirmwareUpdateRequest): Promise<FirmwareUpdate> {
    return this.send('startFirmwareUpdate', { params: { charge_point_id: chargePointId }, body });
  }

  firmwareUpdate(chargePointId: string): Promise<FirmwareUpdate> {
    return this.send('firmwareUpdate', { params: { charge_point_id: chargePointId } });
  }

  startDiagnosticsFetch(chargePointId: string): Promise<DiagnosticsFetch> {
    return this.send('startDiagnosticsFetch', { params: { charge_point_id: chargePointId } });
  }

  diagnosticsFetch(chargePointId: string): Promise<DiagnosticsFetch> {
    return this.send('diagnosticsFetch', { params: { charge_point_id: chargePointId } });
  }

  /** The latest diagnostics file fetched from a charger, written to `out` as it comes (at most `limit` bytes). */
  async diagnosticsFile(chargePointId: string, out: NodeJS.WritableStream, limit = 256 * 1024 * 1024): Promise<number> {
    const { url, headers } = this.prepare(ROUTES.diagnosticsFile, { charge_point_id: chargePointId });
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.dispatcher, { origin: url.origin, path: url.pathname, method: 'GET', headers, headersTimeout: 30_000, bodyTimeout: 30_000 });
    } catch (err) {
      throw toClientError(err, this.label, this.options.unreachableHint);
    }
    if (response.statusCode !== 200) throw errorFromBody(response.statusCode, await readCapped(response.body, DEFAULT_MAX_RESPONSE_BYTES, this.label), this.options.readAnswer);
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        response.body.destroy();
        throw new InvalidResponseError(this.label, `the file is larger than ${limit} bytes`);
      }
      if (!out.write(chunk as Buffer)) await new Promise((resolve) => out.once('drain', resolve));
    }
    return size;
  }

  localChargePoints(): Promise<LocalChargePointsResponse> {
    return this.send('localChargePoints');
  }

  addLocalChargePoint(body: AddChargePointRequest): Promise<AddChargePointResponse> {
    return this.send('addLocalChargePoint', { body });
  }

  removeLocalChargePoint(chargePointId: string): Promise<{ id: string; removed: boolean }> {
    return this.send('removeLocalChargePoint', { params: { charge_point_id: chargePointId } });
  }

  /** Local-only: sets a commissioning aside and starts a new session (the start response). */
  recommission(chargePointId: string, body: StartRequest = {}): Promise<StartResponse> {
    return this.send('recommission', { params: { charge_point_id: chargePointId }, body });
  }

  private async send<T>(name: RouteName, options: SendOptions = {}): Promise<T> {
    const route = ROUTES[name];
    const { url, headers } = this.prepare(route, options.params, { accept: 'application/json', ...options.headers });
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    let body: string | Readable | undefined;
    if (options.file) {
      body = options.file.stream;
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = String(options.file.size);
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const left = this.options.deadline === undefined ? Infinity : this.options.deadline - Date.now();
    const timeout = Math.min(options.timeoutMs ?? this.options.timeoutMs ?? 30_000, left);
    if (timeout <= 0) throw new NetworkError(this.label, Object.assign(new Error('not sent: the deadline has passed'), { code: 'ERR_DEADLINE' }), this.options.unreachableHint);
    // undici's own timeouts are per read: an answer trickled a byte at a time never trips them.
    // The signal bounds the whole exchange, headers and body.
    const signal = AbortSignal.timeout(timeout);
    let text: string;
    let status: number;
    try {
      const response = await request(this.dispatcher, {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? route.method,
        headers,
        body: body ?? null,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal,
      });
      status = response.statusCode;
      text = await readCapped(response.body, 'maxResponseBytes' in route ? route.maxResponseBytes : DEFAULT_MAX_RESPONSE_BYTES, this.label);
    } catch (err) {
      if (err instanceof InvalidResponseError) throw err;
      throw toClientError(err, this.label, this.options.unreachableHint);
    }
    if (status === 401 && this.options.renewToken && !options.file && !options.renewed && !('auth' in route && route.auth === false)) {
      this.token = await this.options.renewToken();
      return this.send(name, { ...options, renewed: true });
    }
    if (status < 200 || status >= 300) throw errorFromBody(status, text, this.options.readAnswer);
    const document = documentOf(text, route.returns, this.label);
    return (this.options.readAnswer ? this.options.readAnswer(document) : document) as T;
  }

  /** A request's URL and headers: the token goes to every route that takes one. */
  private prepare(route: (typeof ROUTES)[RouteName], params: Record<string, string> | undefined, extra: Record<string, string> = {}): { url: URL; headers: Record<string, string> } {
    // Appended, not resolved, so a base URL with a path prefix keeps it.
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}${buildPath(route.path, params)}`);
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'dynamo', ...extra };
    if (this.token && !('auth' in route && route.auth === false)) headers['authorization'] = `Bearer ${this.token}`;
    return { url, headers };
  }

  /** How errors name this server. */
  private get label(): string {
    return this.options.label ?? this.baseUrl;
  }
}

const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Reads an answer's body, up to `limit` bytes: a proxy that streams 400 MB cannot fill our memory. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number, label: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new InvalidResponseError(label, `it is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The answer as the route's document, or why it is not one. */
function documentOf(text: string, returns: Readonly<Record<string, FieldType>>, label: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const looks = /^\s*</.test(text) ? 'an HTML page (a captive portal, a proxy or a wrong URL?)' : text.trim() === '' ? 'an empty body' : 'not JSON';
    throw new InvalidResponseError(label, looks);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidResponseError(label, 'not a JSON object');
  const doc = value as Record<string, unknown>;
  for (const [field, type] of Object.entries(returns)) {
    const v = doc[field];
    const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? v !== null && typeof v === 'object' && !Array.isArray(v) : typeof v === type && (type !== 'string' || v !== '');
    if (!ok) throw new InvalidResponseError(label, `its ${field} is ${v === undefined ? 'missing' : `not a ${type === 'string' ? 'non-empty string' : type}`}`);
  }
  return value;
}

function toClientError(err: unknown, baseUrl: string, hint: string | undefined): Error {
  const e = err as Error & { statusCode?: number; code?: string };
  // The retry handler gives up on a retriable status with its own error: keep the status.
  if (e.code === 'UND_ERR_REQ_RETRY' && e.statusCode) return new ApiRequestError(e.statusCode, e.statusCode === 429 ? 'rate_limited' : 'unavailable', `server answered ${e.statusCode}`, []);
  return new NetworkError(baseUrl, e, hint);
}
