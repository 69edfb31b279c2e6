import { afterAll, beforeAll, expect, test } from 'vitest';
import { cli, ndjson } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** What a CI script relies on: one JSON error line, stable codes, tagged streams, data under -q. */
let t: TestServer;
let run: (args: string[], env?: Record<string, string>) => ReturnType<typeof cli>;

beforeAll(async () => {
  t = await startServer();
  await t.station('CP-CI-1', '1.6');
  await t.addChargePoint('CP-NEVER');
  run = (args, env = {}) => cli(['--api-url', t.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: t.token, ...env } });
});
afterAll(async () => t.stop());

const jsonError = (stdout: string): { code: string; message: string; exit_code: number; hint?: string } => {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!).error;
};

test.each([
  ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ['unknown flag', ['templates', '--frobnicate'], /unknown option '--frobnicate'/],
  ['bad choice', ['logs', 'CP-CI-1', '--level', 'loud'], /--level <level>' argument 'loud' is invalid/],
  ['missing argument', ['status'], /missing required argument 'charge-point'/],
  ['bad number', ['sim', '--drop-after', 'abc'], /--drop-after <seconds>' argument 'abc' is invalid/],
  ['bad URL', ['--api-url', 'htp:/bad', 'templates'], /--api-url <url>' argument 'htp:\/bad' is invalid/],
] as const)('--json and a parser error (%s): the same JSON error line on stdout, code usage, exit 2', async (_what, args, message) => {
  const r = await cli([...args, '--json']);
  expect(r.code).toBe(2);
  const error = jsonError(r.stdout);
  expect(error).toMatchObject({ code: 'usage', exit_code: 2 });
  expect(error.message).toMatch(message);
  expect(error.message).not.toContain('\n');
});

test('distinct codes: not_logged_in, missing_input, usage for --local with --api-url, the API code for API errors', async () => {
  expect(jsonError((await cli(['--api-url', t.server.apiUrl, 'templates', '--json'])).stdout).code).toBe('not_logged_in');
  const missing = await run(['issue', 'report', 'CP-CI-1', '-c', 'other', '--json']);
  expect(jsonError(missing.stdout)).toMatchObject({ code: 'missing_input', exit_code: 2 });
  // The hint is the command to run, with this charge point and this server.
  expect(jsonError(missing.stdout).hint).toBe(`dynamo --api-url ${t.server.apiUrl} issue report CP-CI-1 --category other --severity high --description "what happened, 20 characters at least"`);
  const both = await cli(['--local', '--api-url', t.server.apiUrl, 'templates', '--json']);
  expect(both.code).toBe(2);
  expect(jsonError(both.stdout)).toMatchObject({ code: 'usage', message: '--local and --api-url name two different servers: use one of them' });
  expect(jsonError((await run(['status', 'CP-NOPE', '--json'])).stdout)).toMatchObject({ code: 'not_found', exit_code: 6 });
});

test('start --wait --json: every NDJSON document has its kind and the server; -q start prints the session id alone', async () => {
  const r = await run(['start', 'CP-CI-1', '--wait', '--json', '--skip-test-transaction']);
  expect(r.code).toBe(0);
  const docs = ndjson(r.stdout);
  expect(docs[0]).toMatchObject({ kind: 'session_started', charge_point_id: 'CP-CI-1', server: t.server.apiUrl });
  expect(docs.slice(1).every((d) => d.kind === 'status' && d.server === t.server.apiUrl)).toBe(true);
  const watch = await run(['status', 'CP-CI-1', '--watch', '--json']);
  expect(ndjson(watch.stdout).map((d) => d.kind)).toEqual(['status']);
  const quiet = await run(['-q', 'start', 'CP-CI-1', '--skip-test-transaction']);
  expect(quiet.code).toBe(0);
  expect(quiet.stdout).toMatch(/^comm_\w+\n$/);
  await run(['stop', 'CP-CI-1']);
});

test('plain output says which server answered, on stderr, so stdout stays the data', async () => {
  const r = await run(['templates']);
  expect(r.stdout.split('\n')[0]).toMatch(/^TEMPLATE\s+NAME/);
  expect(r.stderr).toBe(`server: ${t.server.apiUrl}\n`);
  expect((await run(['-q', 'templates'])).stderr).toBe('');
});

test('issue list --json carries every field of the report; issue view by reference', async () => {
  const made = JSON.parse((await run(['issue', 'report', 'CP-CI-1', '-c', 'hardware_defect', '-s', 'high', '-d', 'RCD trips at 16 A on phase 2.', '--step', 'test_transaction', '--json'])).stdout);
  const list = JSON.parse((await run(['issue', 'list', 'CP-CI-1', '--json'])).stdout);
  expect(list.issues).toContainEqual(expect.objectContaining({ reference_number: made.reference_number, charge_point_id: 'CP-CI-1', description: 'RCD trips at 16 A on phase 2.', step: 'test_transaction' }));
  const view = await run(['issue', 'view', made.reference_number, '--charge-point', 'CP-CI-1']);
  expect(view.code).toBe(0);
  expect(view.stdout).toContain('RCD trips at 16 A on phase 2.');
  expect(view.stdout).toContain('step test_transaction');
  const json = JSON.parse((await run(['issue', 'view', made.reference_number, '--charge-point', 'CP-CI-1', '--json'])).stdout);
  expect(json).toMatchObject({ issue_id: made.issue_id, charge_point_id: 'CP-CI-1' });
  expect((await run(['issue', 'view', 'LOC-1999-00001', '--charge-point', 'CP-CI-1'])).code).toBe(6);
  // The hosted API lists per charge point: without one, a usage error that says how.
  const nocp = await run(['issue', 'view', made.reference_number]);
  expect(nocp.code).toBe(2);
  expect(nocp.stderr).toContain('--charge-point');
});

test('logs --min-level warn: warn and worse; --level keeps its exact match; the two together are a usage error', async () => {
  await run(['start', 'CP-CI-1', '--wait']);
  const all = ndjson((await run(['logs', 'CP-CI-1', '--json'])).stdout)[0].logs as { level: string }[];
  const worse = all.filter((l) => l.level === 'warn' || l.level === 'error');
  expect(worse.length).toBeGreaterThan(0);
  const min = JSON.parse((await run(['logs', 'CP-CI-1', '--min-level', 'warn', '--json'])).stdout);
  expect(min.logs.map((l: { level: string }) => l.level)).toEqual(worse.map((l) => l.level));
  const plain = await run(['logs', 'CP-CI-1', '--min-level', 'info']);
  expect(plain.stdout.split('\n').filter(Boolean).every((l) => !/ debug /.test(l))).toBe(true);
  expect((await run(['logs', 'CP-CI-1', '--min-level', 'warn', '--level', 'info'])).code).toBe(2);
});

test('whoami on an expired token says "expired at"; diagnostics of a charger that never connected is one line', async () => {
  const payload = Buffer.from(JSON.stringify({ sub: 'inst_x', exp: Math.floor(Date.now() / 1000) - 7200 })).toString('base64url');
  const who = await run(['whoami'], { DYNAMO_TOKEN: `eyJhbGciOiJFZERTQSJ9.${payload}.c2ln` });
  expect(who.code).toBe(4);
  expect(who.stdout).toMatch(/expired at \d{4}-\d\d-\d\d \d\d:\d\d/);
  expect(who.stdout).not.toContain('until');
  const diag = await run(['diagnostics', 'CP-NEVER']);
  expect(diag.code).toBe(0);
  expect(diag.stdout).toBe(`CP-NEVER has not connected yet: nothing reported (is it online? dynamo --api-url ${t.server.apiUrl} local cp list shows what tried to connect)\n`);
});

test('sim against nothing listening says so, exit 7', async () => {
  const r = await cli(['sim', '--url', 'ws://127.0.0.1:9/ocpp', '--json']);
  expect(r.code).toBe(7);
  expect(jsonError(r.stdout).message).toBe('cannot reach the Central System at ws://127.0.0.1:9/ocpp: nothing is listening there');
});
