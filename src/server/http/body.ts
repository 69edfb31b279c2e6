import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../api/errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLarge extends ApiError {
  constructor(limit: number) {
    super('payload_too_large', `request body is larger than ${limit} bytes`);
  }
}

/**
 * Reads a JSON body; an empty body is `{}`. Stops reading at the limit, whatever the framing
 * (Content-Length or chunked). Listeners, not `for await`: leaving an async iterator early
 * destroys the socket before the 413 can be written.
 */
export function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (fn: () => void): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      fn();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // The rest is not read: the answer says Connection: close and the socket goes with it.
        req.pause();
        settle(() => reject(new BodyTooLarge(limit)));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => settle(() => {
      try {
        resolve(parseJson(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
    const onGone = (): void => settle(() => reject(new ApiError('validation_error', 'the request body ended before it was complete')));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('validation_error', 'request body is not valid JSON', [{ field: '(body)', issue: 'invalid_json' }]);
  }
}
