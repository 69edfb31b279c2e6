import { type HttpMethod, ROUTES, type RouteName } from '../../api/routes.js';

export type RouteMatch =
  | { kind: 'route'; name: RouteName; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'none' };

interface Compiled {
  name: RouteName;
  method: HttpMethod;
  segments: string[];
}

const compiled: Compiled[] = (Object.keys(ROUTES) as RouteName[]).map((name) => ({
  name,
  method: ROUTES[name].method,
  segments: ROUTES[name].path.split('/').slice(1),
}));

/** Matches a request against the route table; each path segment is percent-decoded on its own. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const raw = pathname.split('/').slice(1);
  let decoded: string[];
  try {
    decoded = raw.map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'none' };
  }
  const allowed: HttpMethod[] = [];
  for (const route of compiled) {
    if (route.segments.length !== decoded.length) continue;
    const params: Record<string, string> = {};
    const ok = route.segments.every((segment, i) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decoded[i]!;
        return decoded[i]!.length > 0;
      }
      return segment === raw[i];
    });
    if (!ok) continue;
    if (route.method === method) return { kind: 'route', name: route.name, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'none' };
}
