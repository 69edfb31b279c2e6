/**
 * The simulated charge point's configuration keys: the OCPP 1.6 standard keys (spec §9) with
 * the defaults a typical AC wallbox ships with, plus the vendor's read-only identity keys.
 */

type Kind = 'int' | 'bool' | 'csl' | 'string' | 'secret';

interface KeyDef {
  kind: Kind;
  readonly: boolean;
  value: string;
  /** For measurand lists: the values this firmware can sample. */
  allowed?: readonly string[];
}

export type ChangeStatus = 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';

export const SUPPORTED_MEASURANDS = [
  'Energy.Active.Import.Register',
  'Power.Active.Import',
  'Current.Import',
  'Current.Offered',
  'Voltage',
  'Temperature',
] as const;

export interface IdentityKeys {
  vendor: string;
  model: string;
  serial: string;
  connectors: number;
  profiles: string[];
}

function standardKeys(id: IdentityKeys): Record<string, KeyDef> {
  const rw = (kind: Kind, value: string, allowed?: readonly string[]): KeyDef => ({ kind, readonly: false, value, ...(allowed && { allowed }) });
  const ro = (kind: Kind, value: string): KeyDef => ({ kind, readonly: true, value });
  const phases = Array.from({ length: id.connectors + 1 }, (_, i) => `${i}.RST`).join(',');
  return {
    AllowOfflineTxForUnknownId: rw('bool', 'false'),
    AuthorizationCacheEnabled: rw('bool', 'true'),
    AuthorizeRemoteTxRequests: rw('bool', 'false'),
    ClockAlignedDataInterval: rw('int', '0'),
    ConnectionTimeOut: rw('int', '60'),
    ConnectorPhaseRotation: rw('csl', phases),
    GetConfigurationMaxKeys: ro('int', '50'),
    HeartbeatInterval: rw('int', '300'),
    LocalAuthorizeOffline: rw('bool', 'true'),
    LocalPreAuthorize: rw('bool', 'false'),
    MeterValuesAlignedData: rw('csl', 'Energy.Active.Import.Register', SUPPORTED_MEASURANDS),
    MeterValuesSampledData: rw('csl', 'Energy.Active.Import.Register', SUPPORTED_MEASURANDS),
    MeterValuesSampledDataMaxLength: ro('int', String(SUPPORTED_MEASURANDS.length)),
    MeterValueSampleInterval: rw('int', '60'),
    MinimumStatusDuration: rw('int', '0'),
    NumberOfConnectors: ro('int', String(id.connectors)),
    ResetRetries: rw('int', '3'),
    StopTransactionOnEVSideDisconnect: rw('bool', 'true'),
    StopTransactionOnInvalidId: rw('bool', 'true'),
    StopTxnAlignedData: rw('csl', '', SUPPORTED_MEASURANDS),
    StopTxnSampledData: rw('csl', '', SUPPORTED_MEASURANDS),
    SupportedFeatureProfiles: ro('csl', id.profiles.join(',')),
    TransactionMessageAttempts: rw('int', '3'),
    TransactionMessageRetryInterval: rw('int', '60'),
    UnlockConnectorOnEVSideDisconnect: rw('bool', 'true'),
    WebSocketPingInterval: rw('int', '0'),
    LocalAuthListEnabled: rw('bool', 'true'),
    LocalAuthListMaxLength: ro('int', '100'),
    SendLocalListMaxLength: ro('int', '20'),
    ChargePointVendor: ro('string', id.vendor),
    ChargePointModel: ro('string', id.model),
    ChargePointSerialNumber: ro('string', id.serial),
    // Security whitepaper: the Basic-auth password, hex-encoded, write-only (never reported back).
    AuthorizationKey: rw('secret', ''),
  };
}

