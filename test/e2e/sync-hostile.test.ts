import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBackgroundSync } from '../../src/server/sync/background-sync.js';
import { Store } from '../../src/server/store/store.js';
import { cli } from '../helpers/cli.js';
import { until } from '../helpers/ocpp.js';
import { startServer } from '../helpers/server.js';

/**
 * A "hosted API" that is not one: a captive portal, a proxy answering {} or nothing, a server
 * that trickles or never stops. Sync must mark nothing sent, say why, and keep its deadline.
 */
type Mode = (req: IncomingMessage, res: ServerResponse) => void;
let mode: Mode = () => undefined;
let fake: Server;
let fakeUrl: string;
let dataDir: string;
let pendingBefore: number;

beforeAll(async () => {
  fake = createServer((req, res) => {
    req.resume();
    mode(req, res);
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  const site = await startServer();
  await site.addChargePoint('CP-SYNC');
  await site.client.reportIssue('CP-SYNC', { category: 'site_issue', severity: 'low', description: 'The cabinet door does not lock properly.' });
  dataDir = site.dataDir;
  await site.stop(false);
  pendingBefore = countPending();
});
afterAll(async () => {
  fake.closeAllConnections();
  await new Promise<void>((r) => fake.close(() => r()));
});

function countPending(): number {
  const store = Store.open(dataDir);
  try {
    return store.outbox.counts().pending;
  } finally {
    void store.close();
  }
}

const sync = (maxWait = '2') => cli(['sync', '--to', fakeUrl, '--max-wait', maxWait], { env: { DYNAMO_DATA_DIR: dataDir, DYNAMO_TOKEN: 'not-checked-by-the-fake' }, timeoutMs: 25_000 });

test.each<[string, Mode, RegExp]>([
  ['200 with an empty body', (_q, res) => res.writeHead(200).end(), /is not the installer API's: an empty body/],
  ['200 with {}', (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), /its (issue_id|status) is missing/],
  ['302 to a captive portal', (_q, res) => res.writeHead(302, { location: 'http://portal.example/login' }).end(), /302, a redirect \(a captive portal or a wrong URL\?\)/],
  ['407 from a proxy', (_q, res) => res.writeHead(407, { 'content-type': 'text/plain' }).end('Proxy Authentication Required'), /answered 407/],
  ['200 with a captive portal page', (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please accept our terms</body></html>'), /an HTML page \(a captive portal, a proxy or a wrong URL\?\)/],
])('%s: nothing is marked sent, the reason is said, exit 7', async (_name, m, reason) => {
  mode = m;
  const r = await sync();
  expect(r.code).toBe(7);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).not.toMatch(/Unexpected token|SyntaxError/);
  expect(countPending()).toBe(pendingBefore);
});

test('an answer trickled a byte every 5 s: --max-wait is a deadline', async () => {
  mode = (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 5000);
    res.on('close', () => clearInterval(timer));
  };
  const started = Date.now();
  const r = await sync('3');
  expect(r.code).toBe(7);
  expect(r.stderr).toMatch(/no complete answer in time/);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(countPending()).toBe(pendingBefore);
});

test('an answer that never ends is cut at its size limit', async () => {
  mode = (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const pump = (): void => {
      while (res.write(chunk));
      res.once('drain', pump);
    };
    pump();
  };
  const r = await sync('3');
  expect(r.code).toBe(7);
  expect(r.stderr).toMatch(/larger than 4194304 bytes/);
  expect(countPending()).toBe(pendingBefore);
});

test('local up --sync-to runs the same client: a proxy answering {} gets nothing marked sent', async () => {
  mode = (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  const store = Store.open(dataDir);
  const said: string[] = [];
  const stop = startBackgroundSync({ store, url: fakeUrl, token: () => 'x', log: (l) => said.push(l), idleMs: 50, backoffBaseMs: 50, backoffMaxMs: 100 });
  try {
    await until(() => said.some((l) => l.includes('its issue_id is missing')), 5000, 'the reason to be said');
    expect(store.outbox.counts().pending).toBe(pendingBefore);
  } finally {
    await stop();
    await store.close();
  }
});

test('stopping the background sync while the hosted API holds a request cuts it after the grace: local up does not wait on a dead link', async () => {
  let held = 0;
  mode = () => {
    held += 1; // never answered
  };
  const store = Store.open(dataDir);
  const said: string[] = [];
  const stop = startBackgroundSync({ store, url: fakeUrl, token: () => 'x', log: (l) => said.push(l), idleMs: 50, stopGraceMs: 200 });
  try {
    await until(() => held > 0, 5000, 'a request to be under way');
    // The request's own deadline is 30 s: stop must not wait for it.
    const stopped = await Promise.race([stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
    expect(stopped).toBe('stopped');
    expect(store.outbox.counts().pending).toBe(pendingBefore);
    expect(said.filter((l) => l.includes('not reachable'))).toEqual([]);
  } finally {
    await stop();
    await store.close();
  }
}, 30_000);
