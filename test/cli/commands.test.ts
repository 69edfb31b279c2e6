import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cli, ndjson } from '../helpers/cli.js';
import { OCPP_VERSIONS, startServer, type TestServer } from '../helpers/server.js';

let t: TestServer;
let run: (args: string[], env?: Record<string, string>) => ReturnType<typeof cli>;

/** The same commands against a 1.6 charge point and a 2.0.1 station. */
const IDS = {
  '1.6': { one: 'CP-1', bad: 'CP-BAD', slow: 'CP-SLOW' },
  '2.0.1': { one: 'CS-1', bad: 'CS-BAD', slow: 'CS-SLOW' },
} as const;
const EXPECT = {
  // The 1.6 simulator refuses an optional key (ReserveConnectorZeroSupported): a pass with a warning.
  '1.6': { firmware: '1.4.2', applied: { applied_keys: 11, rejected_keys: ['ReserveConnectorZeroSupported'] }, passed: 'passed commissioning with 1 warning' },
  '2.0.1': { firmware: '2.0.1-sim', applied: { applied_keys: 13, rejected_keys: [] as string[] }, passed: 'passed commissioning' },
} as const;

beforeAll(async () => {
  t = await startServer();
  for (const ocpp of OCPP_VERSIONS) {
    const { one, bad, slow } = IDS[ocpp];
    await t.station(one, ocpp, { connectors: 2 });
    await t.station(bad, ocpp, { faults: { refuseRemoteStart: true } });
    await t.station(slow, ocpp, { faults: { slowResponsesMs: 300 } });
  }
  await t.addChargePoint('CP-OFF');
  run = (args, env = {}) => cli(['--api-url', t.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: t.token, ...env } });
});
afterAll(async () => t.stop());

describe('templates', () => {
  test('plain table and --json document', async () => {
    const plain = await run(['templates']);
    expect(plain.code).toBe(0);
    expect(plain.stdout.split('\n')[0]).toMatch(/^TEMPLATE\s+NAME\s+STEPS\s+MODELS$/);
    expect(plain.stdout).toContain('tpl_standard_ac_22kw  Standard AC 22kW');
    const json = await run(['templates', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ total: 2, templates: [{ template_id: 'tpl_dc_rapid_50kw' }, { template_id: 'tpl_standard_ac_22kw' }] });
  });
});

