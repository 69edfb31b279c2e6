import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, ndjson } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * A site of six: 1.6 and 2.0.1 stations, one that refuses the test transaction's remote start
 * (its test_transaction step fails), one registered but never connected.
 */
let t: TestServer;
const GOOD = ['CP-S16-1', 'CP-S201-1', 'CP-S16-2', 'CP-S201-2'];
const FAULTY = 'CP-S-FAULT';
const OFFLINE = 'CP-S-OFF';
beforeAll(async () => {
  t = await startServer();
  // One reports a model that tries to drive the terminal.
  await Promise.all(GOOD.map((id, i) => t.station(id, i % 2 === 0 ? '1.6' : '2.0.1', i === 3 ? { model: 'Evil\u001b[2J\u202eAC' } : {})));
  await t.station(FAULTY, '2.0.1', { faults: { refuseRemoteStart: true } });
  await t.addChargePoint(OFFLINE);
});
afterAll(async () => t.stop());

const run = (args: string[]) => cli(['--api-url', t.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: t.token }, timeoutMs: 60_000 });

/** Samples, on the server, how many sessions are running or paused at once while `during` runs. */
async function peakActive<T>(ids: string[], during: Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, ids.filter((id) => t.server.store.sessions.active(id) !== undefined).length);
  }, 10);
  try {
    return { result: await during, peak };
  } finally {
    clearInterval(timer);
  }
}

