import type { ConfigurationReportItem, Diagnostics } from '../../api/contract.js';
import type { ChargePointState } from '../../ocpp/csms/registry.js';
import type { ChargePointRecord } from '../store/charge-points.js';

const address = (a: string | null | undefined): string | null => (a ? a.replace(/^::ffff:/, '') : null);

const valueOf = (items: ConfigurationReportItem[], name: string): string | undefined => items.find((i) => i.name === name)?.value ?? undefined;

/**
 * What each version reports about itself in its configuration. 1.6: SupportedFeatureProfiles and
 * NumberOfConnectors. 2.0.1: the controllers it reports Available or Enabled (its functional
 * blocks), and its Connector components.
 */
function reported(items: ConfigurationReportItem[], protocol: string | null): { features: string[] | null; connectors: number | null } {
  if (protocol === 'ocpp2.0.1') {
    const on = (component: string, variable: string): boolean | undefined => {
      const v = items.find((i) => i.component === component && i.variable === variable && (i.attribute ?? 'Actual') === 'Actual')?.value;
      return v === undefined || v === null ? undefined : v.toLowerCase() === 'true';
    };
    const controllers = [...new Set(items.map((i) => i.component).filter((c): c is string => !!c && c.endsWith('Ctrlr')))];
    const features = controllers.filter((c) => (on(c, 'Enabled') ?? on(c, 'Available')) !== false).sort();
    const connectors = new Set(items.filter((i) => i.component === 'Connector' && i.evse_id !== undefined).map((i) => `${i.evse_id}/${i.connector_id ?? 1}`)).size;
    return { features: items.length > 0 ? features : null, connectors: connectors > 0 ? connectors : null };
  }
  const profiles = valueOf(items, 'SupportedFeatureProfiles');
  const n = Number.parseInt(valueOf(items, 'NumberOfConnectors') ?? '', 10);
  return { features: profiles === undefined ? null : profiles.split(',').map((p) => p.trim()).filter(Boolean), connectors: Number.isFinite(n) ? n : null };
}

/**
 * Diagnostics from what the charge point really reported: its BootNotification, its last full
 * configuration (1.6 GetConfiguration, 2.0.1 base report) and the connection as we saw it. What
 * it does not tell (network interface, signal, DNS, NTP, RCD) is null, never guessed.
 */
export function buildDiagnostics(record: ChargePointRecord, items: ConfigurationReportItem[], live: ChargePointState | undefined): Diagnostics {
  const boot = live?.boot ?? record.boot;
  const protocol = live?.protocol ?? record.protocol;
  const { features, connectors } = reported(items, protocol);
  const seenConnectors = live ? [...live.connectors.values()].filter((c) => c.evseId > 0).length : 0;
  const times = [live?.bootedAt?.toISOString() ?? record.bootedAt, record.configurationAt].filter((t): t is string => !!t).sort();
  return {
    charge_point_id: record.id,
    collected_at: times.length > 0 ? times[times.length - 1]!.replace(/\.\d{3}Z$/, 'Z') : null,
    firmware: {
      version: boot?.firmwareVersion ?? null,
      vendor: boot?.vendor ?? null,
      last_updated: record.firmwareInstalledAt,
    },
    ocpp: {
      version: protocol ? protocol.replace(/^ocpp/, '') : null,
      supported_features: features,
    },
    network: {
      interface: null,
      ip_address: address(live?.remoteAddress ?? record.remoteAddress),
      signal_strength: null,
      dns_resolution_ok: null,
      ntp_synced: null,
    },
    hardware: {
      connectors: connectors ?? (seenConnectors > 0 ? seenConnectors : null),
      meter_type: boot?.meterType ?? null,
      rcd_present: null,
      model: boot?.model ?? null,
      serial_number: boot?.serialNumber ?? null,
    },
    configuration_readonly_keys: items.filter((i) => i.mutability === 'ReadOnly').map((i) => i.name),
    model: boot?.model ?? null,
  };
}
