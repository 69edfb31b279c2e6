import { lstatSync, mkdtempSync, readFileSync, rmSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writePrivateFile } from '../common/private-files.js';
import { NoLocalServer, UntrustedLocalServer } from './errors.js';
import { tildify } from './paths.js';

/** What `dynamo local up` leaves in its data directory while it runs, for --local to find it. */
export interface LocalServerInfo {
  api_url: string;
  /**
   * The installer API on a Unix socket inside the 0700 data directory: the only way --local talks
   * to the server. Only the directory's owner can connect, so a token or a password sent there
   * cannot reach anyone else, even one who took over the TCP port after the server died.
   */
  api_socket: string;
  ocpp_url: string;
  /** The OCPP URL on each LAN address, for telling a charger where to connect. */
  ocpp_urls: string[];
  ocpp_port: number;
  pid: number;
  started_at: string;
}

const file = (dataDir: string): string => join(dataDir, 'server.json');

/** Unix socket paths are limited to about 104 bytes (macOS) or 108 (Linux). */
const MAX_SOCKET_PATH = 100;

/**
 * Where `local up` listens for --local: in the data directory, or, when that path is too long
 * for a socket, in a fresh 0700 directory of the system's temporary folder (server.json, in the
 * data directory, says which).
 */
export function chooseApiSocket(dataDir: string): string {
  const inDataDir = join(dataDir, 'api.sock');
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH) return inDataDir;
  return join(mkdtempSync(join(tmpdir(), 'dynamo-')), 'api.sock');
}

export function writeLocalServerInfo(dataDir: string, info: LocalServerInfo): void {
  writePrivateFile(file(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

export function removeLocalServerInfo(dataDir: string, info: LocalServerInfo | null): void {
  rmSync(file(dataDir), { force: true });
  if (info && dirname(info.api_socket) !== dataDir) rmSync(dirname(info.api_socket), { recursive: true, force: true });
}

/** What server.json says, without trusting it yet; null when there is none. */
export function readLocalServerInfo(dataDir: string): LocalServerInfo | null {
  try {
    return JSON.parse(readFileSync(file(dataDir), 'utf8')) as LocalServerInfo;
  } catch {
    return null;
  }
}

const uid = (): number | null => (typeof process.getuid === 'function' ? process.getuid() : null);

function statOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** A directory only this user can enter, owned by this user: nobody else can have put a file in it. */
function assertPrivate(path: string, what: string): void {
  const st = statOrNull(path);
  const me = uid();
  if (!st?.isDirectory()) throw new UntrustedLocalServer(`${what} ${tildify(path)} is not a directory`);
  if (me !== null && st.uid !== me) throw new UntrustedLocalServer(`${what} ${tildify(path)} belongs to another user`);
  if ((st.mode & 0o077) !== 0) throw new UntrustedLocalServer(`${what} ${tildify(path)} is open to other users (mode ${(st.mode & 0o777).toString(8)})`);
}

/**
 * The running local server of a data directory, checked before any secret goes to it: the data
 * directory and the socket's directory are this user's own and closed to others, and the socket
 * is this user's. A server.json without a live socket is what a stopped or crashed server
 * leaves: that is "no local server", never a reason to fall back to TCP.
 */
export function trustedLocalServer(dataDir: string): LocalServerInfo {
  const info = readLocalServerInfo(dataDir);
  if (!info) throw new NoLocalServer(`no local server is running for ${tildify(dataDir)}`);
  assertPrivate(dataDir, 'the data directory');
  if (typeof info.api_socket !== 'string' || info.api_socket === '') {
    throw new NoLocalServer(`the local server of ${tildify(dataDir)} was started by an older dynamo without a socket for --local`);
  }
  assertPrivate(dirname(info.api_socket), 'the socket directory');
  const socket = statOrNull(info.api_socket);
  if (!socket) throw new NoLocalServer(`no local server is running for ${tildify(dataDir)} (it left ${tildify(file(dataDir))} behind)`);
  const me = uid();
  if (!socket.isSocket() || (me !== null && socket.uid !== me)) throw new UntrustedLocalServer(`${tildify(info.api_socket)} is not this user's socket`);
  return info;
}

export function readLocalCredentials(dataDir: string): { email: string; password: string } | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')) as { email: string; password: string };
  } catch {
    return null;
  }
}
