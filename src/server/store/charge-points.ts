import type { ConfigurationReportItem } from '../../api/contract.js';
import { isoSeconds } from '../../common/time.js';
import type { StationIdentity } from '../../ocpp/csms/registry.js';
import type { Db } from './db.js';

/**
 * A boot as stored: who the charge point said it was. Rows written before OCPP 2.0.1 hold the
 * 1.6 BootNotification itself; they read the same.
 */
function identityOf(json: string): StationIdentity {
  const o = JSON.parse(json) as Record<string, string | undefined>;
  if (typeof o['vendor'] === 'string') return o as unknown as StationIdentity;
  return {
    vendor: o['chargePointVendor'] ?? '',
    model: o['chargePointModel'] ?? '',
    serialNumber: o['chargePointSerialNumber'] ?? o['chargeBoxSerialNumber'] ?? null,
    firmwareVersion: o['firmwareVersion'] ?? null,
    meterType: o['meterType'] ?? null,
    iccid: o['iccid'] ?? null,
    imsi: o['imsi'] ?? null,
  };
}

/** A reported configuration as stored; rows written before OCPP 2.0.1 hold 1.6 GetConfiguration keys. */
function configurationOf(json: string): ConfigurationReportItem[] {
  const items = JSON.parse(json) as (ConfigurationReportItem | { key: string; readonly: boolean; value?: string })[];
  return items.map((i) => ('key' in i ? { name: i.key, value: i.value ?? null, mutability: i.readonly ? 'ReadOnly' : 'ReadWrite' } : i));
}

export interface ChargePointRecord {
  id: string;
  passwordHash: string | null;
  /** Hashes of a new password sent in an AuthorizationKey, accepted besides the current one until used. */
  offeredPasswordHashes: string[];
  templateId: string | null;
  createdAt: string;
  commissionedAt: string | null;
  commissionedSessionId: string | null;
  boot: StationIdentity | null;
  bootedAt: string | null;
  configurationAt: string | null;
  remoteAddress: string | null;
  protocol: string | null;
  lastSeenAt: string | null;
  firmwareInstalledAt: string | null;
  /** When a station kept Pending until configured was configured (local up --pending-until-configured). */
  configuredAt: string | null;
}

interface Row {
  id: string;
  password_hash: string | null;
  offered_password_hashes: string | null;
  template_id: string | null;
  created_at: string;
  commissioned_at: string | null;
  commissioned_session_id: string | null;
  boot_json: string | null;
  booted_at: string | null;
  configuration_at: string | null;
  remote_address: string | null;
  protocol: string | null;
  last_seen_at: string | null;
  firmware_installed_at: string | null;
  configured_at: string | null;
}

// Every column but the configuration report, which may be megabytes: listing charge points or
// checking one's password must not parse it.
const COLUMNS =
  'id, password_hash, offered_password_hashes, template_id, created_at, commissioned_at, commissioned_session_id, boot_json, booted_at, configuration_at, remote_address, protocol, last_seen_at, firmware_installed_at, configured_at';

const offeredOf = (json: string | null): string[] => (json ? (JSON.parse(json) as string[]) : []);

const fromRow = (r: Row): ChargePointRecord => ({
  id: r.id,
  passwordHash: r.password_hash,
  offeredPasswordHashes: offeredOf(r.offered_password_hashes),
  templateId: r.template_id,
  createdAt: r.created_at,
  commissionedAt: r.commissioned_at,
  commissionedSessionId: r.commissioned_session_id,
  boot: r.boot_json ? identityOf(r.boot_json) : null,
  bootedAt: r.booted_at,
  configurationAt: r.configuration_at,
  remoteAddress: r.remote_address,
  protocol: r.protocol,
  lastSeenAt: r.last_seen_at,
  firmwareInstalledAt: r.firmware_installed_at,
  configuredAt: r.configured_at,
});

/** Charge points this server knows: who may connect, and what they reported. */
export class ChargePoints {
  constructor(private readonly db: Db) {}

