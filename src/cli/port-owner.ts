import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which process listens on a TCP port, when this laptop lets us know: Linux's /proc, and only
 * this user's processes (others' fds cannot be read). Best effort: null when it cannot be told.
 */
export function portOwner(port: number): { pid: number; command: string } | null {
  if (process.platform !== 'linux') return null;
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text = '';
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the 10th field.
        if (f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A' && f[9] && f[9] !== '0') inodes.add(`socket:[${f[9]}]`);
      }
    }
    if (inodes.size === 0) return null;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target = '';
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        if (!inodes.has(target)) continue;
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        return { pid: Number(pid), command: cmdline.join(' ').slice(0, 120) };
      }
    }
  } catch {
    // /proc not as expected: the port alone is said.
  }
  return null;
}
