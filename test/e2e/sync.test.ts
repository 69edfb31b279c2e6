import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { toStatusResponse } from '../../src/server/store/sessions.js';
import { BIN, cli, ndjson } from '../helpers/cli.js';
import { until } from '../helpers/ocpp.js';
import { startServer, tempDir, waitForEnd, type TestServer } from '../helpers/server.js';

const LINES_PER_SESSION = 3000;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Site {
  dataDir: string;
  /** CP-1's own log (a firmware update), as the site holds it. */
  events: { id: string; message: string }[];
  sessionIds: string[];
  issueIds: string[];
  logCounts: Map<string, number>;
}

/**
 * A site that worked offline: two finished sessions with thousands of log lines, three issues,
 * then the site server stopped (the data directory is what sync reads).
 */
async function offlineSite(extra?: (site: TestServer) => Promise<void>): Promise<Site> {
  const site = await startServer({ firmware: { rebootWaitMs: 2000 } });
  await site.simulator('CP-1', { firmwareStepMs: 20 });
  await site.simulator('CP-2');
  const sessionIds: string[] = [];
  for (const cp of ['CP-1', 'CP-2']) {
    const { session_id } = await site.client.start(cp, { skip_test_transaction: true });
    await waitForEnd(site.client, cp);
    for (let i = 1; i <= LINES_PER_SESSION; i += 1) site.server.store.logs.append(session_id, cp, 'debug', 'configuration', `replayed frame ${i}`);
    sessionIds.push(session_id);
  }
  await extra?.(site);
  // A firmware update leaves lines in CP-1's own log, apart from its sessions.
  const image = Buffer.from('DYNAMO-SIM-FIRMWARE 2.0.0\n');
  const { Readable } = await import('node:stream');
  const fw = await site.client.putFirmware({ stream: Readable.from([image]), size: image.length });
  await site.client.startFirmwareUpdate('CP-1', { firmware_id: fw.firmware_id, expected_version: '2.0.0' });
  await until(() => site.server.store.firmware.latestUpdate('CP-1')?.state === 'installed', 15_000, 'the firmware update');
  const events = site.server.store.events.list('CP-1').map(({ id, message }) => ({ id, message }));
  const issueIds: string[] = [];
  for (const [cp, description] of [
    ['CP-1', 'Cable holster cracked on delivery.'],
    ['CP-2', 'Site WiFi drops every few minutes near bay 4.'],
    ['CP-1', 'Earth bond reading marginal, needs a recheck.'],
  ] as const) {
    issueIds.push((await site.client.reportIssue(cp, { category: 'hardware_defect', description, severity: 'medium' })).issue_id);
  }
  site.server.store.logs.barrier();
  const logCounts = new Map(await Promise.all(sessionIds.map(async (id) => [id, (await site.server.store.logs.page(id, { limit: 1, offset: 0 })).total] as const)));
  const dataDir = site.dataDir;
  await site.stop(false);
  return { dataDir, sessionIds, issueIds, logCounts, events };
}

async function cloudFor(options: { dataDir?: string; port?: number } = {}): Promise<TestServer> {
  const cloud = await startServer({ hosted: true, ...options });
  for (const cp of ['CP-1', 'CP-2']) if (!cloud.server.store.chargePoints.get(cp)) await cloud.addChargePoint(cp);
  return cloud;
}

