import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DownloadGrant, FileGrants, UploadGrant } from './grants.js';
import { BodyRefused, receiveFile } from './receive.js';

export interface FileServerLimits {
  /** Downloads served at once; more wait their turn with 503 and Retry-After (chargers retry). */
  maxDownloads: number;
  maxUploads: number;
  /** A transfer that moves no byte for this long is cut. */
  idleTimeoutMs: number;
}

export const DEFAULT_FILE_SERVER_LIMITS: FileServerLimits = { maxDownloads: 32, maxUploads: 8, idleTimeoutMs: 60_000 };

/** Where the file server answers, on the OCPP listener: `/files/<token>[/<file name>]`. */
export const FILES_PREFIX = '/files/';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Sockets whose idle limit is set: once per keep-alive socket, not once per request. */
const timed = new WeakSet<object>();

/**
 * Serves the files the local server hands to charge points over plain HTTP(S) on the OCPP
 * port: firmware to download (GET/HEAD, one byte range per request for chargers that resume) and
 * diagnostics to upload (PUT, or POST raw or multipart/form-data). Every URL carries a one-time
 * token (grants.ts); without a valid one the answer is 404, whatever the path. An upload is
 * written to a temporary file in its grant's folder and renamed into place only once complete and
 * within its size limit, so a half-sent or oversize file is never seen; its name is ours, so a
 * charger cannot write anywhere but that folder.
 */
export class FileServer {
  private downloads = 0;
  private uploads = 0;

  constructor(
    readonly grants: FileGrants,
    private readonly limits: FileServerLimits = DEFAULT_FILE_SERVER_LIMITS,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Whether this request is the file server's (its path starts with /files/). */
  static handles(req: IncomingMessage): boolean {
    return (req.url ?? '').startsWith(FILES_PREFIX);
  }

  get active(): { downloads: number; uploads: number } {
    return { downloads: this.downloads, uploads: this.uploads };
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    if (!timed.has(socket)) {
      timed.add(socket);
      socket.setTimeout(this.limits.idleTimeoutMs, () => socket.destroy());
    }
    this.route(req, res).catch((err: unknown) => {
      this.onError(err);
      if (res.headersSent) res.destroy();
      else answer(res, 500, 'internal error');
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!.slice(FILES_PREFIX.length);
    const [token = '', ...rest] = path.split('/');
    const grant = TOKEN.test(token) && rest.length <= 1 ? this.grants.get(token) : undefined;
    if (!grant) {
      req.resume();
      answer(res, 404, 'not found');
      return;
    }
    const method = req.method ?? 'GET';
    if (grant.kind === 'download' && rest.length === 0 && (method === 'GET' || method === 'HEAD')) return this.download(req, res, grant);
    if (grant.kind === 'upload' && (method === 'PUT' || method === 'POST')) return this.upload(req, res, token, grant, rest[0]);
    req.resume();
    res.setHeader('Allow', grant.kind === 'download' ? 'GET, HEAD' : 'PUT, POST');
    answer(res, 405, 'method not allowed');
  }

  private async download(req: IncomingMessage, res: ServerResponse, grant: DownloadGrant): Promise<void> {
    const size = grant.size;
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${size}`);
      answer(res, 416, 'range not satisfiable');
      return;
    }
    const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' };
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    if (grant.sha256) headers['Repr-Digest'] = `sha-256=:${Buffer.from(grant.sha256, 'hex').toString('base64')}:`;
    headers['Content-Length'] = Math.max(0, end - start + 1);
    if (req.method === 'HEAD') {
      res.writeHead(range ? 206 : 200, headers);
      res.end();
      return;
    }
    if (this.downloads >= this.limits.maxDownloads) return busy(res, 'downloads');
    this.downloads += 1;
    try {
      res.writeHead(range ? 206 : 200, headers);
      if (size === 0) {
        res.end();
        return;
      }
      await new Promise<void>((resolve) => {
        const file = createReadStream(grant.path, { start, end });
        file.on('data', (chunk) => grant.onServed?.(chunk.length));
        file.on('error', () => res.destroy());
        res.on('close', () => {
          file.destroy();
          resolve();
        });
        file.pipe(res);
      });
    } finally {
      this.downloads -= 1;
    }
  }

  private async upload(req: IncomingMessage, res: ServerResponse, token: string, grant: UploadGrant, pathName: string | undefined): Promise<void> {
    if (this.uploads >= this.limits.maxUploads) return busy(res, 'uploads');
    this.uploads += 1;
    // Taken now: a second upload to the same URL, even while this one runs, is a 404.
    this.grants.revoke(token);
    try {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = await receiveFile(req, grant.dir, grant.maxBytes, (hint) => `${stamp}-${randomBytes(3).toString('hex')}-${safeName(hint ?? pathName)}`);
      grant.onStored?.(file);
      answer(res, 201, 'stored');
    } catch (err) {
      if (!(err instanceof BodyRefused)) throw err;
      refuseBody(res, err.status, err.message);
    } finally {
      this.uploads -= 1;
    }
  }
}

/** A file name for the data directory from what a charger sent: its last segment, safe characters only, at most 100. */
export function safeName(hint: string | undefined | null): string {
  let text = hint ?? '';
  try {
    text = decodeURIComponent(text);
  } catch {
    // Kept as sent; the filter below removes what matters.
  }
  const last = text.split(/[\\/]/).pop() ?? '';
  const cleaned = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(-100);
  return cleaned || 'upload.bin';
}

/** One `bytes=` range (RFC 9110 §14): null for none or several (the whole file is sent). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return null;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  if (start >= size) return 'unsatisfiable';
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (end < start) return null;
  return { start, end };
}

function answer(res: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Chargers retry a 503 that says when; the body of an upload is not read. */
function busy(res: ServerResponse, what: string): void {
  res.setHeader('Retry-After', '5');
  refuseBody(res, 503, `busy: too many ${what} at once; try again shortly`);
}

/** Answers without reading the rest of the body, and closes the connection once the answer is out. */
function refuseBody(res: ServerResponse, status: number, text: string): void {
  res.setHeader('Connection', 'close');
  answer(res, status, text);
}
