import type { Dispatcher } from 'undici';
import { Agent, request, retryInterceptor } from './transport.js';
import { backoffDelay } from '../common/backoff.js';
import type {
  AddChargePointRequest,
  AddChargePointResponse,
  ApplyTemplateResponse,
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
}

interface SendOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
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

  localChargePoints(): Promise<LocalChargePointsResponse> {
    return this.send('localChargePoints');
  }

  addLocalChargePoint(body: AddChargePointRequest): Promise<AddChargePointResponse> {
    return this.send('addLocalChargePoint', { body });
  }

  removeLocalChargePoint(chargePointId: string): Promise<{ id: string; removed: boolean }> {
    return this.send('removeLocalChargePoint', { params: { charge_point_id: chargePointId } });
  }

  private async send<T>(name: RouteName, options: SendOptions = {}): Promise<T> {
    const route = ROUTES[name];
    // Appended, not resolved, so a base URL with a path prefix keeps it.
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}${buildPath(route.path, options.params)}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.options.userAgent ?? 'dynamo', ...options.headers };
    if (this.token && !('auth' in route && route.auth === false)) headers['authorization'] = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
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
        method: route.method,
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
    if (status < 200 || status >= 300) throw errorFromBody(status, text, this.options.readAnswer);
    const document = documentOf(text, route.returns, this.label);
    return (this.options.readAnswer ? this.options.readAnswer(document) : document) as T;
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
