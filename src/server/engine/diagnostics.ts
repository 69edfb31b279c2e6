import type { Diagnostics } from '../../api/contract.js';
import type { ChargePointState } from '../../ocpp/csms/registry.js';
import type { ChargePointRecord } from '../store/charge-points.js';

const address = (a: string | null | undefined): string | null => (a ? a.replace(/^::ffff:/, '') : null);

/**
 * Diagnostics from what the charge point really reported: its BootNotification, its last full
 * GetConfiguration and the connection as we saw it. What OCPP 1.6 cannot tell us (network
 * interface, signal, DNS, NTP, RCD) is null, never guessed.
 */
export function buildDiagnostics(record: ChargePointRecord, live: ChargePointState | undefined): Diagnostics {
  const boot = live?.boot ?? record.boot;
  const config = record.configuration;
  const value = (key: string): string | undefined => config?.find((k) => k.key === key)?.value;
  const profiles = value('SupportedFeatureProfiles');
  const connectors = Number.parseInt(value('NumberOfConnectors') ?? '', 10);
  const seenConnectors = live ? [...live.connectors.keys()].filter((c) => c > 0).length : 0;
  const times = [live?.bootedAt?.toISOString() ?? record.bootedAt, record.configurationAt].filter((t): t is string => !!t).sort();
  const protocol = live?.protocol ?? record.protocol;
  return {
    charge_point_id: record.id,
    collected_at: times.length > 0 ? times[times.length - 1]!.replace(/\.\d{3}Z$/, 'Z') : null,
    firmware: {
      version: boot?.firmwareVersion ?? null,
      vendor: boot?.chargePointVendor ?? null,
      last_updated: record.firmwareInstalledAt,
    },
    ocpp: {
      version: protocol ? protocol.replace(/^ocpp/, '') : null,
      supported_features: profiles === undefined ? null : profiles.split(',').map((p) => p.trim()).filter(Boolean),
    },
    network: {
      interface: null,
      ip_address: address(live?.remoteAddress ?? record.remoteAddress),
      signal_strength: null,
      dns_resolution_ok: null,
      ntp_synced: null,
    },
    hardware: {
      connectors: Number.isFinite(connectors) ? connectors : seenConnectors > 0 ? seenConnectors : null,
      meter_type: boot?.meterType ?? null,
      rcd_present: null,
    },
    configuration_readonly_keys: (config ?? []).filter((k) => k.readonly).map((k) => k.key),
  };
}
