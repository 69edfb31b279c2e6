import { readFileSync } from 'node:fs';

/**
 * The process's soft limit on open files (Node raises it to the hard limit at start), or null
 * where /proc does not say (macOS). Every charge point is a socket: a cap above this would let a
 * flood of connections starve the store and the API of descriptors.
 */
export function openFilesLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : null;
  } catch {
    return null;
  }
}

/** Descriptors kept for everything but charge points: the store, the API, templates, logs. */
const RESERVED_FILES = 512;

/** How many OCPP sockets fit beside everything else, at most `wanted`. */
export function ocppConnectionCap(wanted: number, limit = openFilesLimit()): number {
  if (limit === null) return wanted;
  return Math.max(64, Math.min(wanted, limit - RESERVED_FILES));
}
