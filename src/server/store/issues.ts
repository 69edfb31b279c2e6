import type { IssueCategory, IssueCreated, IssueSeverity, IssueSummary, StepName } from '../../api/contract.js';
import type { Db } from './db.js';

export interface Issue {
  id: string;
  uuid: string;
  chargePointId: string;
  installerId: string | null;
  category: IssueCategory;
  description: string;
  severity: IssueSeverity;
  step: StepName | null;
  photoUrls: string[];
  status: string;
  createdAt: string;
  referenceNumber: string;
  remoteIssueId: string | null;
  remoteReferenceNumber: string | null;
  /** The hosted API's created_at in its answer, which may differ from the site's. */
  remoteCreatedAt: string | null;
  syncedAt: string | null;
}

interface Row {
  id: string;
  uuid: string;
  charge_point_id: string;
  installer_id: string | null;
  category: IssueCategory;
  description: string;
  severity: IssueSeverity;
  step: StepName | null;
  photo_urls: string;
  status: string;
  created_at: string;
  reference_number: string;
  remote_issue_id: string | null;
  remote_reference_number: string | null;
  remote_created_at: string | null;
  synced_at: string | null;
}

const fromRow = (r: Row): Issue => ({
  id: r.id,
  uuid: r.uuid,
  chargePointId: r.charge_point_id,
  installerId: r.installer_id,
  category: r.category,
  description: r.description,
  severity: r.severity,
  step: r.step,
  photoUrls: JSON.parse(r.photo_urls) as string[],
  status: r.status,
  createdAt: r.created_at,
  referenceNumber: r.reference_number,
  remoteIssueId: r.remote_issue_id,
  remoteReferenceNumber: r.remote_reference_number,
  remoteCreatedAt: r.remote_created_at,
  syncedAt: r.synced_at,
});

export class Issues {
  constructor(private readonly db: Db) {}

  insert(issue: Issue): void {
    this.db
      .prepare(
        `INSERT INTO issues (id, uuid, charge_point_id, installer_id, category, description, severity, step, photo_urls,
           status, created_at, reference_number)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        issue.id,
        issue.uuid,
        issue.chargePointId,
        issue.installerId,
        issue.category,
        issue.description,
        issue.severity,
        issue.step,
        JSON.stringify(issue.photoUrls),
        issue.status,
        issue.createdAt,
        issue.referenceNumber,
      );
  }

  get(id: string): Issue | undefined {
    const row = this.db.prepare('SELECT * FROM issues WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  list(chargePointId: string): Issue[] {
    return (this.db.prepare('SELECT * FROM issues WHERE charge_point_id = ? ORDER BY created_at, rowid').all(chargePointId) as Row[]).map(fromRow);
  }

  /** Sync: the hosted API's id and reference for a local issue. */
  markSynced(id: string, remote: { issueId: string; reference: string; createdAt: string }, at: string): void {
    this.db
      .prepare('UPDATE issues SET remote_issue_id = ?, remote_reference_number = ?, remote_created_at = ?, synced_at = ? WHERE id = ?')
      .run(remote.issueId, remote.reference, remote.createdAt, at, id);
  }
}

export function toIssueCreated(issue: Issue): IssueCreated {
  return {
    issue_id: issue.id,
    charge_point_id: issue.chargePointId,
    category: issue.category,
    severity: issue.severity,
    status: issue.status,
    created_at: issue.createdAt,
    reference_number: issue.referenceNumber,
  };
}

export function toIssueSummary(issue: Issue): IssueSummary {
  return {
    issue_id: issue.id,
    charge_point_id: issue.chargePointId,
    category: issue.category,
    severity: issue.severity,
    status: issue.status,
    created_at: issue.createdAt,
    reference_number: issue.referenceNumber,
    description: issue.description,
    step: issue.step,
    photo_urls: issue.photoUrls,
  };
}
