import type { AddChargePointRequest, AddChargePointResponse, LocalChargePointsResponse, StartRequest } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { addChargePointSchema, startSchema } from '../../api/schemas.js';
import { validate } from '../../api/validate.js';
import { generatePassword, hashPassword } from '../../common/password.js';
import { isoSeconds } from '../../common/time.js';
import type { TokenClaims } from '../auth/tokens.js';
import { ok, type RouteHandler } from '../http/types.js';
import { explainNotConnected } from '../why-offline.js';
import type { RouteDeps } from './deps.js';
import { recordIssue } from './issues.js';

const lastSeen = (live: number | null | undefined, stored: string | null): string | null => (live ? isoSeconds(new Date(live)) : stored);

/** Managing who may connect is for installers with every charge point in scope. */
export function requireFullScope(auth: TokenClaims | null): void {
  if (!auth?.scope.includes('*')) throw new ApiError('forbidden', 'managing charge points needs a token for all charge points');
}

export function listLocalChargePointsRoute({ store, csms, refusals, clashes }: RouteDeps): RouteHandler {
  return ({ auth }) => {
    requireFullScope(auth);
    const list = store.chargePoints.list().map((cp) => {
      const live = csms.state(cp.id);
      const boot = live?.boot ?? cp.boot;
      const protocol = live?.protocol ?? cp.protocol;
      return {
        id: cp.id,
        connected: csms.chargePoint(cp.id) !== undefined,
        commissioned: cp.commissionedAt !== null,
        has_password: cp.passwordHash !== null,
        new_password_pending: cp.offeredPasswordHashes.length > 0,
        created_at: cp.createdAt,
        last_seen_at: lastSeen(live?.lastSeenMs, cp.lastSeenAt),
        last_refusal: refusals.lastRefusal(cp.id),
        vendor: boot?.vendor || null,
        model: boot?.model || null,
        ocpp_version: protocol ? protocol.replace(/^ocpp/, '') : null,
        duplicate_id: clashes.clash(cp.id),
      };
    });
    const response: LocalChargePointsResponse = { charge_points: list, total: list.length, unknown_attempts: refusals.unknownIds() };
    return ok(response);
  };
}

/**
 * Lets a charge point connect with a Basic-auth password: the one given, or a generated one
 * returned in this response only. Stored as an scrypt hash.
 */
export function addLocalChargePointRoute({ store }: RouteDeps): RouteHandler {
  return async ({ auth, body }) => {
    requireFullScope(auth);
    const req = validate<AddChargePointRequest>(addChargePointSchema, body);
    const password = req.password ?? generatePassword(20);
    const hash = await hashPassword(password);
    const existing = store.chargePoints.get(req.id);
    if (existing?.passwordHash) throw new ApiError('already_exists', `charge point ${req.id} already has a password; remove it first to set a new one`);
    store.write(() => {
      if (!store.chargePoints.add(req.id, hash)) store.chargePoints.setPassword(req.id, hash);
    });
    const response: AddChargePointResponse = { id: req.id, created_at: store.chargePoints.get(req.id)!.createdAt };
    if (req.password === undefined) response.password = password;
    return ok(response, 201);
  };
}

/** Revokes a charge point's access and drops its connection; its sessions, logs and issues stay. */
export function removeLocalChargePointRoute({ store, csms }: RouteDeps): RouteHandler {
  return ({ auth, params }) => {
    requireFullScope(auth);
    const id = params['charge_point_id']!;
    if (!store.chargePoints.get(id)) throw new ApiError('not_found', `charge point ${id} not found`);
    store.write(() => store.chargePoints.setPassword(id, null));
    csms.chargePoint(id)?.close(1008, 'access revoked');
    return ok({ id, removed: true });
  };
}

/**
 * A commissioned charge point commissioned again (local-only: the reference cannot). The new
 * session's first log line says who, when and which commissioning is set aside; an issue in the
 * same transaction tells the hosted API through the one route it has for it (report-issue),
 * since a commission it already holds is answered 422 there.
 */
export function recommissionRoute({ store, engine, refusals, clashes, referencePrefix }: RouteDeps): RouteHandler {
  return ({ auth, params, body }) => {
    const id = params['charge_point_id']!;
    const req = validate<StartRequest>(startSchema, body);
    const installer = auth ? store.installers.get(auth.installerId) : undefined;
    const by = installer ? `${installer.email} (${installer.id})` : (auth?.installerId ?? 'an installer');
    const options = { ...(req.template_id !== undefined && { templateId: req.template_id }), ...(req.skip_test_transaction !== undefined && { skipTestTransaction: req.skip_test_transaction }) };
    const started = explainNotConnected(id, refusals, clashes, () =>
      engine.recommission(id, { ...options, installerId: auth?.installerId ?? null }, by, (s) => {
        recordIssue(store, referencePrefix, id, auth?.installerId ?? null, {
          category: 'other',
          severity: 'low',
          description: `Re-commissioned on site by ${by} at ${s.at}: the commissioning of ${s.previousAt} (session ${s.previousSessionId ?? 'unknown'}) is set aside; new session ${s.id}.`,
        });
      }),
    );
    return ok(started, 202);
  };
}
