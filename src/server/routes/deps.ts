import type { CsmsServer } from '../../ocpp/csms/server.js';
import type { TokenService } from '../auth/tokens.js';
import type { CommissioningEngine } from '../engine/engine.js';
import type { ChargerDiagnostics } from '../engine/charger-diagnostics.js';
import type { FirmwareUpdates } from '../engine/firmware.js';
import type { TemplateCatalog } from '../engine/templates.js';
import type { ChargePointAuthenticator } from '../auth/charge-point-auth.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { RefusalLog } from '../auth/refusals.js';
import type { IdClashLog } from '../id-clashes.js';
import type { Store } from '../store/store.js';

/** What route handlers work with. */
export interface RouteDeps {
  store: Store;
  engine: CommissioningEngine;
  firmware: FirmwareUpdates;
  chargerDiagnostics: ChargerDiagnostics;
  tokens: TokenService;
  templates: TemplateCatalog;
  csms: CsmsServer;
  loginLimiter: LoginLimiter;
  /** Connection attempts the OCPP port refused, for the operator. */
  refusals: RefusalLog;
  /** Ids that two devices use at once. */
  clashes: IdClashLog;
  /** Null when the server accepts any charge point (--open). */
  chargePointAuth: ChargePointAuthenticator | null;
  /** Whether this server takes sync (a stand-in for the hosted API); a site server does not. */
  receivesSync: boolean;
  /** Prefix of issue reference numbers: LOC on a site, DYN on the hosted side. */
  referencePrefix: string;
  version: string;
}
