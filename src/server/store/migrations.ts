/**
 * Schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
 * Never edit a migration that has shipped: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE installers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '["*"]',
    created_at TEXT NOT NULL
  );

  CREATE TABLE charge_points (
    id TEXT PRIMARY KEY,
    password_hash TEXT,
    template_id TEXT,
    created_at TEXT NOT NULL,
    commissioned_at TEXT,
    commissioned_session_id TEXT,
    boot_json TEXT,
    booted_at TEXT,
    configuration_json TEXT,
    configuration_at TEXT,
    remote_address TEXT,
    protocol TEXT,
    last_seen_at TEXT,
    firmware_installed_at TEXT
  );

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    charge_point_id TEXT NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    template_id TEXT NOT NULL,
    skip_test_transaction INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    result TEXT,
    started_at TEXT NOT NULL,
    completed_at TEXT,
    paused_at TEXT,
    paused_at_step TEXT,
    resumed_at TEXT,
    estimated_duration_seconds INTEGER NOT NULL DEFAULT 0,
    failure_reason TEXT,
    superseded_by TEXT,
    origin TEXT NOT NULL DEFAULT 'local'
  );
  CREATE INDEX sessions_by_charge_point ON sessions(charge_point_id, started_at);

  CREATE TABLE steps (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    duration_ms INTEGER,
    detail TEXT,
    PRIMARY KEY (session_id, position)
  );

  CREATE TABLE log_chunks (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    lines TEXT NOT NULL,
    UNIQUE (session_id, from_seq)
  );

  CREATE TABLE issues (
    id TEXT PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    charge_point_id TEXT NOT NULL REFERENCES charge_points(id) ON DELETE CASCADE,
    installer_id TEXT,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    severity TEXT NOT NULL,
    step TEXT,
    photo_urls TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL,
    reference_number TEXT NOT NULL,
    remote_issue_id TEXT,
    remote_reference_number TEXT,
    synced_at TEXT
  );
  CREATE INDEX issues_by_charge_point ON issues(charge_point_id, created_at);

  CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    route TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    charge_point_id TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
  );
  CREATE INDEX outbox_pending ON outbox(state, id);

  CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
  `,
  // 2: passwords offered to a charge point in an AuthorizationKey, valid until it uses one.
  `
  ALTER TABLE charge_points ADD COLUMN offered_password_hashes TEXT;
  `,
  // 3: log chunks by level (log-chunks.js): a query by level decodes that level's chunks only,
  // and a page finds its place by counts, read from an index alone. Chunks written before are mixed (level NULL), each its
  // own group, with their counts worked out here.
  `
  ALTER TABLE log_chunks ADD COLUMN grp INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE log_chunks ADD COLUMN level TEXT;
  ALTER TABLE log_chunks ADD COLUMN n_debug INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE log_chunks ADD COLUMN n_info INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE log_chunks ADD COLUMN n_warn INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE log_chunks ADD COLUMN n_error INTEGER NOT NULL DEFAULT 0;
  UPDATE log_chunks SET
    grp = from_seq,
    n_debug = (SELECT count(*) FROM json_each(lines) WHERE json_extract(value, '$[2]') = 'debug'),
    n_info = (SELECT count(*) FROM json_each(lines) WHERE json_extract(value, '$[2]') = 'info'),
    n_warn = (SELECT count(*) FROM json_each(lines) WHERE json_extract(value, '$[2]') = 'warn'),
    n_error = (SELECT count(*) FROM json_each(lines) WHERE json_extract(value, '$[2]') = 'error');
  -- Covering: the counts come after the lines in each row, and reaching them there would read
  -- every overflow page of the session's text.
  CREATE INDEX log_chunks_counts ON log_chunks(session_id, grp, from_seq, line_count, n_debug, n_info, n_warn, n_error);
  `,
  // 4: OCPP 2.0.1 beside 1.6. Steps carry warnings; a station kept Pending until configured
  // remembers when it was; the configuration a charge point reported is kept with each session.
  `
  ALTER TABLE steps ADD COLUMN warnings TEXT;
  ALTER TABLE charge_points ADD COLUMN configured_at TEXT;
  CREATE TABLE configuration_reports (
    session_id TEXT PRIMARY KEY,
    charge_point_id TEXT NOT NULL,
    protocol TEXT NOT NULL,
    taken_at TEXT NOT NULL,
    items TEXT NOT NULL
  );
  CREATE INDEX configuration_reports_by_charge_point ON configuration_reports(charge_point_id, taken_at);
  `,
  // 5: offline to online. An issue keeps the time the hosted API gave it beside its site time.
  `
  ALTER TABLE issues ADD COLUMN remote_created_at TEXT;
  `,
  // 6: the laptop as the chargers' file server. Firmware images the installer gave it, the
  // updates sent with them, and a log per charge point, apart from sessions, of every firmware and
  // diagnostics step (synced like the rest).
  `
  CREATE TABLE firmware_images (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE firmware_updates (
    id TEXT PRIMARY KEY,
    charge_point_id TEXT NOT NULL,
    firmware_id TEXT NOT NULL,
    request_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    size INTEGER NOT NULL,
    bytes_served INTEGER NOT NULL DEFAULT 0,
    expected_version TEXT,
    reported_version TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX firmware_updates_by_charge_point ON firmware_updates(charge_point_id, started_at);
  CREATE TABLE charge_point_events (
    id TEXT PRIMARY KEY,
    charge_point_id TEXT NOT NULL,
    at TEXT NOT NULL,
    level TEXT NOT NULL,
    topic TEXT NOT NULL,
    ref TEXT,
    message TEXT NOT NULL
  );
  CREATE INDEX charge_point_events_by_charge_point ON charge_point_events(charge_point_id, at);
  CREATE TABLE diagnostics_fetches (
    id TEXT PRIMARY KEY,
    charge_point_id TEXT NOT NULL,
    session_id TEXT,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    path TEXT,
    size INTEGER,
    sha256 TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX diagnostics_fetches_by_charge_point ON diagnostics_fetches(charge_point_id, started_at);
  `,
];
