/**
 * The installer commissioning API: request and response shapes, defined once and used by the
 * local server, the client, the CLI and sync. Field names are the reference's, snake_case.
 */

export const STEP_NAMES = ['connectivity', 'heartbeat', 'configuration', 'connector_test', 'test_transaction'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const SESSION_STATUSES = ['running', 'paused', 'completed', 'stopped', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const ACTIVE_STATUSES: readonly SessionStatus[] = ['running', 'paused'];

export const STEP_STATUSES = ['pending', 'running', 'passed', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export type SessionResult = 'passed' | 'failed' | null;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const ISSUE_CATEGORIES = ['hardware_defect', 'network_problem', 'configuration_error', 'site_issue', 'other'] as const;
export type IssueCategory = (typeof ISSUE_CATEGORIES)[number];

export const ISSUE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];

export const MIN_ISSUE_DESCRIPTION = 20;

export interface LoginRequest {
  email: string;
  password: string;
}

export interface LoginResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  installer_id: string;
}

export interface StartRequest {
  template_id?: string;
  skip_test_transaction?: boolean;
}

export interface RestartRequest {
  template_id?: string;
}

export interface StepState {
  name: StepName;
  status: StepStatus;
  duration_ms?: number;
  detail?: string;
  /** Addition: what a passed step still wants looked at (its status stays `passed`). */
  warnings?: string[];
}

export interface StartResponse {
  charge_point_id: string;
  session_id: string;
  status: 'running';
  started_at: string;
  estimated_duration_seconds: number;
  steps: StepState[];
}

export interface StatusResponse {
  charge_point_id: string;
  session_id: string;
  status: SessionStatus;
  result: SessionResult;
  started_at: string;
  completed_at: string | null;
  steps: StepState[];
  /** Additions to the reference, present when they apply. */
  template_id?: string;
  paused_at?: string;
  paused_at_step?: StepName | null;
  failure_reason?: string;
}

export interface StopResponse {
  charge_point_id: string;
  session_id: string;
  status: 'stopped';
  stopped_at: string;
}

export interface PauseResponse {
  charge_point_id: string;
  session_id: string;
  status: 'paused';
  paused_at: string;
  paused_at_step: StepName | null;
}

export interface ResumeResponse {
  charge_point_id: string;
  session_id: string;
  status: 'running';
  resumed_at: string;
  resuming_at_step: StepName | null;
}

export interface LogEntry {
  /** Position in its session, from 1; the key sync uses to send each line once. */
  seq: number;
  timestamp: string;
  level: LogLevel;
  step: StepName | null;
  message: string;
}

export interface DiagnosticsQuery {
  full?: boolean;
}

export interface LogsQuery {
  session_id?: string;
  level?: LogLevel;
  limit?: number;
  offset?: number;
}

export interface LogsResponse {
  charge_point_id: string;
  session_id: string | null;
  logs: LogEntry[];
  total: number;
}

export interface ReportIssueRequest {
  category: IssueCategory;
  description: string;
  severity: IssueSeverity;
  step?: StepName;
  photo_urls?: string[];
}

export type IssueSyncState = 'local' | 'pending' | 'synced' | 'parked';

export interface IssueCreated {
  issue_id: string;
  charge_point_id: string;
  category: IssueCategory;
  severity: IssueSeverity;
  status: string;
  created_at: string;
  reference_number: string;
}

export interface IssueSummary {
  issue_id: string;
  category: IssueCategory;
  severity: IssueSeverity;
  status: string;
  created_at: string;
  reference_number: string;
  /** Additions for offline sites: the site's own reference, and how far sync got. */
  local_reference?: string;
  sync_state?: IssueSyncState;
}

export interface IssuesResponse {
  issues: IssueSummary[];
  total: number;
}

export interface TemplateSummary {
  template_id: string;
  name: string;
  description: string;
  compatible_models: string[];
  steps: StepName[];
  created_at: string;
}

export interface TemplatesResponse {
  templates: TemplateSummary[];
  total: number;
}

export interface ApplyTemplateRequest {
  template_id: string;
}

export interface ApplyTemplateResponse {
  charge_point_id: string;
  template_id: string;
  applied_keys: number;
  rejected_keys: string[];
  applied_at: string;
}

export interface Diagnostics {
  charge_point_id: string;
  collected_at: string | null;
  firmware: { version: string | null; vendor: string | null; last_updated: string | null };
  ocpp: { version: string | null; supported_features: string[] | null };
  network: {
    interface: string | null;
    ip_address: string | null;
    signal_strength: number | null;
    dns_resolution_ok: boolean | null;
    ntp_synced: boolean | null;
  };
  hardware: { connectors: number | null; meter_type: string | null; rcd_present: boolean | null };
  configuration_readonly_keys: string[];
  /** Only with ?full=true, and when the charge point has reported its configuration. */
  configuration_report?: ConfigurationReportDocument | null;
}

/**
 * One setting of a charge point as it reported it: a 1.6 configuration key, or a 2.0.1
 * variable's attribute (with where it lives in the device model).
 */
export interface ConfigurationReportItem {
  /** `HeartbeatInterval`, `OCPPCommCtrlr.HeartbeatInterval`, `EVSE[1].Power`, `DeviceDataCtrlr.ItemsPerMessage[GetVariables]` */
  name: string;
  /** Null when write-only, or when the charge point did not give it. */
  value: string | null;
  mutability: 'ReadOnly' | 'ReadWrite' | 'WriteOnly';
  component?: string;
  component_instance?: string;
  evse_id?: number;
  connector_id?: number;
  variable?: string;
  variable_instance?: string;
  /** Actual, Target, MinSet or MaxSet. */
  attribute?: string;
  data_type?: string;
  unit?: string;
}

/** Addition (diagnostics?full=true): the configuration the charge point reported, kept with a session. */
export interface ConfigurationReportDocument {
  protocol: string;
  taken_at: string;
  session_id: string | null;
  items: ConfigurationReportItem[];
}

export interface CommissionResponse {
  charge_point_id: string;
  status: 'commissioned';
  commissioned_at: string;
  session_id: string;
}

/** Sync: an offline session's final record, the status response of that session. */
export type SessionRecord = StatusResponse;

export interface SessionPutResponse {
  charge_point_id: string;
  session_id: string;
  stored: true;
}

export interface LogBatchRequest {
  logs: LogEntry[];
}

export interface LogBatchResponse {
  session_id: string;
  accepted: number;
  duplicates: number;
}

/** Local-only: which charge points may connect to this server. */
export interface LocalChargePoint {
  id: string;
  connected: boolean;
  commissioned: boolean;
  has_password: boolean;
  /** An AuthorizationKey gave it a new password that it has not connected with yet. */
  new_password_pending: boolean;
  created_at: string;
  last_seen_at: string | null;
  /** The last connection attempt the server refused since it last connected, and why. */
  last_refusal: ConnectionRefusal | null;
}

export interface ConnectionRefusal {
  at: string;
  reason: string;
  from: string | null;
  /** Attempts refused since it last connected. */
  count: number;
}

export interface LocalChargePointsResponse {
  charge_points: LocalChargePoint[];
  total: number;
  /** Ids not known here that tried to connect (newest first): a typo, or one to add. */
  unknown_attempts: (ConnectionRefusal & { id: string; did_you_mean: string | null })[];
}

export interface AddChargePointRequest {
  id: string;
  password?: string;
}

export interface AddChargePointResponse {
  id: string;
  created_at: string;
  /** Only when the server generated it: shown once, stored hashed. */
  password?: string;
}

export interface HealthResponse {
  status: 'ok';
  version: string;
  uptime_s: number;
  /** For long runs (the soak test watches these): memory in MB, and open handles. */
  rss_mb: number;
  heap_used_mb: number;
  active_handles: number;
  /** The local server's OCPP port: who is connected, and what checking attempts has cost. */
  /** Sockets on the OCPP port that have connected but not yet upgraded or been refused. */
  ocpp?: { connected: number; handshaking: number; password_checks: number; refused: { unknown_id: number; wrong_password: number; rate_limited: number; busy: number } };
}