describe.each(OCPP_VERSIONS)('OCPP %s', (ocpp) => {
  const { one, bad, slow } = IDS[ocpp];
  const v = EXPECT[ocpp];

  describe('a session from the command line', () => {
    test('start --wait prints each step as it finishes and exits 0 when the session passed', async () => {
      const r = await run(['start', one, '--wait']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Session comm_\\w+ started for ${one}: connectivity → heartbeat → configuration → test_transaction`));
      expect(r.stdout).toMatch(/\n {2}passed +connectivity/);
      expect(r.stdout).toMatch(/\n {2}passed +test_transaction .*kWh delivered/);
      expect(r.stdout.trim().split('\n').at(-1)).toBe(`${one} ${v.passed}: 4 of 4 steps passed`);
      // On stderr only, so stdout stays the session's: which server answered, and which template and why.
      const said = r.stderr.trimEnd().split('\n');
      expect(said).toHaveLength(2);
      expect(said).toContain(`server: ${t.server.apiUrl}`);
      expect(said.some((l) => /^template tpl_standard_ac_22kw \([^\n]+\)$/.test(l))).toBe(true);
    });

    test('status: plain lines and the --json document; exit 0 for a passed session', async () => {
      const plain = await run(['status', one]);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toMatch(new RegExp(`^${one} {2}session comm_\\w+ {2}completed passed {2}tpl_standard_ac_22kw`));
      const json = await run(['status', one, '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ charge_point_id: one, status: 'completed', result: 'passed' });
    });

    test('start --wait --json streams NDJSON and a failed session exits 3', async () => {
      const r = await run(['start', bad, '--wait', '--json']);
      expect(r.code).toBe(3);
      const docs = ndjson(r.stdout);
      expect(docs[0]).toMatchObject({ charge_point_id: bad, status: 'running' });
      expect(docs.at(-1)).toMatchObject({ status: 'completed', result: 'failed' });
      expect(docs.at(-1).steps.at(-1)).toMatchObject({ name: 'test_transaction', status: 'failed' });
      const status = await run(['status', bad]);
      expect(status.code).toBe(3);
    });

    test('status --watch --json ends with the session: NDJSON snapshots, exit 0', async () => {
      const started = await run(['start', one, '--json', '--skip-test-transaction']);
      expect(started.code).toBe(0);
      expect(JSON.parse(started.stdout)).toMatchObject({ status: 'running', steps: expect.any(Array) });
      const watched = await run(['status', one, '--watch', '--json']);
      expect(watched.code).toBe(0);
      const docs = ndjson(watched.stdout);
      expect(docs.at(-1)).toMatchObject({ status: 'completed', result: 'passed' });
      expect(new Set(docs.map((d) => JSON.stringify(d))).size).toBe(docs.length);
    });

    test('pause, resume and stop: a line each, or the --json answer', async () => {
      await t.client.start(slow);
      const paused = await run(['pause', slow]);
      expect(paused.code).toBe(0);
      expect(paused.stdout).toMatch(new RegExp(`^${slow}: session comm_\\w+ paused( at \\w+)? \\(an OCPP call already sent completes first\\)\n$`));
      const again = await run(['pause', slow, '--json']);
      expect(again.code).toBe(5);
      expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'invalid_session_state', exit_code: 5 } });
      const resumed = await run(['resume', slow, '--json']);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'running' });
      const stopped = await run(['stop', slow]);
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toMatch(/stopped at/);
      const none = await run(['stop', slow]);
      expect(none.code).toBe(5);
      expect(none.stderr).toMatch(new RegExp(`^error: no running or paused session for ${slow}\n`));
    });

    test('restart starts a new session with another template', async () => {
      const r = await run(['restart', one, '--template', 'tpl_dc_rapid_50kw', '--wait']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('connector_test');
      expect(r.stdout).toContain(`restarted for ${one}`);
    });

    test('a second start while one runs: exit 5 with a hint', async () => {
      await t.client.start(slow);
      const r = await run(['start', slow]);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(new RegExp(`^error: session comm_\\w+ is running for ${slow}\nhint: watch it with dynamo --api-url ${t.server.apiUrl} status ${slow} --watch, or stop it with dynamo --api-url ${t.server.apiUrl} stop ${slow}\n$`));
      await t.client.stop(slow);
    });
  });

  describe('logs, diagnostics, templates, issues, commission', () => {
    test('logs: plain lines, --level, --limit, --json, --follow on an ended session', async () => {
      const all = await run(['logs', one]);
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}info {2}- +Session started with template/);
      const warn = await run(['logs', one, '--level', 'warn']);
      expect(warn.code).toBe(0);
      expect(warn.stdout.split('\n').filter(Boolean).every((l) => / warn /.test(l))).toBe(true);
      const two = await run(['logs', one, '--limit', '2']);
      expect(two.stdout.trim().split('\n')).toHaveLength(2);
      expect(two.stdout).toContain('Session completed: passed');
      const json = JSON.parse((await run(['logs', one, '--json'])).stdout);
      expect(json.total).toBe(json.logs.length);
      const follow = await run(['logs', one, '--follow', '--json', '--level', 'error']);
      expect(follow.code).toBe(0);
      const bad = await run(['logs', one, '--level', 'loud']);
      expect(bad.code).toBe(2);
    });

    test('diagnostics: plain and --json', async () => {
      const plain = await run(['diagnostics', one]);
      expect(plain.stdout).toMatch(new RegExp(`^${one} diagnostics \\(collected `));
      expect(plain.stdout).toContain(`firmware   ${v.firmware} by Dynamo`);
      expect(plain.stdout).toContain('2 connector(s)');
      expect(JSON.parse((await run(['diagnostics', one, '--json'])).stdout)).toMatchObject({ hardware: { connectors: 2 } });
    });

    test('apply-template: plain and --json', async () => {
      const plain = await run(['apply-template', one, 'tpl_standard_ac_22kw']);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain(`${v.applied.applied_keys} settings applied to ${one}${v.applied.rejected_keys.length ? `; rejected: ${v.applied.rejected_keys.join(', ')}` : ''}`);
      const json = JSON.parse((await run(['apply-template', one, 'tpl_standard_ac_22kw', '--json'])).stdout);
      expect(json).toMatchObject(v.applied);
    });

    test('issue report with flags, validation before sending, and issue list', async () => {
      const r = await run(['issue', 'report', one, '-c', 'hardware_defect', '-s', 'high', '-d', 'RCD trips when the cable is plugged in.', '--step', 'test_transaction', '-p', 'https://photos.example.com/1.jpg']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Reported LOC-\d{4}-\d{5} \(iss_\w+\): hardware_defect, high\n$/);
      const json = JSON.parse((await run(['issue', 'report', one, '-c', 'other', '-s', 'low', '-d', 'Signage missing at the bay entrance.', '--json'])).stdout);
      expect(json).toMatchObject({ charge_point_id: one, category: 'other', status: 'open' });
      const short = await run(['issue', 'report', one, '-c', 'other', '-s', 'low', '-d', 'too short']);
      expect(short.code).toBe(2);
      expect(short.stderr).toContain('description must be at least 20 characters');
      const list = await run(['issue', 'list', one]);
      expect(list.stdout.split('\n')[0]).toMatch(/^REFERENCE\s+LOCAL REF\s+CATEGORY\s+SEVERITY\s+STATUS\s+CREATED\s+SYNC$/);
      expect(list.stdout).toContain('hardware_defect');
      expect(JSON.parse((await run(['issue', 'list', one, '--json'])).stdout).total).toBe(2);
    });

    test('no prompt without a terminal: missing fields are a usage error naming the flags', async () => {
      const r = await run(['issue', 'report', one, '-c', 'other']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: missing --severity, --description \(there is no terminal to ask on\)\nhint: /);
    });

    test('commission: 5 before a pass, 0 after one, then 5 (already commissioned)', async () => {
      expect((await run(['commission', bad])).code).toBe(5);
      const ok = await run(['commission', one]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(new RegExp(`^${one} commissioned (at |just now|\\d+ min ago)`));
      const again = await run(['commission', one, '--json']);
      expect(again.code).toBe(5);
      expect(JSON.parse(again.stdout).error.code).toBe('already_commissioned');
    });
  });
});

describe('exit codes for what goes wrong', () => {
  test('unknown charge point: 6', async () => {
    const r = await run(['status', 'CP-NOPE']);
    expect(r.code).toBe(6);
    expect(r.stderr).toBe('error: charge point CP-NOPE not found\n');
  });

  test('offline charge point: 5 with a hint to check it', async () => {
    const r = await run(['start', 'CP-OFF']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('hint: check that the charge point points at this Central System');
  });

  test('not logged in: 4, "run dynamo login"', async () => {
    const r = await cli(['--api-url', t.server.apiUrl, 'status', 'CP-1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`error: not logged in to ${t.server.apiUrl}\nhint: run dynamo --api-url ${t.server.apiUrl} login\n`);
  });

  test('an expired token is caught before any request is made', async () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'inst_x', exp: Math.floor(Date.now() / 1000) - 60 })).toString('base64url');
    const expired = `eyJhbGciOiJFZERTQSJ9.${payload}.c2ln`;
    // The URL points nowhere: had a request been made, this would be exit 7.
    const r = await cli(['--api-url', 'http://127.0.0.1:9', 'status', 'CP-1'], { env: { DYNAMO_TOKEN: expired } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: your login to http:\/\/127\.0\.0\.1:9 expired at \d{4}-\d\d-\d\d \d\d:\d\d \S+\nhint: run dynamo --api-url http:\/\/127\.0\.0\.1:9 login\n$/);
  });

  test('a wrong token: 4', async () => {
    expect((await run(['status', 'CP-1'], { DYNAMO_TOKEN: 'a.b.c' })).code).toBe(4);
  });

  test('unreachable API: 7, one line, no stack trace', async () => {
    const r = await cli(['--api-url', 'http://127.0.0.1:9', 'templates'], { env: { DYNAMO_TOKEN: t.token } });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9 \(connection refused\)\nhint: /);
    expect(r.stderr).not.toContain('    at ');
  });

  test('usage errors: 2', async () => {
    expect((await run(['start'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});

describe('login, whoami, logout', () => {
  test('--email with --password-stdin stores a 0600 token; whoami reads it; logout forgets it', async () => {
    const { tempDir } = await import('../helpers/server.js');
    const configDir = tempDir();
    const creds = t.server.createdCredentials!;
    const login = await cli(['--api-url', t.server.apiUrl, 'login', '--email', creds.email, '--password-stdin'], { configDir, input: `${creds.password}\n` });
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(new RegExp(`^Logged in to ${t.server.apiUrl} as installer@dynamo\\.local until`));
    const { statSync, readFileSync } = await import('node:fs');
    expect(statSync(`${configDir}/tokens.json`).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(`${configDir}/config.json`, 'utf8'))).toEqual({ api_url: t.server.apiUrl });
    // The URL is remembered: no --api-url needed any more.
    const whoami = await cli(['whoami', '--json'], { configDir });
    expect(JSON.parse(whoami.stdout)).toMatchObject({ api_url: t.server.apiUrl, email: 'installer@dynamo.local', scope: ['*'], expired: false });
    expect((await cli(['templates'], { configDir })).code).toBe(0);
    expect((await cli(['logout'], { configDir })).stdout).toBe(`Logged out of ${t.server.apiUrl}\n`);
    expect((await cli(['templates'], { configDir })).code).toBe(4);
  });

  test('a wrong password: 4; no terminal and no --email: 2', async () => {
    const wrong = await cli(['--api-url', t.server.apiUrl, 'login', '--email', 'installer@dynamo.local', '--password-stdin'], { input: 'nope' });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('email or password is wrong');
    const missing = await cli(['--api-url', t.server.apiUrl, 'login']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: missing --email/);
  });
});

describe('a server that names a long wait', () => {
  test('Retry-After of a day is not waited out: the 503 is the answer at once; a short one is retried', async () => {
    const { createServer } = await import('node:http');
    let requests = 0;
    let wait = '86400';
    const busy = createServer((req, res) => {
      req.resume();
      requests += 1;
      if (requests === 2 && wait === '1') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ templates: [], total: 0 }));
        return;
      }
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': wait }).end(JSON.stringify({ error: { code: 'internal_error', message: 'busy' } }));
    });
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(busy.address() as import('node:net').AddressInfo).port}`;
      const long = await cli(['--api-url', url, 'templates'], { env: { DYNAMO_TOKEN: 'x' }, timeoutMs: 8000 });
      expect(long.code).not.toBe(0);
      expect(requests).toBe(1);
      requests = 0;
      wait = '1';
      const short = await cli(['--api-url', url, 'templates', '--json'], { env: { DYNAMO_TOKEN: 'x' }, timeoutMs: 8000 });
      expect(short.code, short.stderr).toBe(0);
      expect(requests).toBe(2);
    } finally {
      busy.close();
    }
  });
});
