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
  /** Local-server additions: the template the session uses, and why that one. */
  template_id?: string;
  template_choice?: TemplateChoice;
}

/**
 * Why a session uses its template: named in the request, the charge point's last one, the first
 * whose compatible_models names its model, or the default.
 */
export type TemplateChoice = 'given' | 'last_used' | 'model_match' | 'default';

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
  /**
   * Addition for sync: when the issue was reported on site. Only a hosted API takes it (a site
   * server stamps its own issues); absent, the receiver's clock decides.
   */
  created_at?: string;
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
  /** Additions: what was reported, for the commissioning report (the reference's list omits them). */
  description?: string;
  step?: StepName | null;
  /** Additions for offline sites: the site's own reference, and how far sync got. */
  local_reference?: string;
  sync_state?: IssueSyncState;
  /** Once synced: the hosted API's created_at, beside the site's (created_at). */
  hosted_created_at?: string;
  /** Additions of the local server: the charge point and the photos, as filed. */
  charge_point_id?: string;
  photo_urls?: string[];
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
  /** Local-server addition: drop-in files left out, and why. */
  invalid_templates?: InvalidTemplate[];
}

export interface InvalidTemplate {
  file: string;
  /** The id the file gives, if it can be read that far. */
  template_id: string | null;
  reason: string;
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
  hardware: {
    connectors: number | null;
    meter_type: string | null;
    rcd_present: boolean | null;
    /** Additions: the model and serial number the charge point gave at its boot. */
    model?: string | null;
    serial_number?: string | null;
  };
  configuration_readonly_keys: string[];
  /** Local-server addition: the model its BootNotification gave (vendor is firmware.vendor). */
  model?: string | null;
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
  /** From its last BootNotification; null until it has booted here. */
  vendor: string | null;
  model: string | null;
  /** `1.6` or `2.0.1`: what its last connection negotiated. */
  ocpp_version: string | null;
  /** Two or more devices use this id: their connections keep replacing each other. */
  duplicate_id: IdClash | null;
}

export interface IdClash {
  /** The addresses the connections came from, at most 4. */
  addresses: string[];
  /** Connections that replaced one from another address, within the window. */
  replacements: number;
  window_s: number;
  /** The latest of them. */
  at: string;
}

/**
 * Local-server addition to the `not_connected` error's details: what the server knows of why
 * the charge point is not connected (one entry per thing it knows).
 */
export type NotConnectedDetail =
  | { issue: 'refused'; refusal: ConnectionRefusal }
  | { issue: 'similar_id_refused'; id: string; refusal: ConnectionRefusal }
  | { issue: 'duplicate_id'; duplicate_id: IdClash };

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
  /**
   * The local server's OCPP port: who is connected, the sockets that have connected but not yet
   * upgraded or been refused (`handshaking`), and what checking attempts has cost.
   */
  ocpp?: { connected: number; handshaking: number; password_checks: number; refused: { unknown_id: number; wrong_password: number; rate_limited: number; busy: number } };
}

// Local-server additions: the laptop serves firmware to its chargers (README, "Firmware and the
// charger's own diagnostics"). The hosted API has no such routes.

/** A firmware image the local server holds for its chargers to download. */
export interface FirmwareImage {
  firmware_id: string;
  size: number;
  sha256: string;
  created_at: string;
}

export interface FirmwareUpdateRequest {
  firmware_id: string;
  /** The version the charger must report in its BootNotification afterwards. */
  expected_version?: string;
  /** When the charger may fetch it (default now). */
  retrieve_at?: string;
  /** 2.0.1: the signature (base64) and the PEM signing certificate of the image, when it is signed. */
  signature?: string;
  signing_certificate?: string;
}

/** Where an update is: `running` until the charger has come back (or failed). */
export type FirmwareUpdateState = 'running' | 'installed' | 'failed';

export interface FirmwareUpdate {
  update_id: string;
  charge_point_id: string;
  firmware_id: string;
  state: FirmwareUpdateState;
  /** The charger's last FirmwareStatusNotification status, or `Requested` before its first. */
  status: string;
  detail: string | null;
  size: number;
  bytes_served: number;
  expected_version: string | null;
  /** The firmware version of its BootNotification after the update. */
  reported_version: string | null;
  started_at: string;
  finished_at: string | null;
}

/** A line of a charge point's own log (firmware and diagnostics), apart from its sessions. */
export interface ChargePointEvent {
  /** A UUID: the hosted side keeps each once, however often it is sent. */
  id: string;
  charge_point_id: string;
  timestamp: string;
  level: LogLevel;
  topic: 'firmware' | 'diagnostics';
  /** The update or diagnostics fetch it belongs to. */
  ref: string | null;
  message: string;
}

export interface ChargePointEventsResponse {
  charge_point_id: string;
  events: ChargePointEvent[];
}

export interface EventBatchResponse {
  charge_point_id: string;
  accepted: number;
  duplicates: number;
}

/** A charger's own diagnostics file, fetched to the local server (GetDiagnostics / GetLog). */
export interface DiagnosticsFetch {
  fetch_id: string;
  charge_point_id: string;
  /** The session it was fetched beside (the charge point's latest), if any. */
  session_id: string | null;
  state: 'running' | 'stored' | 'failed';
  status: string;
  detail: string | null;
  size: number | null;
  sha256: string | null;
  started_at: string;
  finished_at: string | null;
}
