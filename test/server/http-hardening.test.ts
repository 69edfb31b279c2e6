import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalUp, stop, tempDir } from '../../bench/lib.mjs';
import { rawHttp as rawRequest } from '../hardening/lib.mjs';
import { cpPath, http } from '../helpers/http.js';
import { until } from '../helpers/ocpp.js';
import { startServer, type TestServer } from '../helpers/server.js';

let t: TestServer;
let port: number;
beforeAll(async () => {
  t = await startServer();
  port = Number(new URL(t.server.apiUrl).port);
});
afterAll(async () => t.stop());

const alive = async (): Promise<void> => {
  const r = await http(t.server.apiUrl, 'GET', '/healthz');
  expect(r.status).toBe(200);
};

const chunkedOverLimit = (): string[] => {
  const mb = 1 << 20;
  const body = 'x'.repeat(mb);
  return [
    'POST /api/v1/installer/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    `${mb.toString(16)}\r\n${body}\r\n`,
    `${mb.toString(16)}\r\n${body}\r\n`,
    '0\r\n\r\n',
  ];
};

test('dynamo local up survives a chunked body over 1 MB: 413, that socket closed, everyone else served', async () => {
  const dataDir = tempDir();
  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0']);
  try {
    const r = await rawRequest(Number(new URL(server.apiUrl).port), chunkedOverLimit());
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text).toContain('payload_too_large');
    expect(r.closed).toBe(true);
    await new Promise((res) => setTimeout(res, 200));
    expect(server.child.exitCode).toBeNull();
    expect((await http(server.apiUrl, 'GET', '/healthz')).status).toBe(200);
    expect(server.stderr()).not.toMatch(/TypeError|unhandled|uncaught/i);
  } finally {
    await stop(server.child);
  }
});

describe('request bodies the pipeline must survive', () => {
  test('a chunked body over 1 MB: 413, that socket closed, the server serving everyone else', async () => {
    const r = await rawRequest(port, chunkedOverLimit());
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text).toContain('payload_too_large');
    expect(r.closed).toBe(true);
    await alive();
  });

  test('a Content-Length over 1 MB is refused before it is read', async () => {
    const r = await rawRequest(port, [`POST /api/v1/installer/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${5 << 20}\r\n\r\n{"a":`]);
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.closed).toBe(true);
    await alive();
  });

  test('a body trickled a byte at a time is still read (slowly, bounded by the request timeout)', async () => {
    const json = JSON.stringify({ email: 'nobody@example.com', password: 'x' });
    const head = `POST /api/v1/installer/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\nConnection: close\r\n\r\n`;
    const r = await rawRequest(port, [head, ...json.split('')], { gapMs: 5 });
    expect(r.text).toMatch(/^HTTP\/1\.1 401 /);
    await alive();
  });

  test('a body aborted half-way: nothing answered, nothing broken', async () => {
    const head = 'POST /api/v1/installer/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    await rawRequest(port, [head, '10\r\n{"email":"a@b.c"', '\r\n', '5\r\n', '0\r\n\r\n'], { abortAfter: 2 });
    await rawRequest(port, [head.replace('Transfer-Encoding: chunked', 'Content-Length: 400'), '{"email":'], { abortAfter: 1 });
    await alive();
  });
});

describe('a handler that throws is one 500, never the end of the server', () => {
  test('a route handler throwing a TypeError answers 500 internal_error without internals, and the next request is served', async () => {
    const engine = t.server.engine as unknown as { status: (id: string) => unknown };
    const original = engine.status;
    engine.status = () => {
      throw new TypeError("Cannot read properties of null (reading 'secretInternals')");
    };
    try {
      const r = await http(t.server.apiUrl, 'GET', cpPath('CP-X', 'status'), { token: t.token });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ error: { code: 'internal_error', message: 'internal server error', details: [] } });
      expect(JSON.stringify(r.body)).not.toContain('secretInternals');
      expect(t.lines.some((l) => l.includes('internal error on GET') && l.includes('secretInternals'))).toBe(true);
    } finally {
      engine.status = original;
    }
    await alive();
  });

  test('a handler whose answer cannot be serialised, or that throws a non-Error, is a 500 too', async () => {
    const engine = t.server.engine as unknown as { diagnostics: (id: string) => unknown; status: (id: string) => unknown };
    const { diagnostics, status } = engine;
    engine.diagnostics = () => ({
      get charge_point_id(): string {
        throw new Error('getter exploded');
      },
    });
    engine.status = () => {
      throw null; // eslint-disable-line no-throw-literal
    };
    try {
      expect((await http(t.server.apiUrl, 'GET', cpPath('CP-X', 'diagnostics'), { token: t.token })).status).toBe(500);
      expect((await http(t.server.apiUrl, 'GET', cpPath('CP-X', 'status'), { token: t.token })).status).toBe(500);
    } finally {
      Object.assign(engine, { diagnostics, status });
    }
    await alive();
  });
});

function rawSocketRequest(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const s = connect(path, () => s.write(text));
    s.on('data', (d) => (answer += d.toString()));
    s.on('end', () => resolve(answer));
    s.on('error', reject);
  });
}

describe('what a peer can make of the connection itself', () => {
  test('a request path that is not a URL (//[) is a 404, not an internal error', async () => {
    const before = t.lines.length;
    const r = await rawRequest(port, ['GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(r.status).toBe(404);
    expect(r.text).toContain('not_found');
    expect(t.lines.slice(before)).toEqual([]);
    await alive();
  });

  test('a plain HTTP request to the OCPP port gets 426 and its socket closed', async () => {
    const own = await startServer({ ocppPort: 0 });
    try {
      const r = await rawRequest(Number(new URL(own.server.ocppUrl).port), ['GET /ocpp/CP-1 HTTP/1.1\r\nHost: x\r\n\r\n']);
      expect(r.status).toBe(426);
      expect(r.text).toMatch(/\r\nConnection: close\r\n/i);
      expect(r.closed).toBe(true);
      expect(own.server.csms.handshaking).toBe(0);
    } finally {
      await own.stop();
    }
  });

  test('sockets held open on the API port: no more than 256 are kept, and the Unix socket still serves', async () => {
    const socketPath = join(tempDir(), 'api.sock');
    // The API on a port of its own (with OCPP on the same port, OCPP's larger cap applies).
    const own = await startServer({ apiSocket: socketPath, ocppPort: 0 });
    const sockets: Socket[] = [];
    try {
      const apiPort = Number(new URL(own.server.apiUrl).port);
      let closed = 0;
      await Promise.all(
        Array.from({ length: 300 }, () =>
          new Promise<void>((resolve) => {
            const s = connect(apiPort, '127.0.0.1', () => resolve());
            s.on('error', () => resolve());
            s.on('close', () => (closed += 1));
            sockets.push(s);
          }),
        ),
      );
      await until(() => closed >= 300 - 256, 5000, 'the sockets over the cap to be closed');
      await new Promise((r) => setTimeout(r, 200));
      // The test client's own keep-alive socket (its login) may hold one of the 256.
      expect(300 - closed).toBeGreaterThanOrEqual(255);
      expect(300 - closed).toBeLessThanOrEqual(256);
      const viaSocket = await rawSocketRequest(socketPath, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(viaSocket).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      for (const s of sockets) s.destroy();
      await own.stop();
    }
  });
});
