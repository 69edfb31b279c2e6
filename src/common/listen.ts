import { chmodSync, lstatSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

/** Starts listening; rejects (EADDRINUSE, EACCES…) instead of emitting an unhandled 'error'. */
export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await listenOn(server, (done) => server.listen(port, host, done));
  return server.address() as AddressInfo;
}

function listenOn(server: Server, start: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    start(() => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Whether something accepts connections on a Unix socket path. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Listens on a Unix socket, mode 0600. A socket file left by a server that died is replaced; one
 * that still answers belongs to a running server: EADDRINUSE, as for a TCP port.
 */
export async function listenOnSocket(server: Server, path: string): Promise<void> {
  let existing;
  try {
    existing = lstatSync(path);
  } catch {
    existing = null;
  }
  if (existing) {
    if (!existing.isSocket()) throw Object.assign(new Error(`${path} exists and is not a socket`), { code: 'EEXIST' });
    if (await socketAnswers(path)) throw Object.assign(new Error(`a server already listens on ${path}`), { code: 'EADDRINUSE', path });
    rmSync(path, { force: true });
  }
  await listenOn(server, (done) => server.listen(path, done));
  chmodSync(path, 0o600);
}
