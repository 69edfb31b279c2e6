import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BIN, cli } from '../helpers/cli.js';
import { until } from '../helpers/ocpp.js';
import { spawnUnderPty } from '../helpers/pty.js';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';

/** Input as a terminal delivers it in one chunk: a paste, type-ahead, or SSH catching up. */
const DOWN = '\u001b[B';
const ENTER = '\r';
// eslint-disable-next-line no-control-regex
const plainText = (s: string): string => s.replace(/\u001b\[[\d;?]*[A-Za-z]/g, '').replace(/\r/g, '');

/** The built binary under a pseudo-terminal (util-linux `script`), with keys written to it. */
function terminal(args: string, env: Record<string, string> = {}) {
  const child = spawnUnderPty(args, env, { cols: 100, rows: 40 });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no exit; the terminal showed: ${plainText(output).slice(-1500)}`)), 30_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c ?? -1);
    });
  });
  return {
    output: () => output,
    text: () => plainText(output),
    see: (text: string, timeoutMs = 15_000) => until(() => plainText(output).includes(text), timeoutMs, JSON.stringify(text)).catch((err: Error) => {
      throw new Error(`${err.message}; the terminal showed: ${plainText(output).slice(-1500)}`);
    }),
    write: (keys: string) => child.stdin.write(keys),
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}

/** A dynamo command against the local server of `dataDir`, as another terminal runs it. */
const cliIn = (dataDir: string, args: string[]) => cli(args, { env: { DYNAMO_DATA_DIR: dataDir } });

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
  await t.addChargePoint('CP-PASTE');
});
afterAll(async () => t.stop());

test('login: "email⏎password⏎" pasted in one chunk logs in, and the password is never echoed', async () => {
  const { email, password } = JSON.parse(readFileSync(join(t.server.dataDir, 'installer-credentials.json'), 'utf8')) as { email: string; password: string };
  const term = terminal(`--api-url ${t.server.apiUrl} login`);
  try {
    await term.see('email');
    term.write(`${email}${ENTER}${password}${ENTER}`);
    expect(await term.exited).toBe(0);
    expect(term.text()).toContain(`Logged in to ${t.server.apiUrl} as ${email}`);
    expect(term.output()).not.toContain(password);
  } finally {
    term.kill();
  }
}, 60_000);

test('issue form: DOWN DOWN ENTER in one chunk picks the item two below; a pasted line ending in a newline submits it without a stray \\r', async () => {
  const term = terminal(`--api-url ${t.server.apiUrl} issue report CP-PASTE`, { DYNAMO_TOKEN: t.token });
  try {
    await term.see('› category');
    term.write(`${DOWN}${DOWN}${ENTER}`);
    await term.see('› severity');
    term.write(`${DOWN}${ENTER}`);
    await term.see('› step');
    term.write(ENTER);
    await term.see('› description');
    term.write(`The cable lock does not release.\r\n`);
    await term.see('› photo URLs');
    term.write(ENTER);
    expect(await term.exited).toBe(0);
  } finally {
    term.kill();
  }
  const [issue] = (await t.client.issues('CP-PASTE')).issues;
  expect(issue).toMatchObject({ category: 'configuration_error', severity: 'medium' });
  const stored = t.server.store.issues.get(issue!.issue_id)!;
  expect(stored.description).toBe('The cable lock does not release.');
}, 60_000);

test('errors are coloured on a terminal, and not under NO_COLOR', async () => {
  const coloured = terminal('--api-url http://127.0.0.1:9 templates', { DYNAMO_TOKEN: t.token });
  expect(await coloured.exited).toBe(7);
  expect(coloured.output()).toContain('\u001b[31merror:\u001b[39m cannot reach');
  const plain = terminal('--api-url http://127.0.0.1:9 templates', { DYNAMO_TOKEN: t.token, NO_COLOR: '1' });
  expect(await plain.exited).toBe(7);
  expect(plain.output()).toContain('error: cannot reach');
  expect(plain.output()).not.toContain('\u001b[31m');
}, 60_000);

test('Ctrl-C on local up with a session running names it and needs a second Ctrl-C; then it stops cleanly, a third one absorbed', async () => {
  const dataDir = tempDir();
  const term = terminal(`local up --data-dir ${dataDir} --port 0 --ocpp-port 0 --open`, { DYNAMO_DATA_DIR: dataDir });
  let sim: ReturnType<typeof spawn> | null = null;
  try {
    await term.see('Stop it with Ctrl-C');
    // Slow answers keep the session running while Ctrl-C is pressed.
    sim = spawn(process.execPath, [BIN, 'sim', '--id', 'CP-BUSY', '--slow', '3000'], { env: { ...process.env, DYNAMO_DATA_DIR: dataDir }, stdio: 'ignore' });
    for (let tries = 0; ; tries += 1) {
      const list = await cliIn(dataDir, ['--local', 'local', 'cp', 'list', '--json']);
      if (list.code === 0 && JSON.parse(list.stdout).charge_points.some((c: { id: string; connected: boolean }) => c.id === 'CP-BUSY' && c.connected)) break;
      if (tries > 30) throw new Error(`the simulator did not connect: ${list.stdout}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const started = await cliIn(dataDir, ['--local', 'start', 'CP-BUSY', '--skip-test-transaction']);
    expect(started.code).toBe(0);
    term.write('\u0003');
    await term.see('CP-BUSY (session comm_');
    await term.see('still running: Ctrl-C again within 5 s stops the server and fails it');
    term.write('\u0003');
    // An impatient third one while it shuts down must not kill it half-way.
    await term.see('shutting down');
    term.write('\u0003');
    expect(await term.exited, term.text().slice(-2000)).toBe(0);
    expect(term.text()).toContain('shutting down');
    expect(term.text()).toMatch(/CP-BUSY: session comm_\w+ failed: The local server was shut down during this session/);
  } finally {
    sim?.kill('SIGTERM');
    term.kill();
  }
}, 90_000);