export interface ConfigFaults {
  /** Keys this firmware does not know: NotSupported, and absent from GetConfiguration. */
  unsupportedKeys?: readonly string[];
  /** Keys it refuses to change: Rejected. */
  rejectKeys?: readonly string[];
  /** Keys it answers Accepted for but does not change (firmware that lies). */
  ignoreKeys?: readonly string[];
  /** Keys that need a reboot: RebootRequired, applied at the next Reset. */
  rebootRequiredKeys?: readonly string[];
  /**
   * Takes an AuthorizationKey's text as the password (16-40 characters) instead of the bytes
   * its hex encodes, as some firmware does.
   */
  authorizationKeyAsText?: boolean;
}

export class ConfigStore {
  private readonly keys: Record<string, KeyDef>;
  private readonly pending = new Map<string, string>();

  constructor(
    identity: IdentityKeys,
    private readonly faults: ConfigFaults = {},
  ) {
    this.keys = standardKeys(identity);
    for (const key of faults.unsupportedKeys ?? []) delete this.keys[key];
  }

  get(key: string): string | undefined {
    return this.keys[key]?.value;
  }

  int(key: string): number {
    return Number.parseInt(this.get(key) ?? '0', 10) || 0;
  }

  bool(key: string): boolean {
    return (this.get(key) ?? '').toLowerCase() === 'true';
  }

  list(key: string): string[] {
    return (this.get(key) ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  }

  /** GetConfiguration: all keys, or the requested ones with the rest reported unknown. */
  read(requested?: string[]): { configurationKey: { key: string; readonly: boolean; value?: string }[]; unknownKey: string[] } {
    const names = requested && requested.length > 0 ? requested : Object.keys(this.keys);
    const configurationKey: { key: string; readonly: boolean; value?: string }[] = [];
    const unknownKey: string[] = [];
    for (const key of names) {
      const def = this.keys[key];
      if (!def) unknownKey.push(key);
      else if (def.kind === 'secret') configurationKey.push({ key, readonly: def.readonly });
      else configurationKey.push({ key, readonly: def.readonly, value: def.value });
    }
    return { configurationKey, unknownKey };
  }

  /** ChangeConfiguration. */
  change(key: string, value: string): ChangeStatus {
    const def = this.keys[key];
    if (!def) return 'NotSupported';
    if (def.readonly || this.faults.rejectKeys?.includes(key)) return 'Rejected';
    if (!valid(def, value, this.faults)) return 'Rejected';
    if (this.faults.ignoreKeys?.includes(key)) return 'Accepted';
    if (this.faults.rebootRequiredKeys?.includes(key)) {
      this.pending.set(key, value);
      return 'RebootRequired';
    }
    def.value = normalise(def, value);
    return 'Accepted';
  }

  /** The Basic-auth password an AuthorizationKey set, if one did. */
  password(): Uint8Array | undefined {
    const key = this.get('AuthorizationKey');
    if (!key) return undefined;
    return Buffer.from(key, this.faults.authorizationKeyAsText ? 'utf8' : 'hex');
  }

  /** A reboot applies the values that were waiting for it. */
  applyPending(): void {
    for (const [key, value] of this.pending) {
      const def = this.keys[key];
      if (def) def.value = normalise(def, value);
    }
    this.pending.clear();
  }
}

function valid(def: KeyDef, value: string, faults: ConfigFaults): boolean {
  switch (def.kind) {
    case 'int':
      return /^\d{1,9}$/.test(value.trim());
    case 'bool':
      return /^(true|false)$/i.test(value.trim());
    case 'csl': {
      if (!def.allowed) return true;
      const items = value.split(',').map((v) => v.trim()).filter(Boolean);
      return items.every((item) => def.allowed!.includes(item));
    }
    case 'secret':
      // 16-20 bytes as 32-40 hex digits (security whitepaper).
      return faults.authorizationKeyAsText ? value.length >= 16 && value.length <= 40 : /^(?:[0-9a-fA-F]{2}){16,20}$/.test(value);
    default:
      return value.length <= 500;
  }
}

function normalise(def: KeyDef, value: string): string {
  if (def.kind === 'bool') return value.trim().toLowerCase();
  if (def.kind === 'int') return String(Number.parseInt(value.trim(), 10));
  if (def.kind === 'csl') return value.split(',').map((v) => v.trim()).filter(Boolean).join(',');
  return value;
}
