/**
 * Every route of the installer API, once: the server registers its handlers against this table
 * and the client builds its URLs from it.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A field of a 2xx answer the client insists on, and its JSON type. */
export type FieldType = 'string' | 'number' | 'boolean' | 'array' | 'object';

export interface RouteDef {
  method: HttpMethod;
  path: string;
  /** false for the two routes that need no token. */
  auth?: false;
  /**
   * What makes a 2xx answer this route's document rather than a captive portal's page, a
   * proxy's `{}` or a wrong URL's: the fields the client requires (strings non-empty).
   */
  returns: Readonly<Record<string, FieldType>>;
  /** The largest answer read; beyond it the client stops reading (default 4 MiB). */
  maxResponseBytes?: number;
  /** The body is a file, streamed to the handler as it comes, not JSON. */
  fileBody?: true;
  /** The answer is a file (application/octet-stream), not JSON. */
  fileAnswer?: true;
}

const CP = '/api/v1/installer/commissioning/:charge_point_id';

const session = { session_id: 'string', status: 'string' } as const;

export const ROUTES = {
  health: { method: 'GET', path: '/healthz', auth: false, returns: { status: 'string' } },
  login: { method: 'POST', path: '/api/v1/installer/login', auth: false, returns: { access_token: 'string' } },
  templates: { method: 'GET', path: '/api/v1/installer/commissioning/templates', returns: { templates: 'array' } },
  start: { method: 'POST', path: `${CP}/start`, returns: { ...session, steps: 'array' } },
  status: { method: 'GET', path: `${CP}/status`, returns: { ...session, steps: 'array' } },
  stop: { method: 'POST', path: `${CP}/stop`, returns: session },
  pause: { method: 'POST', path: `${CP}/pause`, returns: session },
  resume: { method: 'POST', path: `${CP}/resume`, returns: session },
  restart: { method: 'POST', path: `${CP}/restart`, returns: { ...session, steps: 'array' } },
  // 5000 lines of up to a few kilobytes each.
  logs: { method: 'GET', path: `${CP}/logs`, returns: { logs: 'array', total: 'number' }, maxResponseBytes: 64 * 1024 * 1024 },
  reportIssue: { method: 'POST', path: `${CP}/report-issue`, returns: { issue_id: 'string', reference_number: 'string' } },
  issues: { method: 'GET', path: `${CP}/issues`, returns: { issues: 'array' } },
  applyTemplate: { method: 'POST', path: `${CP}/apply-template`, returns: { applied_keys: 'number', rejected_keys: 'array' } },
  // With ?full=true it carries a station's whole device model (up to 20,000 variables).
  diagnostics: { method: 'GET', path: `${CP}/diagnostics`, returns: { charge_point_id: 'string' }, maxResponseBytes: 32 * 1024 * 1024 },
  // design.md: the reference says "see Charge Points" without a path; this one is our assumption.
  commission: { method: 'POST', path: '/api/v1/installer/charge-points/:charge_point_id/commission', returns: { charge_point_id: 'string', status: 'string' } },
  putSession: { method: 'PUT', path: `${CP}/sessions/:session_id`, returns: { session_id: 'string' } },
  postSessionLogs: { method: 'POST', path: `${CP}/sessions/:session_id/logs`, returns: { accepted: 'number', duplicates: 'number' } },
  // A charge point's own log (firmware, diagnostics); the POST is sync's, on the hosted side only.
  chargePointEvents: { method: 'GET', path: '/api/v1/installer/charge-points/:charge_point_id/events', returns: { events: 'array' }, maxResponseBytes: 64 * 1024 * 1024 },
  postChargePointEvents: { method: 'POST', path: '/api/v1/installer/charge-points/:charge_point_id/events', returns: { accepted: 'number', duplicates: 'number' } },
  localChargePoints: { method: 'GET', path: '/api/v1/local/charge-points', returns: { charge_points: 'array' } },
  addLocalChargePoint: { method: 'POST', path: '/api/v1/local/charge-points', returns: { id: 'string' } },
  removeLocalChargePoint: { method: 'DELETE', path: '/api/v1/local/charge-points/:charge_point_id', returns: { id: 'string' } },
  // Local-only: the reference has no way to commission a charge point again.
  recommission: { method: 'POST', path: '/api/v1/local/charge-points/:charge_point_id/recommission', returns: { session_id: 'string', steps: 'array' } },
  // Local-only, like the two above: the hosted API serves no firmware to chargers.
  putFirmware: { method: 'POST', path: '/api/v1/local/firmware', returns: { firmware_id: 'string', sha256: 'string' }, fileBody: true },
  startFirmwareUpdate: { method: 'POST', path: '/api/v1/local/charge-points/:charge_point_id/firmware-update', returns: { update_id: 'string', state: 'string' } },
  startDiagnosticsFetch: { method: 'POST', path: '/api/v1/local/charge-points/:charge_point_id/diagnostics-fetch', returns: { fetch_id: 'string', state: 'string' } },
  diagnosticsFetch: { method: 'GET', path: '/api/v1/local/charge-points/:charge_point_id/diagnostics-fetch', returns: { fetch_id: 'string', state: 'string' } },
  diagnosticsFile: { method: 'GET', path: '/api/v1/local/charge-points/:charge_point_id/diagnostics-fetch/file', returns: {}, fileAnswer: true },
  firmwareUpdate: { method: 'GET', path: '/api/v1/local/charge-points/:charge_point_id/firmware-update', returns: { update_id: 'string', state: 'string' } },
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
