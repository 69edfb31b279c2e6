import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RouteName } from '../../api/routes.js';
import type { TokenClaims } from '../auth/tokens.js';

export interface RequestContext {
  route: RouteName;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
  /** Null only on the routes that need no token. */
  auth: TokenClaims | null;
  /** The peer's address; '' for the local server's Unix socket, null when the peer reset too soon. */
  remoteAddress: string | null;
  /** The request itself, for the routes whose body is a file (`fileBody`), unread. */
  fileBody: IncomingMessage | null;
}

export interface RouteResult {
  status: number;
  body: unknown;
  /** A file to send as the answer instead of `body` (its path on this server). */
  file?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (ctx: RequestContext) => RouteResult | Promise<RouteResult>;

export const ok = (body: unknown, status = 200): RouteResult => ({ status, body });
