import type { ApiErrorDetail } from './errors.js';

/** The server answered with an error status; `code` is the API's error code. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  /** What the command that got it suggests, when it knows better than the code alone. */
  hint?: string;
}

const FRIENDLY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed (no DNS)',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'answer stalled',
  UND_ERR_SOCKET: 'connection dropped',
  UND_ERR_ABORTED: 'no complete answer in time',
  ABORT_ERR: 'no complete answer in time',
};

/** The server could not be reached or did not answer: the installer is probably offline. */
export class NetworkError extends Error {
  readonly code = 'ERR_NETWORK';
  readonly reason: string;

  constructor(
    readonly url: string,
    cause: Error & { code?: string },
    /** What to do about it, when the caller knows better than "check the connection". */
    readonly hint?: string,
  ) {
    const code = cause.code ?? (cause.cause as { code?: string } | undefined)?.code;
    const timedOut = cause.name === 'TimeoutError' || cause.name === 'AbortError';
    const reason = (typeof code === 'string' && FRIENDLY[code]) || (timedOut ? 'no complete answer in time' : cause.message);
    super(`cannot reach ${url} (${reason})`, { cause });
    this.reason = reason;
    this.name = 'NetworkError';
  }
}

/**
 * The server answered 2xx, but not with the API's document: a captive portal's page, a proxy's
 * empty body, a wrong URL, an answer too large or too slow. Nothing it said is taken as done.
 */
export class InvalidResponseError extends Error {
  readonly code = 'ERR_INVALID_RESPONSE';

  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`the answer from ${url} is not the installer API's: ${reason}`);
    this.name = 'InvalidResponseError';
  }
}

/** A remote server's error message is shown in one line: no more of it than that can use. */
const MESSAGE_LIMIT = 500;

/**
 * The error a non-2xx answer stands for. `read` is what the client does to every answer from
 * the server (make its text terminal-safe): an error is text from the same server, and reaches
 * the same terminal (stderr, the session view, the sync lines).
 */
export function errorFromBody(status: number, text: string, read: (value: unknown) => unknown = (v) => v): ApiRequestError {
  const parsed = parseErrorBody(status, text);
  const clipped = parsed.message.length > MESSAGE_LIMIT ? `${parsed.message.slice(0, MESSAGE_LIMIT)}…` : parsed.message;
  return new ApiRequestError(status, String(read(parsed.code)), String(read(clipped)), read(parsed.details) as ApiErrorDetail[]);
}

/**
 * Reads an error answer. Ours is {"error":{"code","message","details"}}; the hosted API may
 * also answer {"code": ...} or {"error": "<code>"}: all three give the same error.
 */
function parseErrorBody(status: number, text: string): { code: string; message: string; details: ApiErrorDetail[] } {
  const error = (code: string, message: string, details: ApiErrorDetail[] = []) => ({ code, message, details });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return error(fallbackCode(status), text.trim().slice(0, 200) || `HTTP ${status}`);
  }
  const o = (data ?? {}) as Record<string, unknown>;
  const nested = o['error'];
  if (nested && typeof nested === 'object') {
    const e = nested as Record<string, unknown>;
    return error(String(e['code'] ?? fallbackCode(status)), String(e['message'] ?? `HTTP ${status}`), asDetails(e['details']));
  }
  if (typeof nested === 'string') return error(nested, String(o['message'] ?? o['error_description'] ?? nested), asDetails(o['details']));
  if (typeof o['code'] === 'string') return error(o['code'], String(o['message'] ?? o['code']), asDetails(o['details']));
  return error(fallbackCode(status), `HTTP ${status}`);
}

function asDetails(value: unknown): ApiErrorDetail[] {
  return Array.isArray(value) ? (value.filter((d) => d && typeof d === 'object') as ApiErrorDetail[]) : [];
}

function fallbackCode(status: number): string {
  if (status === 400) return 'validation_error';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'unavailable' : 'http_error';
}
