/**
 * Every route of the installer API, once: the server registers its handlers against this table
 * and the client builds its URLs from it.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDef {
  method: HttpMethod;
  path: string;
  /** false for the two routes that need no token. */
  auth?: false;
}

const CP = '/api/v1/installer/commissioning/:charge_point_id';

export const ROUTES = {
  health: { method: 'GET', path: '/healthz', auth: false },
  login: { method: 'POST', path: '/api/v1/installer/login', auth: false },
  templates: { method: 'GET', path: '/api/v1/installer/commissioning/templates' },
  start: { method: 'POST', path: `${CP}/start` },
  status: { method: 'GET', path: `${CP}/status` },
  stop: { method: 'POST', path: `${CP}/stop` },
  pause: { method: 'POST', path: `${CP}/pause` },
  resume: { method: 'POST', path: `${CP}/resume` },
  restart: { method: 'POST', path: `${CP}/restart` },
  logs: { method: 'GET', path: `${CP}/logs` },
  reportIssue: { method: 'POST', path: `${CP}/report-issue` },
  issues: { method: 'GET', path: `${CP}/issues` },
  applyTemplate: { method: 'POST', path: `${CP}/apply-template` },
  diagnostics: { method: 'GET', path: `${CP}/diagnostics` },
  // design.md: the reference says "see Charge Points" without a path; this one is our assumption.
  commission: { method: 'POST', path: '/api/v1/installer/charge-points/:charge_point_id/commission' },
  putSession: { method: 'PUT', path: `${CP}/sessions/:session_id` },
  postSessionLogs: { method: 'POST', path: `${CP}/sessions/:session_id/logs` },
  localChargePoints: { method: 'GET', path: '/api/v1/local/charge-points' },
  addLocalChargePoint: { method: 'POST', path: '/api/v1/local/charge-points' },
  removeLocalChargePoint: { method: 'DELETE', path: '/api/v1/local/charge-points/:charge_point_id' },
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof ROUTES;

/** Fills `:name` placeholders, percent-encoding each value as one path segment. */
export function buildPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:([a-z_]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
