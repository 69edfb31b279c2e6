// Sync: 100,000 log lines from a site's data directory to a cloud instance (both real servers'
// stores; the sync in its own process), for several batch sizes; lines/s and peak RSS.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { measuredCli, report, ROOT, saveResult, startJsonProcess, stop, tempDir } from './lib.mjs';

const LINES = Number(process.env.BENCH_SYNC_LINES ?? 100_000);
const BATCHES = (process.env.BENCH_SYNC_BATCHES ?? '500,1000,2000,5000').split(',').map(Number);

async function siteWithLines() {
  const dataDir = tempDir();
  const { Store } = await import('../dist/server/store/store.js');
  const store = Store.open(dataDir);
  store.write(() => {
    store.chargePoints.add('CP-SYNC', null);
    store.sessions.create(
      {
        id: 'comm_00000000000000bb', chargePointId: 'CP-SYNC', templateId: 'tpl_standard_ac_22kw', skipTestTransaction: false,
        status: 'completed', result: 'passed', startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T00:10:00Z', pausedAt: null,
        pausedAtStep: null, resumedAt: null, estimatedDurationSeconds: 60, failureReason: null, supersededBy: null, origin: 'local',
      },
      ['connectivity'],
    );
    store.outbox.add('session', 'comm_00000000000000bb', 'CP-SYNC');
  });
  const frame = 'received [2,"b1a025f4-ec6e-48bf-aa54-7b469f832b92","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z","sampledValue":[{"value":"1250000"}]}]}]';
  for (let i = 0; i < LINES; i += 1) store.logs.append('comm_00000000000000bb', 'CP-SYNC', 'debug', 'test_transaction', frame);
  await store.close();
  return dataDir;
}

async function syncOnce(site, cloudUrl, token, batch) {
  const r = await measuredCli(['sync', '--to', cloudUrl, '--data-dir', site, '--json', '--log-batch', String(batch)], { DYNAMO_TOKEN: token, DYNAMO_CONFIG_DIR: tempDir() });
  if (r.code !== 0) throw new Error(`sync failed (${r.code}): ${r.stderr}`);
  const done = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).at(-1);
  return { seconds: r.seconds, lines: done.log_lines, rss_mb: r.rss_mb };
}

export async function run() {
  const site = await siteWithLines();
  const results = [];
  for (const batch of BATCHES) {
    const copy = tempDir();
    cpSync(site, copy, { recursive: true });
    const cloudDir = tempDir();
    const cloud = startJsonProcess([join(ROOT, 'bench', 'cloud-server.mjs'), cloudDir]);
    const { api_url: cloudUrl, credentials } = await cloud.first;
    const { ApiClient } = await import('../dist/api/client.js');
    const client = new ApiClient(cloudUrl);
    client.setToken((await client.login(credentials.email, credentials.password)).access_token);
    await client.addLocalChargePoint({ id: 'CP-SYNC' });
    const token = (await client.login(credentials.email, credentials.password)).access_token;
    const r = await syncOnce(copy, cloudUrl, token, batch);
    const received = (await client.logs('CP-SYNC', { session_id: 'comm_00000000000000bb', limit: 1 })).total;
    await client.close();
    await stop(cloud.child);
    if (received !== LINES) throw new Error(`cloud holds ${received} lines, expected ${LINES}`);
    results.push({ batch, ...r, lines_per_second: r.lines / r.seconds });
  }
  const best = results.reduce((a, b) => (b.lines_per_second > a.lines_per_second ? b : a));
  console.log(`Sync: ${LINES} log lines, site to cloud (sync in its own process, whole command timed)`);
  for (const r of results) {
    report(`batch ${r.batch}: lines/s`, r.lines_per_second, 'lines/s', best.lines_per_second, 'best', undefined);
    report(`batch ${r.batch}: sync process peak RSS`, r.rss_mb, 'MB');
  }
  return saveResult('sync', { lines: LINES, results, best_batch: best.batch });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
