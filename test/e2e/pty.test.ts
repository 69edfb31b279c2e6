import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { startServer, tempDir } from '../helpers/server.js';

/** The environment of an installer's laptop: whatever runs this suite, CI is not set there. */
function laptopEnv(): NodeJS.ProcessEnv {
  const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...rest } = process.env;
  return rest;
}

/** Runs the built binary under a pseudo-terminal (util-linux `script`), as an installer would see it. */
function underPty(args: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `stty cols 120 rows 40; ${process.execPath} ${BIN} ${args}`, '/dev/null'], {
      env: { ...laptopEnv(), DYNAMO_CONFIG_DIR: tempDir(), DYNAMO_DATA_DIR: tempDir(), TERM: 'xterm-256color', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: ${output.slice(-2000)}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

const SGR = /\u001b\[[\d;]*m/;

test('dynamo demo under a terminal: the live view runs the session to "passed", in colour, and exits 0', async () => {
  const { code, output } = await underPty('demo');
  expect(code).toBe(0);
  expect(output).toContain('p pause · r resume · s stop · R restart · l logs · i report issue · q quit');
  expect(output).toMatch(/✔.*test_transaction.*kWh delivered/);
  expect(output).toContain('CP-DEMO-001 passed commissioning: 4 of 4 steps passed');
  expect(output).toMatch(SGR);
}, 90_000);

test('a CI runner with a pseudo-terminal gets plain lines, not the live view', async () => {
  const { code, output } = await underPty('demo', { CI: 'true' });
  expect(code).toBe(0);
  expect(output).not.toContain('p pause · r resume');
  expect(output).toMatch(/passed\S* +test_transaction .*kWh delivered/);
  expect(output).toContain('CP-DEMO-001 passed commissioning');
}, 90_000);

test('NO_COLOR: the same run without colour or glyphs', async () => {
  const { code, output } = await underPty('demo', { NO_COLOR: '1' });
  expect(code).toBe(0);
  expect(output).toContain('CP-DEMO-001 passed commissioning');
  expect(output).not.toMatch(SGR);
  expect(output).not.toContain('✔');
  expect(output).toMatch(/passed +test_transaction/);
}, 90_000);

test('--no-color and TERM=dumb turn colour off as NO_COLOR does', async () => {
  const t = await startServer();
  try {
    const run = (args: string, env: Record<string, string> = {}) => underPty(`--api-url ${t.server.apiUrl} ${args}`, { DYNAMO_TOKEN: t.token, ...env });
    const coloured = await run('templates');
    expect(coloured.code).toBe(0);
    expect(coloured.output).toMatch(SGR);
    for (const [args, env] of [['--no-color templates', {}], ['templates', { TERM: 'dumb' }], ['templates', { NO_COLOR: '1' }]] as const) {
      const { code, output } = await run(args, env);
      expect(code).toBe(0);
      expect(output).toContain('tpl_standard_ac_22kw');
      expect(output).not.toMatch(SGR);
    }
  } finally {
    await t.stop();
  }
});
