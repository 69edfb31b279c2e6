/** How the report's renderers word what the model holds, the same in every format. */
import { duration, type ChargePointReport, type ReportTransaction, type Verdict } from './model.js';

export const orDash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '–' : String(v));

export const verdictWord = (v: Verdict): string => (v.sign_off ? 'SIGN-OFF: YES' : 'SIGN-OFF: NO');

/** The settings line of a charge point: `11 of 12 applied, 1 rejected`. */
export function settingsSummary(cp: ChargePointReport): string {
  const t = cp.template;
  if (t.settings === null) return 'outcomes per setting not recorded by this server (see the configuration step)';
  if (t.settings.length === 0) return 'no settings sent';
  return `${t.applied} of ${t.settings.length} applied${t.rejected ? `, ${t.rejected} rejected` : ''}`;
}

/** Key figures of the test transaction, as label/value pairs. */
export function transactionFacts(tx: ReportTransaction): [string, string][] {
  return [
    ['Result', tx.status],
    ['Transaction', orDash(tx.transaction_id)],
    ['Energy delivered', tx.energy_wh === null ? '–' : `${tx.energy_kwh} kWh (${tx.energy_wh} Wh)`],
    ['Meter start / stop', tx.meter_start_wh === null && tx.meter_stop_wh === null ? '–' : `${orDash(tx.meter_start_wh)} Wh / ${orDash(tx.meter_stop_wh)} Wh`],
    ['Meter values', tx.meter_readings === null ? '–' : `${tx.meter_readings} message${tx.meter_readings === 1 ? '' : 's'}${tx.readings_wh.length ? `; register readings ${tx.readings_wh.join(', ')} Wh` : ''}`],
    ['Charging time', tx.charging_s === null ? '–' : `${tx.charging_s} s`],
    ['Step duration', duration(tx.duration_ms)],
    ['Detail', orDash(tx.detail)],
  ];
}

export function identityFacts(cp: ChargePointReport): [string, string][] {
  const i = cp.identity;
  return [
    ['Vendor', orDash(i.vendor)],
    ['Model', orDash(i.model)],
    ['Serial number', orDash(i.serial_number)],
    ['Firmware', orDash(i.firmware_version)],
    ['OCPP', orDash(i.ocpp_version)],
  ];
}

export function sessionFacts(cp: ChargePointReport): [string, string][] {
  const s = cp.session;
  if (!s) return [['Session', 'none has run']];
  return [
    ['Session', s.session_id],
    ['Status', `${s.status}${s.result ? ` (${s.result})` : ''}`],
    ['Started', s.started_at],
    ['Ended', orDash(s.completed_at)],
    ['Duration', s.duration_s === null ? '–' : duration(s.duration_s * 1000)],
    ['Run by installer', orDash(s.installer_id)],
    ['Template', orDash(cp.template.template_id)],
    ...(s.failure_reason ? ([['Failure', s.failure_reason]] as [string, string][]) : []),
  ];
}
