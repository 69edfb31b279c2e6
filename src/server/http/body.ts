import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../api/errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLarge extends ApiError {
  constructor(limit: number) {
    super('payload_too_large', `request body is larger than ${limit} bytes`);
  }
}

/** Reads a JSON body; an empty body is `{}`. Stops reading at the limit. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('validation_error', 'request body is not valid JSON', [{ field: '(body)', issue: 'invalid_json' }]);
  }
}
