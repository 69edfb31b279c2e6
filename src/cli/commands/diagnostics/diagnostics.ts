import type { Diagnostics } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import type { Theme } from '../../theme.js';

const known = (v: unknown, unit = ''): string => (v === null || v === undefined ? 'not reported' : `${String(v)}${unit}`);

export function diagnosticsLines(theme: Theme, d: Diagnostics): string[] {
  const label = (s: string): string => theme.paint('dim', s.padEnd(10));
  return [
    `${theme.paint('bold', d.charge_point_id)} diagnostics${d.collected_at ? ` (collected ${d.collected_at})` : ' (nothing reported yet)'}`,
    `${label('firmware')} ${known(d.firmware.version)} by ${known(d.firmware.vendor)}, last updated ${known(d.firmware.last_updated)}`,
    `${label('ocpp')} ${known(d.ocpp.version)}; profiles: ${d.ocpp.supported_features?.join(', ') ?? 'not reported'}`,
    `${label('network')} address ${known(d.network.ip_address)}; interface ${known(d.network.interface)}, signal ${known(d.network.signal_strength)}, DNS ${known(d.network.dns_resolution_ok)}, NTP ${known(d.network.ntp_synced)}`,
    `${label('hardware')} ${known(d.hardware.connectors)} connector(s), meter ${known(d.hardware.meter_type)}, RCD ${known(d.hardware.rcd_present)}`,
    `${label('read-only')} ${d.configuration_readonly_keys.join(', ') || 'none reported'}`,
  ];
}

export async function run(ctx: CliContext, o: { chargePointId: string }): Promise<number> {
  const client = await ctx.client();
  try {
    const d = await client.diagnostics(o.chargePointId);
    if (ctx.out.json) ctx.out.document(d);
    else for (const line of diagnosticsLines(ctx.theme, d)) ctx.out.line(line);
    return 0;
  } finally {
    await client.close();
  }
}
