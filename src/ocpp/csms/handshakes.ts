import type { Socket } from 'node:net';
import { sourceOf } from '../../common/source-address.js';

const connectionKey = (socket: Socket): string => `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;

/**
 * Sockets that have connected but not yet become a WebSocket (or been refused), per source. A
 * device that opens thousands and says nothing (half-open upgrades) is held to `maxPerSource`
 * of them, and each is closed unless its request has arrived within `headersTimeoutMs` (Node's
 * own header timeout does not start until a first byte comes). A connection is known by its
 * address and port, which the raw TCP socket and the TLS socket over it share.
 */
export class PendingHandshakes {
  private readonly perSource = new Map<string, number>();
  private readonly counted = new Map<string, { source: string; timer: NodeJS.Timeout | null }>();

  constructor(
    readonly maxPerSource: number,
    readonly headersTimeoutMs: number,
  ) {}

  /** Counts a new socket; false when its source already has too many pending (close it). */
  admit(socket: Socket): boolean {
    const source = sourceOf(socket.remoteAddress);
    const n = this.perSource.get(source) ?? 0;
    if (n >= this.maxPerSource) return false;
    const key = connectionKey(socket);
    const timer = setTimeout(() => socket.destroy(), this.headersTimeoutMs);
    timer.unref();
    this.perSource.set(source, n + 1);
    this.counted.set(key, { source, timer });
    socket.once('close', () => this.release(key));
    return true;
  }

  /** Its request arrived: from here the authentication time limit applies, not the header one. */
  requestIn(socket: Socket): void {
    const entry = this.counted.get(connectionKey(socket));
    if (entry?.timer) clearTimeout(entry.timer);
    if (entry) entry.timer = null;
  }

  /** The socket upgraded or was refused: it no longer counts. */
  settled(socket: Socket): void {
    this.release(connectionKey(socket));
  }

  /** Sockets counted, from every source. */
  get total(): number {
    return this.counted.size;
  }

  pending(source: string): number {
    return this.perSource.get(source) ?? 0;
  }

  private release(key: string): void {
    const entry = this.counted.get(key);
    if (entry === undefined) return;
    if (entry.timer) clearTimeout(entry.timer);
    const { source } = entry;
    this.counted.delete(key);
    const n = (this.perSource.get(source) ?? 1) - 1;
    if (n <= 0) this.perSource.delete(source);
    else this.perSource.set(source, n);
  }
}
