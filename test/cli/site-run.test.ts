import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { ApiClient, NetworkError } from '../../src/api/client.js';
import { SiteRun } from '../../src/cli/site/site-run.js';
import { resolveTargets } from '../../src/cli/site/targets.js';
import { until } from '../helpers/ocpp.js';
import { startServer } from '../helpers/server.js';

test('a site run that loses its server: said as offline while it retries, no row made an error of it, then the network error', async () => {
  const t = await startServer({ engine: { testTransaction: { duration_seconds: 60 } } });
  // The laptop's link to the server, which can be cut while the server (and its sessions) go on.
  const sockets = new Set<Socket>();
  const link = createServer((socket) => {
    const upstream = connect(Number(new URL(t.server.apiUrl).port), '127.0.0.1');
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => link.listen(0, '127.0.0.1', resolve));
  const client = new ApiClient(`http://127.0.0.1:${(link.address() as AddressInfo).port}`, { maxRetries: 0, token: t.token });
  try {
    await t.station('CP-R16', '1.6');
    await t.station('CP-R201', '2.0.1');
    const site = new SiteRun(client, await resolveTargets(client, { ids: ['CP-R16', 'CP-R201'] }), { concurrency: 8, pollMs: 50, maxOutageMs: 1500 });
    const offline: string[] = [];
    site.onChange((row) => {
      if (!row && site.offline) offline.push(site.offline);
    });
    const running = site.run();
    await until(() => site.rows.every((r) => r.state === 'running'), 10_000, 'both running');
    link.close();
    for (const s of sockets) s.destroy();
    await expect(running).rejects.toBeInstanceOf(NetworkError);
    expect(offline.length).toBeGreaterThanOrEqual(1);
    expect(site.rows.map((r) => r.state)).toEqual(['running', 'running']);
    expect(t.server.store.sessions.active('CP-R16')?.status).toBe('running');
  } finally {
    await client.close();
    await t.stop();
  }
}, 60_000);
