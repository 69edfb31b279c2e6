import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { ensurePrivateDir } from '../../common/private-files.js';
import { MultipartError, MultipartFile, multipartBoundary } from './multipart.js';

/** A body refused, with the HTTP status that says why (400 malformed or cut short, 413 too large). */
export class BodyRefused extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

export interface ReceivedFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Streams a request's body (raw, or the file part of a multipart/form-data POST) into `dir`,
 * within `maxBytes`: a temporary file (0600, in a 0700 folder), fsync, then a rename to the name
 * `nameFor` gives once complete, so a half-sent or oversize body never appears under a real name
 * and leaves nothing behind. `nameFor` gets the sender's name for the file, as sent.
 */
export async function receiveFile(req: IncomingMessage, dir: string, maxBytes: number, nameFor: (hint: string | null) => string): Promise<ReceivedFile> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  // Multipart framing adds a little around the file itself.
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw new BodyRefused(413, `larger than ${maxBytes} bytes`);
  const multipartType = req.method === 'POST' && /^multipart\//i.test(req.headers['content-type'] ?? '');
  const boundary = multipartType ? multipartBoundary(req.headers['content-type']) : null;
  if (multipartType && !boundary) throw new BodyRefused(400, 'a multipart body needs a boundary');
  ensurePrivateDir(dir);
  const temp = join(dir, `.receiving-${randomBytes(8).toString('hex')}.part`);
  const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
  const hash = createHash('sha256');
  let size = 0;
  const write = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > maxBytes) throw new BodyRefused(413, `larger than ${maxBytes} bytes`);
    hash.update(chunk);
    if (!out.write(chunk)) req.pause();
  };
  out.on('drain', () => req.resume());
  const multipart = boundary ? new MultipartFile(boundary, write) : null;
  try {
    await new Promise<void>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        try {
          if (multipart) multipart.push(chunk);
          else write(chunk);
        } catch (err) {
          req.pause();
          reject(err);
        }
      });
      req.on('end', () => {
        try {
          multipart?.end();
          resolve();
        } catch (err) {
          reject(err);
        }
      });
      req.on('close', () => reject(new BodyRefused(400, 'the body ended before it was complete')));
      out.on('error', reject);
    });
    await closeSynced(out, temp);
    const path = join(dir, nameFor(multipart ? multipart.fileName : null));
    await rename(temp, path);
    return { path, size, sha256: hash.digest('hex') };
  } catch (err) {
    out.destroy();
    await rm(temp, { force: true });
    if (err instanceof MultipartError) throw new BodyRefused(400, err.message);
    throw err;
  }
}

/** Closes the file and makes its bytes durable: a power cut must not leave a renamed file with none in it. */
async function closeSynced(out: WriteStream, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
  const file = await open(path, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}
