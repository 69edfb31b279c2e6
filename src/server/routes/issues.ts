import { randomUUID } from 'node:crypto';
import type { IssuesResponse, IssueSummary, ReportIssueRequest } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { reportIssueSchema } from '../../api/schemas.js';
import { validate } from '../../api/validate.js';
import { newId } from '../../common/ids.js';
import { isoSeconds } from '../../common/time.js';
import { ok, type RouteHandler } from '../http/types.js';
import { type Issue, toIssueCreated, toIssueSummary } from '../store/issues.js';
import type { Store } from '../store/store.js';
import type { RouteDeps } from './deps.js';
import { refuseFuture } from './sync.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/**
 * A new issue and its outbox entry; the caller holds the transaction. Numbered per year with
 * the server's prefix (LOC on a site, DYN on the hosted side).
 */
export function recordIssue(store: Store, prefix: string, chargePointId: string, installerId: string | null, req: ReportIssueRequest, uuid?: string): Issue {
  const now = new Date();
  const year = now.getUTCFullYear();
  const n = store.counters.next(`issue-reference-${year}`);
  const created: Issue = {
    id: newId('iss'),
    uuid: uuid ?? randomUUID(),
    chargePointId,
    installerId,
    category: req.category,
    description: req.description,
    severity: req.severity,
    step: req.step ?? null,
    photoUrls: req.photo_urls ?? [],
    status: 'open',
    createdAt: isoSeconds(req.created_at ? new Date(req.created_at) : now),
    referenceNumber: `${prefix}-${year}-${String(n).padStart(5, '0')}`,
    remoteIssueId: null,
    remoteReferenceNumber: null,
    remoteCreatedAt: null,
    syncedAt: null,
  };
  store.issues.insert(created);
  store.outbox.add('issue', created.id, chargePointId);
  return created;
}

/**
 * POST .../report-issue. With an Idempotency-Key header a repeated request gets the first
 * response and creates nothing: that is how sync delivers an issue exactly once.
 */
export function reportIssueRoute({ store, referencePrefix, receivesSync }: RouteDeps): RouteHandler {
  return ({ params, body, headers, auth }) => {
    const chargePointId = params['charge_point_id']!;
    const req = validate<ReportIssueRequest>(reportIssueSchema, body);
    // The site's time of an issue it syncs; a site server's own issues are stamped by its clock.
    if (req.created_at !== undefined && !receivesSync) {
      throw new ApiError('validation_error', 'created_at is set by this server (only a hosted API takes it, from sync)', [{ field: 'created_at', issue: 'not_allowed' }]);
    }
    refuseFuture('created_at', req.created_at);
    const key = headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      throw new ApiError('validation_error', 'Idempotency-Key must be 1-128 printable characters', [{ field: 'Idempotency-Key', issue: 'invalid_format' }]);
    }
    const route = `report-issue:${chargePointId}`;
    if (key) {
      const first = store.idempotency.get(key, route);
      if (first) return { status: first.status, body: first.body, headers: { 'Idempotent-Replayed': 'true' } };
    }
    if (!store.chargePoints.get(chargePointId)) throw new ApiError('not_found', `charge point ${chargePointId} not found`);
    const issue = store.write(() => {
      const created = recordIssue(store, referencePrefix, chargePointId, auth?.installerId ?? null, req, key);
      if (key) store.idempotency.put(key, route, { status: 201, body: toIssueCreated(created) });
      return created;
    });
    return ok(toIssueCreated(issue), 201);
  };
}

/** GET .../issues: on a site, each issue also says whether it reached the hosted API. */
export function issuesRoute({ store }: RouteDeps): RouteHandler {
  return ({ params }) => {
    const chargePointId = params['charge_point_id']!;
    if (!store.chargePoints.get(chargePointId)) throw new ApiError('not_found', `charge point ${chargePointId} not found`);
    const issues = store.issues.list(chargePointId).map((issue): IssueSummary => {
      const summary = toIssueSummary(issue);
      if (!store.outbox.enabled) return summary;
      if (issue.remoteReferenceNumber) {
        return {
          ...summary,
          reference_number: issue.remoteReferenceNumber,
          local_reference: issue.referenceNumber,
          sync_state: 'synced',
          ...(issue.remoteCreatedAt && { hosted_created_at: issue.remoteCreatedAt }),
        };
      }
      return { ...summary, local_reference: issue.referenceNumber, sync_state: store.outbox.stateOf('issue', issue.id) === 'parked' ? 'parked' : 'pending' };
    });
    const response: IssuesResponse = { issues, total: issues.length };
    return ok(response);
  };
}
