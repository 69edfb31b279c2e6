import type { Handlers } from '../http/app.js';
import { loginRoute } from './auth.js';
import { commissioningRoutes } from './commissioning.js';
import type { RouteDeps } from './deps.js';
import { firmwareRoutes } from './firmware.js';
import { healthRoute } from './health.js';
import { issuesRoute, reportIssueRoute } from './issues.js';
import { addLocalChargePointRoute, listLocalChargePointsRoute, recommissionRoute, removeLocalChargePointRoute } from './local-charge-points.js';
import { logsRoute } from './logs.js';
import { postChargePointEventsRoute, postSessionLogsRoute, putSessionRoute } from './sync.js';
import { templatesRoute } from './templates.js';

/** One handler per route of the table in src/api/routes.ts; the compiler checks none is missing. */
export function routeHandlers(deps: RouteDeps): Handlers {
  return {
    health: healthRoute(deps),
    login: loginRoute(deps),
    templates: templatesRoute(deps),
    ...commissioningRoutes(deps),
    logs: logsRoute(deps),
    reportIssue: reportIssueRoute(deps),
    issues: issuesRoute(deps),
    putSession: putSessionRoute(deps),
    postSessionLogs: postSessionLogsRoute(deps),
    postChargePointEvents: postChargePointEventsRoute(deps),
    localChargePoints: listLocalChargePointsRoute(deps),
    addLocalChargePoint: addLocalChargePointRoute(deps),
    removeLocalChargePoint: removeLocalChargePointRoute(deps),
    recommission: recommissionRoute(deps),
    ...firmwareRoutes(deps),
  };
}
