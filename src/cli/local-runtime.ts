import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../common/private-files.js';

/** What `dynamo local up` leaves in its data directory while it runs, for --local to find it. */
export interface LocalServerInfo {
  api_url: string;
  ocpp_url: string;
  /** The OCPP URL on each LAN address, for telling a charger where to connect. */
  ocpp_urls: string[];
  ocpp_port: number;
  pid: number;
  started_at: string;
}

const file = (dataDir: string): string => join(dataDir, 'server.json');

export function writeLocalServerInfo(dataDir: string, info: LocalServerInfo): void {
  writePrivateFile(file(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

export function removeLocalServerInfo(dataDir: string): void {
  rmSync(file(dataDir), { force: true });
}

/** The running local server of a data directory, or null when none runs. */
export function readLocalServerInfo(dataDir: string): LocalServerInfo | null {
  let info: LocalServerInfo;
  try {
    info = JSON.parse(readFileSync(file(dataDir), 'utf8')) as LocalServerInfo;
  } catch {
    return null;
  }
  try {
    process.kill(info.pid, 0);
    return info;
  } catch (err) {
    // EPERM: alive but someone else's; ESRCH: gone (a crash left the file behind).
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? info : null;
  }
}

export function readLocalCredentials(dataDir: string): { email: string; password: string } | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')) as { email: string; password: string };
  } catch {
    return null;
  }
}