  get(id: string): ChargePointRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM charge_points WHERE id = ?`).get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /** What a connection attempt is checked against, and nothing else: an upgrade reads no report. */
  credentials(id: string): Pick<ChargePointRecord, 'passwordHash' | 'offeredPasswordHashes'> | undefined {
    const row = this.db.prepare('SELECT password_hash, offered_password_hashes FROM charge_points WHERE id = ?').get(id) as
      | Pick<Row, 'password_hash' | 'offered_password_hashes'>
      | undefined;
    return row && { passwordHash: row.password_hash, offeredPasswordHashes: offeredOf(row.offered_password_hashes) };
  }

  /** The last configuration the charge point reported, read only by those who need it. */
  configuration(id: string): ConfigurationReportItem[] | null {
    const row = this.db.prepare('SELECT configuration_json FROM charge_points WHERE id = ?').get(id) as { configuration_json: string | null } | undefined;
    return row?.configuration_json ? configurationOf(row.configuration_json) : null;
  }

  ids(): string[] {
    return (this.db.prepare('SELECT id FROM charge_points ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  }

  list(): ChargePointRecord[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM charge_points ORDER BY id`).all() as Row[]).map(fromRow);
  }

  /** Returns false when the id already exists. */
  add(id: string, passwordHash: string | null): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO charge_points (id, password_hash, created_at) VALUES (?, ?, ?)')
      .run(id, passwordHash, isoSeconds());
    return result.changes === 1;
  }

  /** Registers a charge point that connected in open mode. */
  ensure(id: string): void {
    this.add(id, null);
  }

  /** Sets or (with null) revokes the Basic-auth password; any offered one goes with it. */
  setPassword(id: string, passwordHash: string | null): void {
    this.db.prepare('UPDATE charge_points SET password_hash = ?, offered_password_hashes = NULL WHERE id = ?').run(passwordHash, id);
  }

  /**
   * Records the password an AuthorizationKey is about to give the charge point. Until the charge
   * point connects with it, both it and the current one are accepted: whether and when firmware
   * switches is its own business, and an answer lost on a bad link must not lock it out.
   */
  offerPassword(id: string, hashes: string[]): void {
    this.db.prepare('UPDATE charge_points SET offered_password_hashes = ? WHERE id = ?').run(JSON.stringify(hashes), id);
  }

  /** The charge point refused the AuthorizationKey: only the current password stays. */
  withdrawOfferedPassword(id: string): void {
    this.db.prepare('UPDATE charge_points SET offered_password_hashes = NULL WHERE id = ?').run(id);
  }

  recordConnection(id: string, remoteAddress: string | null, protocol: string, at: Date): void {
    this.db
      .prepare('UPDATE charge_points SET remote_address = ?, protocol = ?, last_seen_at = ? WHERE id = ?')
      .run(remoteAddress, protocol, isoSeconds(at), id);
  }

  recordSeen(id: string, at: Date): void {
    this.db.prepare('UPDATE charge_points SET last_seen_at = ? WHERE id = ?').run(isoSeconds(at), id);
  }

  recordBoot(id: string, boot: StationIdentity, at: Date): void {
    this.db.prepare('UPDATE charge_points SET boot_json = ?, booted_at = ? WHERE id = ?').run(JSON.stringify(boot), isoSeconds(at), id);
  }

  recordConfiguration(id: string, keys: ConfigurationReportItem[], at: Date): void {
    this.db
      .prepare('UPDATE charge_points SET configuration_json = ?, configuration_at = ? WHERE id = ?')
      .run(JSON.stringify(keys), isoSeconds(at), id);
  }

  recordFirmwareInstalled(id: string, at: Date): void {
    this.db.prepare('UPDATE charge_points SET firmware_installed_at = ? WHERE id = ?').run(isoSeconds(at), id);
  }

  setTemplate(id: string, templateId: string): void {
    this.db.prepare('UPDATE charge_points SET template_id = ? WHERE id = ?').run(templateId, id);
  }

  markConfigured(id: string, at: string): void {
    this.db.prepare('UPDATE charge_points SET configured_at = ? WHERE id = ?').run(at, id);
  }

  markCommissioned(id: string, sessionId: string, at: string): void {
    this.db.prepare('UPDATE charge_points SET commissioned_at = ?, commissioned_session_id = ? WHERE id = ?').run(at, sessionId, id);
  }

  /** Re-commissioning: the commissioning is set aside (the session that holds its log says so). */
  clearCommissioned(id: string): void {
    this.db.prepare('UPDATE charge_points SET commissioned_at = NULL, commissioned_session_id = NULL WHERE id = ?').run(id);
  }
}
