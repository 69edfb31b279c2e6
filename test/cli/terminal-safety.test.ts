import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { ApiRequestError } from '../../src/api/client-errors.js';
import { visibleDeep } from '../../src/cli/visible.js';
import { BIN, cli } from '../helpers/cli.js';
import { until } from '../helpers/ocpp.js';
import { stopProcess } from '../helpers/process.js';
import { startServer, type TestServer, waitForEnd } from '../helpers/server.js';

/**
 * Text from chargers and remote servers reaches the terminal with its control characters made
 * visible: no escape sequence is played, no newline forges a line. --json keeps the text as it
 * came (JSON-escaped).
 */
const VENDOR = 'Evil\u001b]0;owned\u0007';
const MODEL = '\u001b[2J\nCP-A done';
const RAW_ESC = /\u001b/;

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
  const sim = await t.simulator('CP-EVIL', { vendor: VENDOR, model: MODEL });
  await t.client.start('CP-EVIL', { skip_test_transaction: true });
  // A frame that is not JSON at all goes into the session's log as it came.
  sim.client.sendRaw('oops \u001b[31mred\u001b[0m \u009b2J');
  await waitForEnd(t.client, 'CP-EVIL');
});
afterAll(async () => t.stop());

const run = (args: string[]) => cli(['--api-url', t.server.apiUrl, ...args], { env: { DYNAMO_TOKEN: t.token } });

test('diagnostics and status show a hostile vendor and model with their control characters visible', async () => {
  const diagnostics = await run(['diagnostics', 'CP-EVIL']);
  expect(diagnostics.code).toBe(0);
  expect(diagnostics.stdout).not.toMatch(RAW_ESC);
  expect(diagnostics.stdout).toContain('Evil\\x1b]0;owned\\x07');
  const status = await run(['status', 'CP-EVIL']);
  expect(status.stdout).not.toMatch(RAW_ESC);
  // The model's newline does not start a line of its own.
  expect(status.stdout.split('\n').some((l) => l.startsWith('CP-A done'))).toBe(false);
  expect(status.stdout).toContain('\\x1b[2J\\nCP-A done');
});

test('logs --level debug: raw frames, C1 controls included, are made visible', async () => {
  const logs = await run(['logs', 'CP-EVIL', '--level', 'debug']);
  expect(logs.stdout).not.toMatch(/[\u001b\u009b]/);
  expect(logs.stdout).toContain('oops \\x1b[31mred\\x1b[0m \\x9b2J');
});

test('--json keeps the text as it came', async () => {
  const json = await run(['diagnostics', 'CP-EVIL', '--json']);
  expect(JSON.parse(json.stdout).firmware.vendor).toBe(VENDOR);
});

test("a remote server's error message reaches stderr visible, in plain and --json mode", async () => {
  const hostile = createServer((req, res) => {
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'validation_error', message: 'bad\u001b[2J\nerror: CP-A commissioned' } }));
  });
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    for (const extra of [[], ['--json']]) {
      const r = await cli(['--api-url', url, 'status', 'CP-1', ...extra], { env: { DYNAMO_TOKEN: 'x' } });
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(RAW_ESC);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual(['error: bad\\x1b[2J\\nerror: CP-A commissioned']);
    }
  } finally {
    hostile.close();
  }
});

test("an error's message and details reach the UI's code already made visible, and clipped", async () => {
  const hostile = createServer((req, res) => {
    req.resume();
    res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'invalid_session_state', message: `\u001b]52;c;cGF5bG9hZA==\u0007${'x'.repeat(10_000)}`, details: [{ field: 'a\u001b[2J', message: 'b\u009b1m' }] } }));
  });
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
  try {
    const client = new ApiClient(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}`, { maxRetries: 0, readAnswer: visibleDeep });
    client.setToken('x');
    const err = (await client.status('CP-1').catch((e: unknown) => e)) as ApiRequestError;
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(err.message).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(err.message.length).toBeLessThan(600);
    expect(JSON.stringify(err.details)).not.toMatch(/\\u001b|\\u009b/);
    expect(err.details[0]).toEqual({ field: 'a\\x1b[2J', message: 'b\\x9b1m' });
  } finally {
    hostile.close();
  }
});

test('local up prints what chargers report with control characters visible', async () => {
  const up = spawn(process.execPath, [BIN, 'local', 'up', '--open', '--port', '0', '--ocpp-port', '0'], { env: { ...process.env, DYNAMO_DATA_DIR: (await import('../helpers/server.js')).tempDir() }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  createInterface({ input: up.stdout! }).on('line', (l) => lines.push(l));
  try {
    await until(() => lines.some((l) => /ws:\/\/.*\/ocpp/.test(l)), 10_000, 'the banner');
    const url = /(ws:\/\/127\.0\.0\.1:\d+\/ocpp)|(ws:\/\/[\d.]+:\d+\/ocpp)/.exec(lines.join('\n'))![0];
    const { SimulatedChargePoint } = await import('../../src/sim/simulator.js');
    const sim = new SimulatedChargePoint({ url, id: 'CP-EVIL-2', vendor: VENDOR, model: MODEL, reconnect: null });
    await sim.start();
    sim.stop();
    await until(() => lines.some((l) => l.includes('CP-EVIL-2 booted')), 5000, 'the boot line');
    const boot = lines.find((l) => l.includes('CP-EVIL-2 booted'))!;
    expect(boot).not.toMatch(RAW_ESC);
    expect(boot).toContain('Evil\\x1b]0;owned\\x07 \\x1b[2J\\nCP-A done');
  } finally {
    expect(await stopProcess(up)).toBe(0);
  }
});
