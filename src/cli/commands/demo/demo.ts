import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimOcppVersion } from '../../../sim/create.js';
import type { SimulatedStation } from '../../../sim/station.js';
import type { CliContext } from '../../context.js';
import { diagnosticsLines } from '../diagnostics/diagnostics.js';
import { followSession } from '../session/follow.js';

const CHARGE_POINT = 'CP-DEMO-001';

/**
 * Everything on one laptop, nothing installed by hand: a local server on a temporary SQLite
 * database, one simulated charge point that authenticates with its own password, and a full
 * commissioning over real OCPP and real HTTP, shown live.
 */
export async function run(ctx: CliContext, o: { keep: boolean; ocpp: SimOcppVersion }): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dynamo-demo-'));
  const { LocalServer } = await import('../../../server/local-server.js');
  const { ApiClient } = await import('../../../api/client.js');
  const { createStation } = await import('../../../sim/create.js');
  const t = ctx.theme;
  const server = await LocalServer.start({
    dataDir,
    port: 0,
    apiHost: '127.0.0.1',
    ocppHost: '127.0.0.1',
    heartbeatIntervalS: 300,
    engine: { testTransaction: { duration_seconds: 6 } },
  });
  const client = new ApiClient(server.apiUrl);
  let sim: SimulatedStation | null = null;
  try {
    const credentials = server.createdCredentials!;
    client.setToken((await client.login(credentials.email, credentials.password)).access_token);
    const { password } = await client.addLocalChargePoint({ id: CHARGE_POINT });
    sim = await createStation({
      ocpp: o.ocpp,
      url: server.ocppUrl,
      id: CHARGE_POINT,
      password: password!,
      connectors: 2,
      vendor: 'ABB',
      model: 'Terra AC W22-G5',
      firmwareVersion: '3.8.2',
    });
    ctx.out.info(t.paint('bold', 'dynamo demo'));
    ctx.out.info(`  local server     ${server.apiUrl}  (SQLite in ${dataDir})`);
    ctx.out.info(`  OCPP ${`${o.ocpp === '1.6' ? '1.6J' : '2.0.1'}`.padEnd(12)}${server.ocppUrl}/${CHARGE_POINT}  (Basic auth, security profile 1)`);
    await sim.start();
    ctx.out.info(`  charge point     ${CHARGE_POINT} connected and booted (simulated ABB Terra AC W22-G5, ${o.ocpp === '1.6' ? '2 connectors' : '2 EVSEs'})`);
    const started = await client.start(CHARGE_POINT, { template_id: 'tpl_standard_ac_22kw' });
    ctx.out.info(`  session          ${started.session_id}, template tpl_standard_ac_22kw`);
    ctx.out.info('');
    const code = await followSession(ctx, client, CHARGE_POINT, null);
    if (!ctx.out.json) {
      ctx.out.line('');
      for (const line of diagnosticsLines(t, await client.diagnostics(CHARGE_POINT))) ctx.out.line(`  ${line}`);
      const logs = await client.logs(CHARGE_POINT, { limit: 1 });
      ctx.out.line('');
      ctx.out.line(`  ${logs.total} log lines recorded, every OCPP frame included.`);
      ctx.out.line(`  On a real site: ${t.paint('bold', 'dynamo local up')}, then ${t.paint('bold', 'dynamo local cp add <id>')} and ${t.paint('bold', 'dynamo start <id> --local')}.`);
    }
    return code;
  } finally {
    sim?.stop();
    await client.close();
    await server.stop();
    if (o.keep) ctx.out.info(`Data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}
