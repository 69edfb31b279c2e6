/**
 * Errors of the OCPP-J RPC layer. Each has a stable `code` (like undici's) so callers branch on
 * the code, never on the message text.
 */

/**
 * What went wrong, in words of our own; a dialect says which CALLERROR code each is on its wire,
 * or that it is not answered at all. The codes that mean the same in 1.6 and 2.0.1 keep their
 * names (`FormatViolation` is 1.6's FormationViolation). The framing faults differ by more than
 * spelling, so they are named for what happened: 1.6 answers an unreadable frame with
 * FormationViolation and ignores an unknown message type; 2.0.1 answers both, with
 * RpcFrameworkError and MessageTypeNotSupported.
 */
export type RpcErrorKind =
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'ProtocolError'
  | 'SecurityError'
  | 'FormatViolation'
  | 'PropertyConstraintViolation'
  | 'OccurrenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'GenericError'
  /** Not JSON, not an array, a message type that is not a number, a CALL whose id cannot be read. */
  | 'UnreadableFrame'
  /** A CALL with fewer than four elements. */
  | 'IncompleteCall'
  /** A CALL with more than four elements, or an action that is not a string. */
  | 'MalformedCall'
  /** A message type number that is not 2, 3 or 4. */
  | 'UnknownMessageType';

export class OcppRpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A CALLERROR: thrown by a handler to answer with that error, or received from the peer in
 * answer to one of our calls (then `errorCode` is the peer's code as sent, `details` as sent).
 */
export class CallError extends OcppRpcError {
  constructor(
    readonly errorCode: string,
    readonly description: string,
    readonly details: unknown = {},
  ) {
    super('ERR_OCPP_CALL_ERROR', description ? `${errorCode}: ${description}` : errorCode);
  }
}

/** Thrown by a handler or the validator with a protocol-neutral kind; the dialect spells it. */
export class RpcViolation extends OcppRpcError {
  constructor(
    readonly kind: RpcErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super('ERR_OCPP_VIOLATION', message);
  }
}

export class CallTimeoutError extends OcppRpcError {
  constructor(
    readonly action: string,
    readonly timeoutMs: number,
  ) {
    super('ERR_OCPP_CALL_TIMEOUT', `${action} got no answer within ${timeoutMs} ms`);
  }
}

export class ConnectionClosedError extends OcppRpcError {
  constructor(readonly reason: string) {
    super('ERR_OCPP_CONNECTION_CLOSED', `OCPP connection closed: ${reason}`);
  }
}

/** Our own outgoing payload does not match the schema: a bug on our side; nothing was sent. */
export class InvalidOutgoingPayloadError extends OcppRpcError {
  constructor(
    readonly schema: string,
    readonly reason: string,
  ) {
    super('ERR_OCPP_INVALID_OUTGOING', `refusing to send ${schema}: ${reason}`);
  }
}

/** The peer answered our call with a payload that does not match the response schema. */
export class InvalidResponseError extends OcppRpcError {
  constructor(
    readonly action: string,
    readonly reason: string,
    readonly payload: unknown,
  ) {
    super('ERR_OCPP_INVALID_RESPONSE', `${action} response is invalid: ${reason}`);
  }
}

/** Too many calls waiting to be sent on one connection. */
export class CallQueueFullError extends OcppRpcError {
  constructor(readonly limit: number) {
    super('ERR_OCPP_QUEUE_FULL', `more than ${limit} calls waiting on this connection`);
  }
}
