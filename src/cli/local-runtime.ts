import { lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, type Stats, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writePrivateFile } from '../common/private-files.js';
import { SIGNING_KEY_FILE } from '../server/auth/signing-key-file.js';
import { DB_FILE } from '../server/store/db-file.js';
import { BadDataDir, type CommandFormatter, NoLocalServer, UntrustedLocalServer } from './errors.js';
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
 * The real path of a private directory, checked all the way up: a private directory inside one
 * that another user can write to (and is not sticky) can be renamed away and replaced between our
 * check and our connect. Every ancestor must belong to this user or root and be closed to others'
 * writes, unless sticky (like /tmp), where only a name's owner can move it.
 */
function privateRealPath(path: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new UntrustedLocalServer(`${what} ${tildify(path)} cannot be resolved`);
  }
  assertPrivate(real, what);
  const me = uid();
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const st = statOrNull(dir);
    if (!st) throw new UntrustedLocalServer(`${tildify(dir)}, above ${what}, cannot be read`);
    if (me !== null && st.uid !== me && st.uid !== 0) throw new UntrustedLocalServer(`${tildify(dir)}, above ${what}, belongs to another user`);
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
      throw new UntrustedLocalServer(`${tildify(dir)}, above ${what}, can be written by other users (mode ${(st.mode & 0o777).toString(8)}) and is not sticky`);
    }
    if (dir === dirname(dir)) return real;
  }
}

/**
 * The running local server of a data directory, checked before any secret goes to it: the data
 * directory and the socket's directory are this user's own and closed to others, and so is the
 * way to them; the socket is this user's. What is returned names the real paths checked, so the
 * connection goes where the check went. A server.json without a live socket is what a stopped or
 * crashed server leaves: that is "no local server", never a reason to fall back to TCP.
 */
export function trustedLocalServer(dataDir: string): LocalServerInfo {
  const info = readLocalServerInfo(dataDir);
  if (!info) {
    assertDataDir(dataDir);
    throw new NoLocalServer(`no local server is running for ${tildify(dataDir)}`);
  }
  const realDataDir = privateRealPath(dataDir, 'the data directory');
  if (typeof info.api_socket !== 'string' || info.api_socket === '') {
    throw new NoLocalServer(`the local server of ${tildify(dataDir)} was started by an older dynamo without a socket for --local`);
  }
  const socketDir = dirname(info.api_socket) === dataDir ? realDataDir : privateRealPath(dirname(info.api_socket), 'the socket directory');
  const apiSocket = join(socketDir, basename(info.api_socket));
  const socket = statOrNull(apiSocket);
  if (!socket) throw new NoLocalServer(`no local server is running for ${tildify(dataDir)} (it left ${tildify(file(dataDir))} behind)`);
  const me = uid();
  if (!socket.isSocket() || (me !== null && socket.uid !== me)) throw new UntrustedLocalServer(`${tildify(info.api_socket)} is not this user's socket`);
  return { ...info, api_socket: apiSocket };
}

/**
 * A data directory to read: it exists and holds a database. A mistyped --data-dir must be said,
 * not answered with an empty database made on the spot.
 */
export function assertDataDir(dataDir: string): void {
  const st = statOrNull(dataDir);
  const hint = (c: CommandFormatter): string => `give the --data-dir that local up uses, or start a server there: ${c('local up', { server: false })}`;
  if (!st) throw new BadDataDir(`data directory ${tildify(dataDir)} does not exist`, hint);
  if (!st.isDirectory()) throw new BadDataDir(`data directory ${tildify(dataDir)} is not a directory`, hint);
  if (!statOrNull(join(dataDir, DB_FILE))) throw new BadDataDir(`data directory ${tildify(dataDir)} holds no dynamo database (${DB_FILE})`, hint);
}

/**
 * Where --local keeps its login: the data directory and the signing key the server signs tokens
 * with. A data directory deleted and made again by `local up` has a new key, and a login kept from
 * the old one would only be refused, telling an installer who never typed a password to log in.
 */
export function localTokenKey(dataDir: string): string {
  try {
    const key = statSync(join(dataDir, SIGNING_KEY_FILE));
    return `local:${dataDir}#${key.ino}.${Math.round(key.mtimeMs)}`;
  } catch {
    return `local:${dataDir}`;
  }
}

/** Logins kept for earlier incarnations of the data directory's server, to let go of. */
export const isLocalTokenKeyOf = (dataDir: string) => (key: string): boolean => key === `local:${dataDir}` || key.startsWith(`local:${dataDir}#`);

export function readLocalCredentials(dataDir: string): { email: string; password: string } | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')) as { email: string; password: string };
  } catch {
    return null;
  }
}
