import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';

/** A login over TCP from a chosen loopback address, or over the server's Unix socket. */
function login(t: TestServer, via: { localAddress: string } | { socketPath: string }, password: string): Promise<number> {
  const url = new URL(t.server.apiUrl);
  const body = JSON.stringify({ email: 'installer@dynamo.local', password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...('socketPath' in via ? { socketPath: via.socketPath } : { host: url.hostname, port: url.port, localAddress: via.localAddress }),
        path: '/api/v1/installer/login',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let t: TestServer;
let socketPath: string;
beforeAll(async () => {
  socketPath = join(tempDir(), 'api.sock');
  t = await startServer({ apiSocket: socketPath });
});
afterAll(async () => t.stop());

test('every loopback address counts as one source: 127.0.0.x cannot each get ten guesses', async () => {
  for (let i = 2; i <= 11; i += 1) expect(await login(t, { localAddress: `127.0.0.${i}` }, 'wrong guess')).toBe(401);
  expect(await login(t, { localAddress: '127.0.0.12' }, 'wrong guess')).toBe(429);
  expect(await login(t, { localAddress: '127.0.0.1' }, t.server.createdCredentials!.password)).toBe(429);
});

test("others' failures on the TCP port do not lock out the owner's CLI on the server's own socket", async () => {
  expect(await login(t, { socketPath }, t.server.createdCredentials!.password)).toBe(200);
});

test('a hundred guesses sent at once cost no more than ten: checks still running count as failures to come', async () => {
  const fresh = await startServer();
  try {
    const statuses = await Promise.all(Array.from({ length: 100 }, () => login(fresh, { localAddress: '127.0.0.1' }, 'wrong guess')));
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(90);
  } finally {
    await fresh.stop();
  }
});

test('guesses from peers that reset at once are not counted against the Unix socket', async () => {
  const path = join(tempDir(), 'api.sock');
  const fresh = await startServer({ apiSocket: path });
  try {
    const url = new URL(fresh.server.apiUrl);
    const body = JSON.stringify({ email: 'installer@dynamo.local', password: 'wrong guess' });
    const raw = `POST /api/v1/installer/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        new Promise<void>((resolve) => {
          const socket = connect(Number(url.port), url.hostname, () => {
            socket.write(raw, () => socket.resetAndDestroy());
          });
          socket.on('error', () => undefined);
          socket.on('close', () => resolve());
        }),
      ),
    );
    // Give the server time to run the checks of what it read before the resets.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await login(fresh, { socketPath: path }, fresh.server.createdCredentials!.password)).toBe(200);
  } finally {
    await fresh.stop();
  }
});
