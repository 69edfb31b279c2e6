/**
 * OCPP-J framing (OCPP-J 1.6 §4): CALL [2,id,action,payload], CALLRESULT [3,id,payload],
 * CALLERROR [4,id,code,description,details].
 */
import type { RpcErrorKind } from './errors.js';

export const CALL = 2;
export const CALLRESULT = 3;
export const CALLERROR = 4;

export type CallFrame = { type: typeof CALL; id: string; action: string; payload: unknown };
export type CallResultFrame = { type: typeof CALLRESULT; id: string; payload: unknown };
export type CallErrorFrame = {
  type: typeof CALLERROR;
  id: string;
  code: string;
  description: string;
  details: unknown;
};
export type Frame = CallFrame | CallResultFrame | CallErrorFrame;

/**
 * What to do with text that is not a well-formed frame.
 * - `reply`: answer with a CALLERROR of `kind` to `id` ("-1" when no id could be read, the
 *   convention OCPP-J 2.0.1 made explicit; 1.6 has no rule for it, and a peer drops a reply to
 *   an id it never sent).
 * - `ignore`: drop it and log (OCPP-J 1.6 §4.1.3: an unknown message type number is ignored; a
 *   malformed reply cannot be answered).
 */
export type FrameProblem =
  | { action: 'reply'; id: string; kind: RpcErrorKind; message: string }
  | { action: 'ignore'; message: string };

export type ParseResult = { ok: true; frame: Frame } | { ok: false; problem: FrameProblem };

/** The spec caps message ids at 36 characters. */
const MAX_ID_LENGTH = 36;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return reply('-1', 'UnreadableFrame', 'message is not valid JSON');
  }
  if (!Array.isArray(value)) return reply('-1', 'UnreadableFrame', 'message is not a JSON array');
  const [type, id] = value as unknown[];
  if (typeof type !== 'number') {
    return reply('-1', 'UnreadableFrame', 'message type is not a number');
  }
  const idOk = typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;
  if (type !== CALL && type !== CALLRESULT && type !== CALLERROR) {
    // Answered or ignored as the dialect says (2.0.1 answers, 1.6 ignores).
    return reply(idOk ? id : '-1', 'UnknownMessageType', `unknown message type ${type}`);
  }
  if (type === CALL) {
    if (!idOk) return reply('-1', 'UnreadableFrame', 'message id is not a string of 1-36 characters');
    if (value.length < 4) return reply(id, 'IncompleteCall', `CALL has ${value.length} elements, expected 4`);
    if (value.length > 4) return reply(id, 'MalformedCall', `CALL has ${value.length} elements, expected 4`);
    const [, , action, payload] = value as unknown[];
    if (typeof action !== 'string' || action.length === 0) {
      return reply(id, 'MalformedCall', 'action is not a string');
    }
    if (!isObject(payload)) return reply(id, 'FormatViolation', 'payload is not a JSON object');
    return { ok: true, frame: { type: CALL, id, action, payload } };
  }
  if (!idOk) return ignore('reply with an unreadable message id');
  if (type === CALLRESULT) {
    if (value.length !== 3) return ignore(`CALLRESULT has ${value.length} elements, expected 3`);
    return { ok: true, frame: { type: CALLRESULT, id, payload: value[2] } };
  }
  // Some firmware omits the details element or sends a string there: accept both.
  if (value.length < 4 || value.length > 5 || typeof value[2] !== 'string') {
    return ignore(`CALLERROR is malformed (${value.length} elements)`);
  }
  const description = typeof value[3] === 'string' ? value[3] : String(value[3] ?? '');
  return {
    ok: true,
    frame: { type: CALLERROR, id, code: value[2], description, details: value[4] ?? {} },
  };
}

function reply(id: string, kind: RpcErrorKind, message: string): ParseResult {
  return { ok: false, problem: { action: 'reply', id, kind, message } };
}

function ignore(message: string): ParseResult {
  return { ok: false, problem: { action: 'ignore', message } };
}

export const serializeCall = (id: string, action: string, payload: unknown): string =>
  JSON.stringify([CALL, id, action, payload]);

export const serializeResult = (id: string, payload: unknown): string =>
  JSON.stringify([CALLRESULT, id, payload]);

export const serializeError = (id: string, code: string, description: string, details: unknown = {}): string =>
  JSON.stringify([CALLERROR, id, code, description, details]);