describe('start with many charge points', () => {
  test('ids, one of them offline: a session document per change, a summary naming the offline one, exit 3', async () => {
    const r = await run(['start', GOOD[0]!, GOOD[1]!, OFFLINE, '--skip-test-transaction', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const docs = ndjson(r.stdout);
    expect(docs.slice(0, -1).every((d) => d.kind === 'session')).toBe(true);
    // A change each: no document repeats the one before it for the same charge point.
    const last = new Map<string, string>();
    for (const d of docs.slice(0, -1)) {
      const text = JSON.stringify(d);
      expect(last.get(d.charge_point_id)).not.toBe(text);
      last.set(d.charge_point_id, text);
    }
    const finalOf = (id: string) => docs.filter((d) => d.charge_point_id === id).at(-1);
    expect(finalOf(GOOD[0]!)).toMatchObject({ state: 'passed', model: expect.any(String), ocpp_version: '1.6', session: { status: 'completed', result: 'passed' } });
    expect(finalOf(GOOD[1]!)).toMatchObject({ state: 'passed', ocpp_version: '2.0.1' });
    expect(finalOf(OFFLINE)).toMatchObject({ state: 'offline', error_code: 'not_connected', session: null });
    expect(docs.at(-1)).toMatchObject({
      kind: 'summary',
      total: 3,
      passed: 2,
      failed: [],
      offline: [{ charge_point_id: OFFLINE, session_id: null, reason: expect.stringContaining('not connected') }],
      exit_code: 3,
    });
  }, 60_000);

  test('every session passing: exit 0; plain lines without --json', async () => {
    const r = await run(['start', GOOD[2]!, GOOD[3]!, '--skip-test-transaction']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Starting 2 charge points, at most 8 at once');
    expect(r.stdout).toMatch(new RegExp(`${GOOD[3]}  passed`));
    expect(r.stdout).toContain('2 / 2 passed');
  }, 60_000);

  test('--all-connected --concurrency 2: never more than 2 sessions at once on the server; the failed step is in the summary', async () => {
    const connected = [...GOOD, FAULTY];
    const { result: r, peak } = await peakActive(connected, run(['start', '--all-connected', '--concurrency', '2', '--json']));
    expect(r.code, r.stderr).toBe(3);
    expect(peak).toBeGreaterThanOrEqual(1);
    expect(peak).toBeLessThanOrEqual(2);
    const summary = ndjson(r.stdout).at(-1);
    // Connected and not commissioned: the offline one is not picked.
    expect(summary).toMatchObject({ kind: 'summary', total: 5, passed: 4, offline: [], failed: [{ charge_point_id: FAULTY, session_id: expect.stringMatching(/^comm_/), reason: expect.stringMatching(/^test_transaction: /) }] });
  }, 90_000);

  test('--all-pending picks only what has not passed; the site says what to do next for each, as commands that work', async () => {
    const r = await run(['start', '--all-pending', '--skip-test-transaction', '--json']);
    const docs = ndjson(r.stdout);
    expect(new Set(docs.filter((d) => d.kind === 'session').map((d) => d.charge_point_id))).toEqual(new Set([FAULTY]));
    // Skipping the test transaction, the faulty one passes now.
    expect(docs.at(-1)).toMatchObject({ total: 1, passed: 1 });
    expect(r.code).toBe(0);
    const none = await run(['start', '--all-pending', '--json']);
    expect(none.code).toBe(3);
    expect(ndjson(none.stdout).at(-1)).toMatchObject({ kind: 'summary', total: 0 });

    const site = await run(['site', '--json']);
    expect(site.code).toBe(0);
    const entries = JSON.parse(site.stdout).charge_points as any[];
    const of = (id: string) => entries.find((e) => e.id === id);
    expect(of(OFFLINE)).toMatchObject({ state: 'offline', connected: false, next: { action: 'connect', command: null } });
    expect(of(OFFLINE).next.text).toContain(`Charge Point ID ${OFFLINE}`);
    expect(of(GOOD[1]!)).toMatchObject({ state: 'passed', ocpp_version: '2.0.1', next: { action: 'commission', command: `dynamo --api-url ${t.server.apiUrl} commission ${GOOD[1]}` } });
    // The printed command, run as printed.
    const commission = await cli(of(GOOD[1]!).next.command.split(' ').slice(1), { env: { DYNAMO_TOKEN: t.token } });
    expect(commission.code, commission.stderr).toBe(0);
    const after = JSON.parse((await run(['site', '--json'])).stdout).charge_points.find((e: any) => e.id === GOOD[1]);
    expect(after).toMatchObject({ state: 'commissioned', next: { action: null, command: null } });

    const plain = await run(['site']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^CHARGE POINT +MODEL +OCPP +LINK +STATE +WHY +NEXT/);
    expect(plain.stdout).toMatch(new RegExp(`${OFFLINE} .* offline +offline .*connect it`));
    // A charger's own text is shown with its control characters made visible; --json keeps it as it came.
    expect(plain.stdout).toContain('Evil\\x1b[2J\\u202eAC');
    expect(plain.stdout).not.toContain('\u001b[2J');
    expect(of(GOOD[3]!).model).toBe('Evil\u001b[2J\u202eAC');
  }, 90_000);

  test('a failed session is "look at its failure", with the logs command', async () => {
    await run(['start', FAULTY, '--json', '--wait']);
    const entry = JSON.parse((await run(['site', '--json'])).stdout).charge_points.find((e: any) => e.id === FAULTY);
    expect(entry).toMatchObject({ state: 'failed', session: { result: 'failed', reason: expect.stringMatching(/^test_transaction: /) }, next: { action: 'look', command: `dynamo --api-url ${t.server.apiUrl} logs ${FAULTY} --min-level warn` } });
  }, 60_000);

  test('usage: ids and --all-connected together, nothing to start, --concurrency 0, or --recommission for many: exit 2', async () => {
    for (const args of [['start', 'CP-1', '--all-connected'], ['start', '--all-connected', '--all-pending'], ['start'], ['start', 'A', 'B', '--concurrency', '0'], ['start', 'A', 'B', '--recommission', '--yes']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });
});

test('against an API without the local list (the hosted one): --all-connected is a usage error naming ids; dynamo site too', async () => {
  const hosted = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such route' } }));
  });
  await new Promise<void>((resolve) => hosted.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(hosted.address() as AddressInfo).port}`;
    const token = t.token;
    const r = await cli(['--api-url', url, 'start', '--all-connected'], { env: { DYNAMO_TOKEN: token } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--all-connected needs the local server's list of charge points");
    expect(r.stderr).toContain('hint: give the charge point ids: dynamo start CP-1 CP-2 …');
    const site = await cli(['--api-url', url, 'site'], { env: { DYNAMO_TOKEN: token } });
    expect(site.code).toBe(2);
    // Ids work against it: each answer is its row (here: unknown), none ends the run.
    const ids = await cli(['--api-url', url, 'start', 'CP-H1', 'CP-H2', '--json'], { env: { DYNAMO_TOKEN: token } });
    expect(ids.code).toBe(3);
    expect(ndjson(ids.stdout).at(-1)).toMatchObject({ kind: 'summary', total: 2, passed: 0, refused: [{ charge_point_id: 'CP-H1', reason: 'no such route' }, { charge_point_id: 'CP-H2' }] });
  } finally {
    hosted.close();
  }
});
