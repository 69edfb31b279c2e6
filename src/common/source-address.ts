import { isIPv4 } from 'node:net';

/** The source of every request that came through the local server's Unix socket. */
export const LOCAL_SOCKET_SOURCE = 'local-socket';

/** A TCP peer whose address was gone (it reset the connection) before we could read it. */
export const VANISHED_SOURCE = 'unknown-peer';

/**
 * What a per-source limit counts against. All of loopback (127.0.0.0/8 and ::1) is one source:
 * otherwise 127.0.0.2, .3, … would each get a fresh allowance. An IPv4 address is itself with
 * or without its IPv6 mapping. '' is the local server's Unix socket, which only the data
 * directory's owner can reach: a source of its own, so that strangers' failures on the TCP port
 * never lock the owner out. No address at all is a TCP peer that reset too soon to be named:
 * never the Unix socket's source, or a stranger could spend the owner's allowance.
 */
export function sourceOf(address: string | null | undefined): string {
  if (address === '') return LOCAL_SOCKET_SOURCE;
  if (address === null || address === undefined) return VANISHED_SOURCE;
  const plain = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (plain === '::1' || (isIPv4(plain) && plain.startsWith('127.'))) return 'loopback';
  return plain;
}