/** The cloud holds every record once: issues, every log line, and sessions equal to the site's. */
async function expectExactlyOnce(cloud: TestServer, site: Site): Promise<void> {
  const { Store } = await import('../../src/server/store/store.js');
  const siteStore = Store.open(site.dataDir);
  try {
    const cloudIssues = ['CP-1', 'CP-2'].flatMap((cp) => cloud.server.store.issues.list(cp));
    expect(cloudIssues).toHaveLength(3);
    expect(new Set(cloudIssues.map((i) => i.description)).size).toBe(3);
    for (const id of site.issueIds) {
      const local = siteStore.issues.get(id)!;
      expect(local.remoteReferenceNumber).toMatch(/^DYN-\d{4}-\d{5}$/);
      expect(cloudIssues.find((i) => i.id === local.remoteIssueId)?.description).toBe(local.description);
    }
    for (const id of site.sessionIds) {
      const sent = cloud.server.store.sessions.get(id)!;
      expect(toStatusResponse(sent)).toEqual(toStatusResponse(siteStore.sessions.get(id)!));
      const lines = await cloud.server.store.logs.page(id, { limit: 10_000, offset: 0 });
      expect(lines.total).toBe(site.logCounts.get(id));
      expect(lines.logs.map((l) => l.seq)).toEqual(Array.from({ length: lines.total }, (_, i) => i + 1));
    }
    expect(site.events.length).toBeGreaterThan(5);
    expect(cloud.server.store.events.list('CP-1').map(({ id, message }) => ({ id, message }))).toEqual(site.events);
    expect(siteStore.outbox.counts().pending).toBe(0);
  } finally {
    await siteStore.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

test('offline records reach a cloud that is down at first: sync retries, the cloud comes up, each record arrives once', async () => {
  const site = await offlineSite();
  const port = await freePort();
  const cloudDir = tempDir();
  // Start the cloud once for its key and account, take a token, and take it down again.
  const first = await cloudFor({ dataDir: cloudDir, port });
  const token = first.token;
  await first.stop(false);

  const sync = cli(['sync', '--to', `http://127.0.0.1:${port}`, '--data-dir', site.dataDir, '--json', '--log-batch', '1000'], {
    env: { DYNAMO_TOKEN: token },
    timeoutMs: 60_000,
  });
  await new Promise((r) => setTimeout(r, 2500));
  const cloud = await cloudFor({ dataDir: cloudDir, port });
  cleanups.push(() => cloud.stop());
  const r = await sync;
  expect(r.code).toBe(0);
  const events = ndjson(r.stdout);
  expect(events.some((e) => e.type === 'retry')).toBe(true);
  const allLines = [...site.logCounts.values()].reduce((a, b) => a + b, 0);
  expect(allLines).toBeGreaterThan(2 * LINES_PER_SESSION);
  expect(events.at(-1)).toMatchObject({ type: 'done', issues: 3, sessions: 2, log_lines: allLines, charge_point_log_lines: site.events.length, parked: 0, pending: 0 });
  expect(events.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ sent: events.filter((e) => e.type === 'progress').at(-1).total });
  await expectExactlyOnce(cloud, site);

  // The site now shows the hosted reference, its own, and that it is synced.
  const local = await startServer({ dataDir: site.dataDir });
  cleanups.push(() => local.stop());
  const issues = (await local.client.issues('CP-1')).issues;
  expect(issues[0]).toMatchObject({ reference_number: expect.stringMatching(/^DYN-/), local_reference: expect.stringMatching(/^LOC-/), sync_state: 'synced' });
}, 120_000);

/**
 * A proxy in front of the cloud that, on the chosen response, kills the sync process after the
 * cloud has accepted the request and before the answer reaches it: the worst moment.
 */
function killingProxy(target: number): { server: Server; port: Promise<number>; arm(child: ChildProcess, afterResponses: number): void; kills: number } {
  let victim: { child: ChildProcess; left: number } | null = null;
  const state = { kills: 0 };
  const server = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        if (victim && --victim.left === 0) {
          victim.child.kill('SIGKILL');
          state.kills += 1;
          victim = null;
          res.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(Buffer.concat(chunks));
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const port = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    server,
    port,
    arm(child, afterResponses) {
      victim = { child, left: afterResponses };
    },
    get kills() {
      return state.kills;
    },
  };
}

test('sync killed with SIGKILL between the cloud accepting and the site recording, again and again: no duplicate, nothing missing', async () => {
  const site = await offlineSite();
  const cloud = await cloudFor();
  cleanups.push(() => cloud.stop());
  const proxy = killingProxy(Number(new URL(cloud.server.apiUrl).port));
  cleanups.push(() => new Promise((r) => proxy.server.close(r)));
  const url = `http://127.0.0.1:${await proxy.port}`;
  const { Store } = await import('../../src/server/store/store.js');
  const pending = async (): Promise<number> => {
    const s = Store.open(site.dataDir);
    try {
      return s.outbox.counts().pending;
    } finally {
      await s.close();
    }
  };
  for (let round = 0; round < 40 && (await pending()) > 0; round += 1) {
    const child = spawn(process.execPath, [BIN, 'sync', '--to', url, '--data-dir', site.dataDir, '--json', '--log-batch', '500', '--max-wait', '5'], {
      env: { ...process.env, DYNAMO_TOKEN: cloud.token, DYNAMO_CONFIG_DIR: tempDir() },
      stdio: 'ignore',
    });
    proxy.arm(child, 1 + Math.floor(Math.random() * 4));
    await new Promise((r) => child.once('exit', r));
  }
  expect(proxy.kills).toBeGreaterThanOrEqual(5);
  const final = await cli(['sync', '--to', cloud.server.apiUrl, '--data-dir', site.dataDir, '--json'], { env: { DYNAMO_TOKEN: cloud.token } });
  expect(final.code).toBe(0);
  await expectExactlyOnce(cloud, site);
}, 180_000);

test('a record the cloud refuses is parked with its reason and does not block the ones behind it; --retry-parked sends it later', async () => {
  // CP-X exists on the site only: its issue (recorded first) gets 404 from the cloud.
  const site = await offlineSite(async (s) => {
    await s.addChargePoint('CP-X');
    await s.client.reportIssue('CP-X', { category: 'site_issue', description: 'Bay markings missing on the new bays.', severity: 'low' });
  });
  const cloud = await cloudFor();
  cleanups.push(() => cloud.stop());
  const run = (args: string[]) => cli(['sync', '--to', cloud.server.apiUrl, '--data-dir', site.dataDir, ...args], { env: { DYNAMO_TOKEN: cloud.token } });

  const first = await run([]);
  // Something parked needs a person: not the exit of a sync that is done.
  expect(first.code).toBe(5);
  expect(first.stderr).toContain('parked issue');
  expect(first.stderr).toContain('404 not_found: charge point CP-X not found');
  expect(first.stdout).toMatch(/Synced to .*: 3 issues, 2 sessions/);
  expect(first.stdout).toMatch(/CP-X\n +parked +issue iss_\w+: 404 not_found/);
  const status = JSON.parse((await run(['--status', '--json'])).stdout);
  expect(status).toMatchObject({ pending: 0, parked: 1, parked_records: [{ kind: 'issue', charge_point_id: 'CP-X', reason: expect.stringContaining('404') }] });
  const plain = await run(['--status']);
  expect(plain.stdout).toMatch(/CHARGE POINT +PARKED +RECORD +REASON/);
  expect(plain.stdout).toMatch(/CP-X +1 issue +iss_\w+ +404/);

  await cloud.addChargePoint('CP-X');
  const retried = await run(['--retry-parked', '--json']);
  expect(retried.code).toBe(0);
  expect(ndjson(retried.stdout).at(-1)).toMatchObject({ type: 'done', issues: 1, parked: 0, pending: 0 });
  expect(cloud.server.store.issues.list('CP-X')).toHaveLength(1);
}, 120_000);

test('a hosted API with a smaller body limit: requests that get 413 are halved until they fit, and nothing is parked', async () => {
  const site = await offlineSite();
  const cloud = await cloudFor();
  cleanups.push(() => cloud.stop());
  const target = Number(new URL(cloud.server.apiUrl).port);
  let refused = 0;
  const strict = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length > 32 * 1024) {
        refused += 1;
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'payload_too_large', message: 'over 32 KB' }));
        return;
      }
      const upstream = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => strict.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => strict.close(r)));
  const r = await cli(['sync', '--to', `http://127.0.0.1:${(strict.address() as AddressInfo).port}`, '--data-dir', site.dataDir, '--json'], {
    env: { DYNAMO_TOKEN: cloud.token },
  });
  expect(r.code).toBe(0);
  expect(ndjson(r.stdout).at(-1)).toMatchObject({ type: 'done', parked: 0, pending: 0 });
  expect(refused).toBeGreaterThan(0);
  await expectExactlyOnce(cloud, site);
}, 120_000);

