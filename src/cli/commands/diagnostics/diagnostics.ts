import type { ConfigurationReportDocument, Diagnostics } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import { table } from '../../table.js';
import type { Theme } from '../../theme.js';
import { humanTime } from '../../time-format.js';

const known = (v: unknown, unit = ''): string => (v === null || v === undefined ? 'not reported' : `${String(v)}${unit}`);

/** A 2.0.1 station has dozens of read-only variables: the summary names a few, --full has them all. */
const READ_ONLY_SHOWN = 8;

function readOnly(names: string[]): string {
  if (names.length === 0) return 'none reported';
  if (names.length <= READ_ONLY_SHOWN) return names.join(', ');
  return `${names.slice(0, READ_ONLY_SHOWN).join(', ')} and ${names.length - READ_ONLY_SHOWN} more (--full lists every setting)`;
}

export function diagnosticsLines(theme: Theme, d: Diagnostics, command: (args: string) => string = (a) => `dynamo ${a}`): string[] {
  // Nothing reported at all: one line that says so, not a page of "not reported".
  if (d.collected_at === null && d.firmware.version === null && d.ocpp.version === null) {
    return [`${theme.paint('bold', d.charge_point_id)} has not connected yet: nothing reported (is it online? ${command('local cp list')} shows what tried to connect)`];
  }
  const label = (s: string): string => theme.paint('dim', s.padEnd(10));
  // 1.6 names feature profiles; 2.0.1 the controllers the station reports available.
  const features = d.ocpp.version === '2.0.1' ? 'controllers' : 'profiles';
  return [
    `${theme.paint('bold', d.charge_point_id)} diagnostics${d.collected_at ? ` (collected ${humanTime(d.collected_at)})` : ' (nothing reported yet)'}`,
    `${label('firmware')} ${known(d.firmware.version)} by ${known(d.firmware.vendor)}, last updated ${known(d.firmware.last_updated)}`,
    `${label('ocpp')} ${known(d.ocpp.version)}; ${features}: ${d.ocpp.supported_features?.join(', ') ?? 'not reported'}`,
    `${label('network')} address ${known(d.network.ip_address)}; interface ${known(d.network.interface)}, signal ${known(d.network.signal_strength)}, DNS ${known(d.network.dns_resolution_ok)}, NTP ${known(d.network.ntp_synced)}`,
    `${label('hardware')} ${known(d.hardware.connectors)} connector(s), meter ${known(d.hardware.meter_type)}, RCD ${known(d.hardware.rcd_present)}`,
    `${label('read-only')} ${readOnly(d.configuration_readonly_keys)}`,
  ];
}

/** Every setting of the report, one row each: what the station was set to when it was read. */
export function reportLines(theme: Theme, report: ConfigurationReportDocument | null | undefined): string[] {
  if (report === undefined) return ['This server sent no configuration report (it may not offer diagnostics --full).'];
  if (report === null) return ['No configuration reported yet: a commissioning session reads it (its configuration step).'];
  const rows = report.items.map((i) => [i.name, i.value === null ? (i.mutability === 'WriteOnly' ? '(write-only)' : '(not given)') : i.value, i.mutability, i.unit ?? '']);
  return [
    `${report.items.length} settings over ${report.protocol}, read ${humanTime(report.taken_at)}${report.session_id ? ` by session ${report.session_id}` : ''}`,
    '',
    ...table(theme, ['SETTING', 'VALUE', 'MUTABILITY', 'UNIT'], rows),
  ];
}

export async function run(ctx: CliContext, o: { chargePointId: string; full: boolean; fetch: boolean; out?: string | undefined }): Promise<number> {
  if (o.out !== undefined && !o.fetch) throw new UsageError('--out goes with --fetch (the charger\'s own diagnostics file)');
  const client = await ctx.client();
  try {
    if (o.fetch) return await (await import('./fetch.js')).fetchDiagnostics(ctx, client, o.chargePointId, o.out);
    const d = await client.diagnostics(o.chargePointId, { full: o.full });
    if (ctx.out.json) ctx.out.document(d);
    else {
      for (const line of diagnosticsLines(ctx.theme, d, (a) => ctx.command(a))) ctx.out.line(line);
      if (o.full) {
        ctx.out.line('');
        for (const line of reportLines(ctx.theme, d.configuration_report)) ctx.out.line(line);
      }
    }
    return 0;
  } finally {
    await client.close();
  }
}
