import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Where each connection came from, taken when it is accepted: a socket reset by its peer has no
 * remoteAddress any more, and a request read from it must not pass for one from the Unix socket.
 */
const peers = new WeakMap<Socket, string>();

/** The peer of a request: its address, '' for the local server's Unix socket, null when unknown. */
export function peerOf(req: IncomingMessage): string | null {
  return peers.get(req.socket as Socket) ?? null;
}

export interface ApiServerLimits {
  /** Sockets open at once: the CLI holds a few, a site view a few more; a flood gets no more. */
  maxConnections: number;
  /** An idle keep-alive socket is closed after this. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_API_LIMITS: ApiServerLimits = { maxConnections: 256, keepAliveTimeoutMs: 10_000 };

/**
 * The installer API's HTTP server, on TCP or on the Unix socket. When the OCPP port is this one
 * too, its connection cap is the OCPP server's (`limits.maxConnections` says so).
 */
export function apiServer(handler: RequestListener, kind: 'tcp' | 'unix', limits: ApiServerLimits = DEFAULT_API_LIMITS): Server {
  // A client that trickles its request (slowloris) holds a socket only this long; the checks run
  // every second, not every 30 s, so a flood of them is ended as fast as it comes.
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1000, keepAliveTimeout: limits.keepAliveTimeoutMs }, handler);
  server.maxConnections = limits.maxConnections;
  server.on('connection', (socket: Socket) => {
    const address = kind === 'unix' ? '' : socket.remoteAddress;
    if (address !== undefined) peers.set(socket, address);
  });
  return server;
}
