/**
 * What a simulated charger does with a file URL, in either OCPP version: downloads firmware over
 * HTTP(S) as real firmware does (checking the length, and the digest when the server sends one;
 * resuming with a byte range when the link drops half-way) and uploads a diagnostics file. The
 * image's first line may name the version it installs (`DYNAMO-SIM-FIRMWARE 2.0.0`), so a test or
 * a benchmark can tell a simulator which version to come back with.
 */
import { createHash } from 'node:crypto';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface DownloadedImage {
  size: number;
  sha256: string;
  /** The version its header names, if any. */
  version: string | null;
  /** How many requests it took (more than one: it resumed). */
  requests: number;
}

export interface TransferOptions {
  /** Cut the first request after this many bytes (a link lost half-way), then resume. */
  dropAtBytes?: number;
  /** Take the download as corrupt, whatever came (a checksum failure). */
  corrupt?: boolean;
  /** CA certificate(s) for https:// (the site's self-signed one). */
  ca?: string | Buffer;
  timeoutMs?: number;
}

export class TransferFailed extends Error {}

export type { FirmwareFailure } from './firmware-failures.js';

/** The version an image installs: the one its header names, else the old one marked updated. */
export const versionAfter = (image: DownloadedImage, previous: string): string => image.version ?? `${previous}-updated`;

const HEADER = /^DYNAMO-SIM-FIRMWARE ([\x21-\x7e]{1,50})\r?\n/;
const MAX_ATTEMPTS = 4;
const MAX_BUSY = 60;

export async function downloadFirmware(location: string, options: TransferOptions = {}): Promise<DownloadedImage> {
  const url = new URL(location);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TransferFailed(`${url.protocol} is not HTTP`);
  const hash = createHash('sha256');
  let received = 0;
  let total: number | null = null;
  let digest: string | null = null;
  let head = Buffer.alloc(0);
  let busy = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const res = await get(url, received > 0 ? { Range: `bytes=${received}-` } : {}, options);
    // A server serving others now says when to come back: firmware waits its turn (a while at most).
    if (res.statusCode === 503 && busy < MAX_BUSY) {
      res.resume();
      busy += 1;
      attempt -= 1;
      await new Promise((r) => setTimeout(r, Math.min(30, Number(res.headers['retry-after']) || 5) * 1000));
      continue;
    }
    if (received > 0 ? res.statusCode !== 206 : res.statusCode !== 200) {
      res.resume();
      throw new TransferFailed(`GET answered ${res.statusCode}`);
    }
    if (received > 0 && !String(res.headers['content-range'] ?? '').startsWith(`bytes ${received}-`)) {
      res.resume();
      throw new TransferFailed('the resumed download did not start where it stopped');
    }
    total ??= Number(received > 0 ? String(res.headers['content-range']).split('/')[1] : res.headers['content-length']);
    digest ??= sha256Of(res.headers['repr-digest']);
    const cutAt = attempt === 1 ? options.dropAtBytes : undefined;
    const complete = await new Promise<boolean>((resolve) => {
      res.on('data', (chunk: Buffer) => {
        const piece = cutAt !== undefined && received + chunk.length > cutAt ? chunk.subarray(0, cutAt - received) : chunk;
        received += piece.length;
        hash.update(piece);
        if (head.length < 128) head = Buffer.concat([head, piece.subarray(0, 128 - head.length)]);
        if (piece.length < chunk.length) {
          res.destroy();
          resolve(false);
        }
      });
      res.on('end', () => resolve(true));
      res.on('error', () => resolve(false));
      res.on('aborted', () => resolve(false));
    });
    if (!complete || (total !== null && received < total)) continue;
    if (total !== null && Number.isFinite(total) && received !== total) throw new TransferFailed(`received ${received} bytes of ${total}`);
    const sha256 = hash.digest('hex');
    if (options.corrupt || (digest !== null && digest !== sha256)) throw new TransferFailed('the checksum does not match');
    return { size: received, sha256, version: HEADER.exec(head.toString('latin1'))?.[1] ?? null, requests: attempt };
  }
  throw new TransferFailed(`the download broke off ${MAX_ATTEMPTS} times (${received} bytes)`);
}

/** Uploads `content` as a file by HTTP PUT (what most firmware does with an http:// location). */
export async function uploadFile(location: string, fileName: string, content: Buffer, options: TransferOptions = {}): Promise<void> {
  const url = new URL(location);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TransferFailed(`${url.protocol} is not HTTP`);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(fileName)}`;
  const res = await send(url, 'PUT', { 'Content-Type': 'application/octet-stream', 'Content-Length': String(content.length) }, options, content);
  res.resume();
  if (res.statusCode === undefined || res.statusCode >= 300) throw new TransferFailed(`PUT answered ${res.statusCode}`);
}

function sha256Of(header: string | string[] | undefined): string | null {
  const match = /sha-256=:([A-Za-z0-9+/=]+):/.exec(String(header ?? ''));
  return match ? Buffer.from(match[1]!, 'base64').toString('hex') : null;
}

const get = (url: URL, headers: Record<string, string>, options: TransferOptions): Promise<IncomingMessage> => send(url, 'GET', headers, options);

function send(url: URL, method: string, headers: Record<string, string>, options: TransferOptions, body?: Buffer): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: options.timeoutMs ?? 30_000, ...(options.ca && { ca: options.ca }) }, resolve);
    req.on('timeout', () => req.destroy(new TransferFailed('the server stopped answering')));
    req.on('error', (err) => reject(new TransferFailed(err.message)));
    req.end(body);
  });
}

/** What a simulated charger uploads when asked for its diagnostics or log: a few lines that say what it is. */
export function diagnosticsFile(logType: string, at: Date): Buffer {
  const lines = [`# ${logType} of a simulated charger, ${at.toISOString()}`];
  for (let i = 0; i < 200; i += 1) lines.push(`${new Date(at.getTime() - (200 - i) * 1000).toISOString()} INFO heartbeat ok, uptime ${i * 60} s`);
  return Buffer.from(`${lines.join('\n')}\n`);
}
