import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { Store } from '../../src/server/store/store.js';
import { BIN, cli, ndjson } from '../helpers/cli.js';
import { startServer, tempDir, waitForEnd, type TestServer } from '../helpers/server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An issue reported two hours before the sync: the hosted side must keep that time, not its own. */
const SITE_TIME = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A site that commissioned CP-1 offline after a passing session, and reported an issue on it. */
async function commissionedOffline(): Promise<{ dataDir: string; sessionId: string; issueId: string }> {
  const site = await startServer();
  await site.simulator('CP-1');
  const { session_id } = await site.client.start('CP-1', { skip_test_transaction: true });
  expect((await waitForEnd(site.client, 'CP-1')).result).toBe('passed');
  await site.client.commission('CP-1');
  const issue = { category: 'site_issue', description: 'Bay 3 has no painted markings yet.', severity: 'low' } as const;
  // A site server stamps its own issues: only a hosted API takes a created_at, from sync.
  await expect(site.client.reportIssue('CP-1', { ...issue, created_at: SITE_TIME })).rejects.toMatchObject({ status: 400, details: [{ field: 'created_at' }] });
  const { issue_id } = await site.client.reportIssue('CP-1', issue);
  site.server.store.db.prepare('UPDATE issues SET created_at = ? WHERE id = ?').run(SITE_TIME, issue_id);
  const dataDir = site.dataDir;
  await site.stop(false);
  return { dataDir, sessionId: session_id, issueId: issue_id };
}

async function readSite<T>(dataDir: string, fn: (s: Store) => T): Promise<T> {
  const s = Store.open(dataDir);
  try {
    return fn(s);
  } finally {
    await s.close();
  }
}

const sync = (cloud: TestServer, dataDir: string, args: string[] = [], url = cloud.server.apiUrl) =>
  cli(['sync', '--to', url, '--data-dir', dataDir, ...args], { env: { DYNAMO_TOKEN: cloud.token } });

test('a commissioning done offline waits for its session, then reaches the hosted API once; issues keep their site time', async () => {
  const site = await commissionedOffline();
  // The hosted API does not know CP-1 yet: the session is parked (404), so its commissioning may not go.
  const cloud = await startServer({ hosted: true });
  cleanups.push(() => cloud.stop());

  const first = await sync(cloud, site.dataDir);
  expect(first.code).toBe(5);
  expect(first.stdout).toContain('CP-1');
  expect(first.stdout).toMatch(/still pending +1 commissioning \(waits for its session comm_\w+, which is parked\)/);
  expect(first.stdout).toMatch(/parked +session comm_\w+: 404 not_found/);
  expect(await readSite(site.dataDir, (s) => s.outbox.stateOf('commission', site.sessionId))).toBe('pending');

  const status = JSON.parse((await sync(cloud, site.dataDir, ['--status', '--json'])).stdout);
  expect(status).toMatchObject({ unit: 'records', pending: 1 });
  const cp1 = status.charge_points.find((c: { charge_point_id: string }) => c.charge_point_id === 'CP-1');
  expect(cp1).toMatchObject({ commissions: { pending: 1, sent: 0, parked: 0 }, sessions: { parked: 1 }, issues: { parked: 1 } });
  // Log lines are counted as lines, however many batches hold them, and parked once per session.
  expect(cp1.log_lines.parked).toBeGreaterThan(5);
  expect(status.parked_records.filter((p: { kind: string }) => p.kind === 'logs')).toEqual([expect.objectContaining({ ref: site.sessionId, records: cp1.log_lines.parked })]);
  const plain = (await sync(cloud, site.dataDir, ['--status'])).stdout;
  expect(plain).toMatch(/CHARGE POINT +RECORDS +PENDING +SENT +PARKED/);
  expect(plain).toMatch(/CP-1 +commissionings +1 +0 +0/);
  expect(plain).toMatch(new RegExp(`CP-1 +${cp1.log_lines.parked} log lines +${site.sessionId}`));

  await cloud.addChargePoint('CP-1');
  const retried = await sync(cloud, site.dataDir, ['--retry-parked', '--json']);
  expect(retried.code).toBe(0);
  const done = ndjson(retried.stdout).at(-1);
  expect(done).toMatchObject({ type: 'done', sessions: 1, issues: 1, commissions: 1, parked: 0, pending: 0 });
  expect(done.charge_points).toEqual([expect.objectContaining({ charge_point_id: 'CP-1', sent: expect.objectContaining({ commissions: 1, sessions: 1 }), parked: [], waiting: [] })]);
  const hosted = cloud.server.store.chargePoints.get('CP-1')!;
  expect(hosted.commissionedSessionId).toBe(site.sessionId);

  const [hostedIssue] = cloud.server.store.issues.list('CP-1');
  expect(hostedIssue!.createdAt).toBe(SITE_TIME);
  const local = await readSite(site.dataDir, (s) => s.issues.get(site.issueId)!);
  expect(local).toMatchObject({ createdAt: SITE_TIME, remoteCreatedAt: SITE_TIME, remoteReferenceNumber: expect.stringMatching(/^DYN-/) });
  const again = await startServer({ dataDir: site.dataDir });
  cleanups.push(() => again.stop());
  const listed = await cli(['--api-url', again.server.apiUrl, 'issue', 'list', 'CP-1', '--json'], { env: { DYNAMO_TOKEN: again.token } });
  expect(JSON.parse(listed.stdout).issues[0]).toMatchObject({ created_at: SITE_TIME, hosted_created_at: SITE_TIME, sync_state: 'synced' });
}, 90_000);

test('sync killed after the hosted API commissioned and before the site recorded it: the next one finds it done, nothing twice', async () => {
  const site = await commissionedOffline();
  const cloud = await startServer({ hosted: true });
  cleanups.push(() => cloud.stop());
  await cloud.addChargePoint('CP-1');
  // In front of the cloud: lets the commission through to it, then kills the sync before the answer.
  let victim: ReturnType<typeof spawn> | null = null;
  const proxy = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: Number(new URL(cloud.server.apiUrl).port), path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        if (req.url?.endsWith('/commission') && victim) {
          victim.kill('SIGKILL');
          res.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(Buffer.concat(chunks));
      });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => proxy.close(r)));
  const child = spawn(process.execPath, [BIN, 'sync', '--to', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, '--data-dir', site.dataDir, '--max-wait', '5'], {
    env: { ...process.env, DYNAMO_TOKEN: cloud.token, DYNAMO_CONFIG_DIR: tempDir() },
    stdio: 'ignore',
  });
  victim = child;
  const [, signal] = await new Promise<[number | null, string | null]>((r) => child.once('exit', (code, sig) => r([code, sig])));
  expect(signal).toBe('SIGKILL');
  const first = cloud.server.store.chargePoints.get('CP-1')!.commissionedAt;
  expect(first).not.toBeNull();
  expect(await readSite(site.dataDir, (s) => s.outbox.stateOf('commission', site.sessionId))).toBe('pending');

  const again = await sync(cloud, site.dataDir, ['--json']);
  expect(again.code).toBe(0);
  expect(ndjson(again.stdout).at(-1)).toMatchObject({ type: 'done', commissions: 1, issues: 1, sessions: 0, pending: 0, parked: 0 });
  expect(cloud.server.store.chargePoints.get('CP-1')!.commissionedAt).toBe(first);
  expect(cloud.server.store.issues.list('CP-1')).toHaveLength(1);
  expect(await readSite(site.dataDir, (s) => s.outbox.counts())).toMatchObject({ pending: 0, parked: 0 });
}, 90_000);
