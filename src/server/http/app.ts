import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { ROUTES, type RouteName } from '../../api/routes.js';
import { inScope, type TokenService } from '../auth/tokens.js';
import { peerOf } from './api-server.js';
import { readJsonBody } from './body.js';
import { matchRoute } from './router.js';
import type { RequestContext, RouteHandler, RouteResult } from './types.js';

export type Handlers = Record<RouteName, RouteHandler>;

function send(res: ServerResponse, result: RouteResult): void {
  if (result.file) return sendFile(res, result.file);
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...result.headers,
  });
  res.end(text);
}

/** A stored file as the answer, streamed; one that went missing since is a 404 while nothing is sent yet. */
function sendFile(res: ServerResponse, path: string): void {
  const file = createReadStream(path);
  file.once('open', () => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' });
    file.pipe(res);
  });
  file.once('error', () => {
    if (res.headersSent) res.destroy();
    else send(res, { status: 404, body: new ApiError('not_found', 'the file is no longer there').toBody() });
  });
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * The request pipeline, in order: route, token, scope, body, handler. Every failure is an
 * ApiError whose code decides the status; anything else is a 500 that says nothing internal.
 * Nothing a request does, not even a failure while answering a failure, may end the process:
 * the error path is guarded too, and its last resort drops that one connection.
 */
export function createRequestHandler(
  handlers: Handlers,
  tokens: TokenService,
  onInternalError: (err: unknown, req: IncomingMessage) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let handling: Promise<void>;
    try {
      handling = handle(req, res);
    } catch (err) {
      handling = Promise.reject(err);
    }
    handling
      .catch((err: unknown) => answerError(req, res, err, onInternalError))
      .catch(() => res.destroy());
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
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
    const fileBody = 'fileBody' in route && route.fileBody === true;
    const body = !fileBody && (route.method === 'POST' || route.method === 'PUT') ? await readJsonBody(req) : undefined;
    const ctx: RequestContext = {
      route: match.name,
      params: match.params,
      query: Object.fromEntries(url.searchParams),
      body,
      headers: req.headers,
      auth,
      remoteAddress: peerOf(req),
      fileBody: fileBody ? req : null,
    };
    send(res, await handlers[match.name](ctx));
  }
}

/** The request's URL; one that cannot be parsed (`//[`) names no route, which is a 404, not a 500. */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    throw new ApiError('not_found', 'no route: the request path cannot be parsed');
  }
}

function answerError(req: IncomingMessage, res: ServerResponse, err: unknown, onInternalError: (err: unknown, req: IncomingMessage) => void): void {
  if (!(err instanceof ApiError)) {
    try {
      onInternalError(err, req);
    } catch {
      // A logger that fails (a closed terminal) must not turn a 500 into a dead server.
    }
  }
  const apiError = err instanceof ApiError ? err : new ApiError('internal_error', 'internal server error');
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (apiError.code === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer realm="dynamo"';
  // A body too large is not read to its end: Node closes the socket once this answer is out.
  // Nor is a file body refused before it was read (it could be hundreds of megabytes).
  if (apiError.code === 'payload_too_large' || !req.complete) headers['Connection'] = 'close';
  send(res, { status: apiError.status, body: apiError.toBody(), headers });
}
