import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AnyChargePoint } from '../../src/ocpp/csms/charge-point.js';
import { until } from '../helpers/ocpp.js';
import { startServer, type TestServer } from '../helpers/server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP exchange with the path sent exactly as given (no URL normalisation of `..`). */
function exchange(url: string, method: string, path: string | null, options: { headers?: Record<string, string | number>; body?: Buffer | string; chunks?: Buffer[] } = {}): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path: path ?? target.pathname, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // A server that refuses a body early may close while it is still being sent.
    req.on('error', reject);
    if (options.chunks) for (const chunk of options.chunks) req.write(chunk);
    req.end(options.body);
  });
}

const pathOf = (url: string): string => new URL(url).pathname;
const filesIn = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

describe.each([
  { ports: 'its own OCPP port', options: { ocppPort: 0, ocppHost: '127.0.0.1' } },
  { ports: 'a port shared with the API', options: {} },
])('the file server on $ports', ({ options }) => {
  let t: TestServer;
  let cp: AnyChargePoint;
  const image = randomBytes(300_000);
  let imagePath: string;
  beforeAll(async () => {
    t = await startServer({ ...options, limits: { files: { maxDownloads: 1 } } });
    await t.station('CP-FILES', '1.6');
    cp = t.server.csms.chargePoint('CP-FILES')!;
    imagePath = join(t.dataDir, 'image.bin');
    writeFileSync(imagePath, image);
  });
  afterAll(async () => t.stop());

  const offer = (ttlMs = 60_000) => {
    const served: number[] = [];
    const made = t.server.files.offerDownload(cp, { path: imagePath, size: image.length, onServed: (n) => served.push(n) }, ttlMs);
    return { ...made, served: () => served.reduce((a, b) => a + b, 0) };
  };

  test('a download URL is on the address the charger connected to, and serves the file whole, by range and by suffix', async () => {
    const { url, served, revoke } = offer();
    const ocpp = new URL(t.server.ocppUrl);
    expect(new URL(url).host).toBe(ocpp.host);
    expect(pathOf(url)).toMatch(/^\/files\/[A-Za-z0-9_-]{43}$/);
    const whole = await exchange(url, 'GET', null);
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(image)).toBe(true);
    // A charger that lost its link at 100,000 bytes resumes there.
    const rest = await exchange(url, 'GET', null, { headers: { Range: 'bytes=100000-' } });
    expect(rest.status).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes 100000-${image.length - 1}/${image.length}`);
    expect(rest.body.equals(image.subarray(100_000))).toBe(true);
    const tail = await exchange(url, 'GET', null, { headers: { Range: 'bytes=-10' } });
    expect(tail.body.equals(image.subarray(image.length - 10))).toBe(true);
    const beyond = await exchange(url, 'GET', null, { headers: { Range: `bytes=${image.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${image.length}`);
    const head = await exchange(url, 'HEAD', null);
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(image.length);
    expect(served()).toBe(image.length * 2 - 100_000 + 10);
    revoke();
    expect((await exchange(url, 'GET', null)).status).toBe(404);
  });

  test('no token, a wrong or guessed one, an expired one and a path around one are all 404', async () => {
    const { url } = offer(200);
    const token = pathOf(url).split('/')[2]!;
    for (const path of ['/files/', `/files/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, `/files/${token.toLowerCase()}`, `/files/${token}/x/y`, `/files/../files/${token}x`, `/files/%2e%2e/${token}`]) {
      const r = await exchange(url, 'GET', path);
      expect(r.status, path).toBe(404);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await exchange(url, 'GET', null)).status).toBe(404);
  });

  test('downloads beyond the bound wait their turn with 503 and Retry-After', async () => {
    const big = join(t.dataDir, 'big.bin');
    writeFileSync(big, randomBytes(16 * 1024 * 1024));
    const first = t.server.files.offerDownload(cp, { path: big, size: 16 * 1024 * 1024 }, 60_000);
    const target = new URL(first.url);
    // Reads nothing, so the download stays in progress.
    const stalled = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      request({ host: target.hostname, port: target.port, path: target.pathname }, resolve).on('error', reject).end();
    });
    stalled.pause();
    const second = offer();
    const busy = await exchange(second.url, 'GET', null);
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
    stalled.destroy();
    await until(() => t.server.files.server.active.downloads === 0, 5000, 'the stalled download to end');
    expect((await exchange(second.url, 'GET', null)).status).toBe(200);
    first.revoke();
  });

  const uploadOffer = (maxBytes = 100_000) => {
    const stored: { path: string; size: number }[] = [];
    const made = t.server.files.offerUpload(cp, { maxBytes, onStored: (f) => stored.push(f) }, 60_000);
    return { ...made, stored };
  };

  test('an upload by PUT lands once, atomically, 0600 in a 0700 folder of its charge point; the URL is then spent', async () => {
    const { url, stored } = uploadOffer();
    const body = randomBytes(50_000);
    const r = await exchange(url, 'PUT', `${pathOf(url)}/diag.tar.gz`, { body });
    expect(r.status).toBe(201);
    expect(stored).toHaveLength(1);
    const file = stored[0]!;
    expect(readFileSync(file.path).equals(body)).toBe(true);
    expect(file.path.endsWith('-diag.tar.gz')).toBe(true);
    expect(dirname(file.path)).toBe(t.server.files.uploadsDir('CP-FILES'));
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file.path)).mode & 0o777).toBe(0o700);
    expect(filesIn(dirname(file.path)).filter((n) => n.endsWith('.part'))).toEqual([]);
    expect((await exchange(url, 'PUT', null, { body })).status).toBe(404);
  });

  test('an upload by POST multipart/form-data keeps the file part only, whatever fields come first', async () => {
    const { url, stored } = uploadOffer();
    const content = Buffer.concat([randomBytes(20_000), Buffer.from('\r\n--not-the-boundary\r\n'), randomBytes(10)]);
    const boundary = '----dynamo' + randomBytes(6).toString('hex');
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="cp"\r\n\r\nCP-FILES\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../../etc/log.txt"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    // Sent in small pieces, so boundaries fall across chunks.
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += 7) chunks.push(body.subarray(i, i + 7));
    const r = await exchange(url, 'POST', null, { headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, chunks });
    expect(r.status).toBe(201);
    expect(readFileSync(stored[0]!.path).equals(content)).toBe(true);
    expect(stored[0]!.path.startsWith(t.server.files.uploadsDir('CP-FILES'))).toBe(true);
    expect(stored[0]!.path.endsWith('-log.txt')).toBe(true);
  });

  test('a charger cannot write anywhere but its folder: traversal in the path or the name ends up there, sanitised', async () => {
    const dir = t.server.files.uploadsDir('CP-FILES');
    const before = new Set(readdirSync(t.dataDir));
    for (const name of ['..%2F..%2F..%2Fescaped', '..', '%2e%2e', '..%5C..%5Cescaped', '.hidden']) {
      const { url, stored } = uploadOffer();
      const r = await exchange(url, 'PUT', `${pathOf(url)}/${name}`, { body: 'x' });
      expect(r.status, name).toBe(201);
      expect(dirname(stored[0]!.path), name).toBe(dir);
      expect(stored[0]!.path.slice(dir.length + 1)).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(stored[0]!.path.slice(dir.length + 1)).not.toMatch(/^\./);
    }
    const { url } = uploadOffer();
    expect((await exchange(url, 'PUT', `${pathOf(url)}/../../escaped`, { body: 'x' })).status).toBe(404);
    expect((await exchange(url, 'PUT', `${pathOf(url)}/a/b`, { body: 'x' })).status).toBe(404);
    expect(new Set(readdirSync(t.dataDir))).toEqual(before);
  });

  test('an oversize upload is refused, declared or not, and leaves nothing behind', async () => {
    const dir = t.server.files.uploadsDir('CP-FILES');
    const before = filesIn(dir).length;
    const declared = uploadOffer(1000);
    expect((await exchange(declared.url, 'PUT', null, { body: randomBytes(200_000) }).catch(() => ({ status: 413 }))).status).toBe(413);
    const chunked = uploadOffer(1000);
    const r = await exchange(chunked.url, 'PUT', null, { headers: { 'Transfer-Encoding': 'chunked' }, chunks: [randomBytes(800), randomBytes(800)] }).catch(() => ({ status: 413 }));
    expect(r.status).toBe(413);
    // The half-written file goes once the refused stream has closed, a moment after the answer.
    await until(() => filesIn(dir).length === before, 5000, 'the refused uploads leave no file');
    expect(chunked.stored).toEqual([]);
  });

  test('a broken multipart body is a 400 and stores nothing; a method the URL is not for is a 405', async () => {
    const { url, stored } = uploadOffer();
    const r = await exchange(url, 'POST', null, { headers: { 'Content-Type': 'multipart/form-data; boundary=abc' }, body: '--abc\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nno end' });
    expect(r.status).toBe(400);
    expect(stored).toEqual([]);
    const download = offer();
    expect((await exchange(download.url, 'PUT', null, { body: 'x' })).status).toBe(405);
    expect((await exchange(uploadOffer().url, 'GET', null)).status).toBe(405);
    download.revoke();
  });
});