test('401 stops the sync with "run dynamo login" and sends nothing', async () => {
  const site = await offlineSite();
  const cloud = await cloudFor();
  cleanups.push(() => cloud.stop());
  const r = await cli(['sync', '--to', cloud.server.apiUrl, '--data-dir', site.dataDir], { env: { DYNAMO_TOKEN: 'a.e30.b' } });
  expect(r.code).toBe(4);
  expect(r.stderr).toMatch(/hint: run dynamo login --api-url http/);
  expect(cloud.server.store.issues.list('CP-1')).toHaveLength(0);
}, 120_000);

test('local up --sync-to sends in the background as records are made', async () => {
  const cloud = await cloudFor();
  cleanups.push(() => cloud.stop());
  const dataDir = tempDir();
  const up = spawn(process.execPath, [BIN, 'local', 'up', '--json', '--port', '0', '--ocpp-port', '0', '--sync-to', cloud.server.apiUrl], {
    env: { ...process.env, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: tempDir(), DYNAMO_TOKEN: cloud.token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  up.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  cleanups.push(
    () =>
      new Promise((r) => {
        up.once('exit', r);
        up.kill('SIGTERM');
      }),
  );
  await until(() => out.includes('api_url'), 10_000, 'local up');
  expect(ndjson(out)[0]).toMatchObject({ sync_to: cloud.server.apiUrl });
  const local = (args: string[]) => cli(['--local', ...args], { env: { DYNAMO_DATA_DIR: dataDir } });
  expect((await local(['local', 'cp', 'add', 'CP-1'])).code).toBe(0);
  expect((await local(['issue', 'report', 'CP-1', '-c', 'other', '-s', 'low', '-d', 'Reported on site, synced in the background.'])).code).toBe(0);
  await until(() => cloud.server.store.issues.list('CP-1').length === 1, 20_000, 'the issue to reach the cloud');
  await until(() => out.includes('synced to'), 5000, 'the sync log line');
  const list = JSON.parse((await local(['issue', 'list', 'CP-1', '--json'])).stdout);
  expect(list.issues[0]).toMatchObject({ sync_state: 'synced', reference_number: expect.stringMatching(/^DYN-/) });
}, 60_000);
