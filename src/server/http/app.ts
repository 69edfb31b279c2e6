import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { ROUTES, type RouteName } from '../../api/routes.js';
import { inScope, type TokenService } from '../auth/tokens.js';
import { readJsonBody } from './body.js';
import { matchRoute } from './router.js';
import type { RequestContext, RouteHandler, RouteResult } from './types.js';

export type Handlers = Record<RouteName, RouteHandler>;

function send(res: ServerResponse, result: RouteResult): void {
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...result.headers,
  });
  res.end(text);
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * The request pipeline, in order: route, token, scope, body, handler. Every failure is an
 * ApiError whose code decides the status; anything else is a 500 that says nothing internal.
 */
export function createRequestHandler(
  handlers: Handlers,
  tokens: TokenService,
  onInternalError: (err: unknown, req: IncomingMessage) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!(err instanceof ApiError)) onInternalError(err, req);
      const apiError = err instanceof ApiError ? err : new ApiError('internal_error', 'internal server error');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const headers: Record<string, string> = {};
      if (apiError.code === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer realm="dynamo"';
      if (apiError.code === 'payload_too_large') headers['Connection'] = 'close';
      send(res, { status: apiError.status, body: apiError.toBody(), headers });
      // A body too large is not read to its end: close instead of draining it.
      if (apiError.code === 'payload_too_large') req.socket.destroySoon?.();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    if (match.kind === 'none') throw new ApiError('not_found', `no route ${req.method} ${url.pathname}`);
    if (match.kind === 'method-not-allowed') {
      res.setHeader('Allow', match.allowed.join(', '));
      throw new ApiError('method_not_allowed', `${req.method} is not allowed here; use ${match.allowed.join(' or ')}`);
    }
    const route = ROUTES[match.name];
    let auth = null;
    if (!('auth' in route && route.auth === false)) {
      const token = bearer(req.headers.authorization);
      if (!token) throw new ApiError('unauthorized', 'missing bearer token; log in first');
      auth = await tokens.verify(token);
      const cp = match.params['charge_point_id'];
      if (cp !== undefined && !inScope(auth, cp)) throw new ApiError('forbidden', `this token is not scoped to ${cp}`);
    }
    const body = route.method === 'POST' || route.method === 'PUT' ? await readJsonBody(req) : undefined;
    const ctx: RequestContext = {
      route: match.name,
      params: match.params,
      query: Object.fromEntries(url.searchParams),
      body,
      headers: req.headers,
      auth,
      remoteAddress: req.socket.remoteAddress ?? '',
    };
    send(res, await handlers[match.name](ctx));
  }
}
