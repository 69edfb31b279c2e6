/**
 * API error codes: the reference's table plus design.md's additions. The HTTP status of each
 * code is decided here and nowhere else.
 */
export const API_ERROR_STATUS = {
  validation_error: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  session_already_running: 409,
  not_connected: 409,
  checks_not_passed: 409,
  no_active_session: 409,
  invalid_session_state: 409,
  already_exists: 409,
  payload_too_large: 413,
  already_commissioned: 422,
  rate_limited: 429,
  internal_error: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface ApiErrorDetail {
  field?: string;
  issue?: string;
  [key: string]: unknown;
}

export interface ErrorBody {
  error: { code: string; message: string; details: ApiErrorDetail[] };
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: ApiErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const isApiErrorCode = (code: string): code is ApiErrorCode => Object.hasOwn(API_ERROR_STATUS, code);
