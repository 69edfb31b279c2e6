import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startLocalUp } from '../../bench/lib.mjs';
import { cli } from '../helpers/cli.js';
import { killHard } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';

/**
 * Whoever holds the local server's TCP port, or forges its server.json, must learn nothing: the
 * CLI sends a token or a password for --local only through the server's own socket, in a
 * directory nobody else can enter.
 */
const listeners: Server[] = [];
afterEach(() => {
  for (const l of listeners.splice(0)) l.close();
});

/** Listens like an impostor would and keeps every byte anyone sends it (then hangs up, if asked). */
function impostor(listen: (server: Server, ready: () => void) => void, hangUp = false): Promise<{ received: () => string }> {
  let received = '';
  const server = createServer((socket) => {
    socket.on('data', (d) => {
      received += d.toString('latin1');
      if (hangUp) socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  listeners.push(server);
  return new Promise((resolve) => listen(server, () => resolve({ received: () => received })));
}

test('after the server dies, a stranger on its port (with its PID reused) gets neither the token nor the password', async () => {
  const dataDir = tempDir();
  const configDir = tempDir();
  const env = { DYNAMO_DATA_DIR: dataDir };
  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0']);
  expect((await cli(['--local', 'templates'], { env, configDir })).code).toBe(0);
  await killHard(server.child);

  // The PID in server.json now names a live process (ours), as a reused PID would.
  const file = join(dataDir, 'server.json');
  const info = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...info, pid: process.pid }));
  const port = Number(new URL(info.api_url).port);
  const stranger = await impostor((s, ready) => s.listen(port, '127.0.0.1', ready));

  const withToken = await cli(['--local', 'templates'], { env, configDir });
  expect(withToken.code).toBe(7);
  expect(withToken.stderr).toMatch(/^error: cannot reach the local server of .* \(connection refused\)\nhint: start it with dynamo --data-dir \S+ local up/);
  expect((await cli(['--local', 'logout'], { env, configDir })).code).toBe(0);
  const withPassword = await cli(['--local', 'templates'], { env, configDir });
  expect(withPassword.code).toBe(7);
  const password = JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')).password as string;
  expect(stranger.received()).toBe('');
  expect(withToken.stdout + withToken.stderr + withPassword.stdout + withPassword.stderr).not.toContain(password);
});

/** A folder anyone may write to, as a careless shared folder is. */
function worldWritableDir(): string {
  const open = join(tempDir(), 'shared');
  mkdirSync(open);
  chmodSync(open, 0o777);
  return open;
}

/** A private data directory whose server.json names `socket`, with the installer's credentials beside it. */
function forgeServerJson(dataDir: string, socket: string): void {
  chmodSync(dataDir, 0o700);
  writeFileSync(join(dataDir, 'server.json'), JSON.stringify({ api_url: 'http://127.0.0.1:1', api_socket: socket, ocpp_url: 'ws://127.0.0.1:1/ocpp', ocpp_urls: [], ocpp_port: 1, pid: process.pid, started_at: '2026-01-01T00:00:00Z' }));
  writeFileSync(join(dataDir, 'installer-credentials.json'), JSON.stringify({ email: 'installer@dynamo.local', password: 'the-password-nobody-may-see' }));
}

test('a server.json pointing at a socket in a directory others can enter is refused before anything is sent', async () => {
  const dataDir = tempDir();
  const open = worldWritableDir();
  const socket = join(open, 'api.sock');
  const fake = await impostor((s, ready) => s.listen(socket, ready));
  forgeServerJson(dataDir, socket);
  const r = await cli(['--local', 'templates'], { env: { DYNAMO_DATA_DIR: dataDir } });
  expect(r.code).toBe(7);
  expect(r.stderr).toMatch(/open to other users.*nothing was sent to it/);
  expect(fake.received()).toBe('');
});

test('a private socket directory inside one others can write to (not sticky) is refused: it could be swapped after the check', async () => {
  const dataDir = tempDir();
  const open = worldWritableDir();
  const mine = join(open, 'mine');
  mkdirSync(mine, { mode: 0o700 });
  const socket = join(mine, 'api.sock');
  const fake = await impostor((s, ready) => s.listen(socket, ready), true);
  forgeServerJson(dataDir, socket);
  const env = { DYNAMO_DATA_DIR: dataDir };
  const r = await cli(['--local', 'templates'], { env });
  expect(r.code).toBe(7);
  expect(r.stderr).toMatch(/shared, above the socket directory, can be written by other users \(mode 777\) and is not sticky/);
  expect(fake.received()).toBe('');
  // Sticky, as /tmp is: only the owner of "mine" can rename it, and the socket is trusted.
  chmodSync(open, 0o1777);
  const sticky = await cli(['--local', 'templates'], { env });
  expect(sticky.stderr).not.toMatch(/above the socket directory/);
  expect(fake.received()).not.toBe('');
});

test('a data directory too long for a socket path gets its socket in a private temporary folder, and --local works', async () => {
  const dataDir = join(tempDir(), 'a-very-long-folder-name-for-a-site'.repeat(3));
  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0']);
  try {
    const info = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
    expect(info.api_socket.startsWith(dataDir)).toBe(false);
    const r = await cli(['--local', 'templates', '--json'], { env: { DYNAMO_DATA_DIR: dataDir } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).total).toBeGreaterThan(0);
  } finally {
    await killHard(server.child);
  }
});
