import { expect, test } from 'vitest';
import { spawnUnderPty } from '../helpers/pty.js';
import { startServer } from '../helpers/server.js';

/**
 * Runs the built binary under a pseudo-terminal (util-linux `script`), as an installer would see
 * it. `keys` hears the output so far as it grows and may type into the terminal.
 */
function underPty(
  args: string,
  env: Record<string, string> = {},
  size = { cols: 120, rows: 40 },
  keys?: (output: string, type: (text: string) => void) => void,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnUnderPty(args, env, size);
    let output = '';
    const type = (text: string): void => void child.stdin.write(text);
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      keys?.(output, type);
    });
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
  expect(output).toContain('p pause · s stop · R restart · l logs · i report issue · q quit');
  expect(output).toMatch(/✔.*test_transaction.*kWh delivered/);
  // The simulated ABB refuses an optional key: its own glyph, and a pass with a warning.
  expect(output).toMatch(/⚠.*configuration/);
  expect(output).toContain('CP-DEMO-001 passed commissioning with 1 warning: 4 of 4 steps passed');
  expect(output).toMatch(SGR);
}, 90_000);

test('a small terminal (60x15): the view never clears the screen or its scrollback, and its lines fit the width', async () => {
  const { code, output } = await underPty('demo', {}, { cols: 60, rows: 15 });
  expect(code).toBe(0);
  // ink clears the screen and the scrollback whenever its live region is taller than the terminal.
  expect(output).not.toContain('\u001b[2J');
  expect(output).not.toContain('\u001b[3J');
  // The view: after the demo's banner (plain lines, which the terminal wraps), before its diagnostics.
  const from = output.indexOf('\n', output.indexOf('  session          '));
  const view = output.slice(from, output.indexOf('diagnostics (collected')).replace(/\u001b\[[\d;?]*[A-Za-z]/g, '');
  const longest = Math.max(...view.split(/\r?\n/).map((l) => [...l].length));
  expect(longest).toBeLessThanOrEqual(60);
  expect(output).toContain('p pause s stop R restart l logs i issue q quit');
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
    // TERM=dumb cannot move the cursor: a session is followed in plain lines, not the live view.
    await t.simulator('CP-DUMB');
    const dumb = await run('start CP-DUMB --skip-test-transaction --wait', { TERM: 'dumb' });
    expect(dumb.code).toBe(0);
    expect(dumb.output).not.toContain('p pause');
    expect(dumb.output).not.toMatch(/\u001b\[\d*[ABCDGHJK]/);
    expect(dumb.output).toMatch(/passed +connectivity/);
  } finally {
    await t.stop();
  }
}, 60_000);

test('Ctrl-C in the live view exits 130, as --wait does; the session is not stopped by it', async () => {
  const server = await startServer({ engine: { testTransaction: { duration_seconds: 30 } } });
  try {
    await server.simulator('CP-CTRLC');
    let pressed = false;
    const { code, output } = await underPty(`--api-url ${server.server.apiUrl} start CP-CTRLC`, { DYNAMO_TOKEN: server.token }, { cols: 100, rows: 30 }, (so_far, type) => {
      if (pressed || !so_far.includes('p pause')) return;
      pressed = true;
      type('\u0003');
    });
    expect(code).toBe(130);
    // The view names its server above it, as a plain command's first line does.
    expect(output).toContain(`server: ${server.server.apiUrl}`);
    expect((await server.client.status('CP-CTRLC')).status).toBe('running');
    await server.client.stop('CP-CTRLC');
  } finally {
    await server.stop();
  }
}, 60_000);

test('a site of 100 at 80x24: the view scrolls within the terminal, never clears the screen, its lines fit; q after the end exits 3', async () => {
  const server = await startServer();
  try {
    const connected = ['CP-P16-1', 'CP-P201-1', 'CP-P16-2', 'CP-P201-2'];
    await Promise.all(connected.map((id, i) => server.station(id, i % 2 === 0 ? '1.6' : '2.0.1')));
    await server.station('CP-PFAULT', '1.6', { faults: { rejectSettings: ['HeartbeatInterval'] } });
    const offline = Array.from({ length: 5 }, (_, i) => `CP-POFF-${i + 1}`);
    for (const id of offline) await server.addChargePoint(id);
    const unknown = Array.from({ length: 90 }, (_, i) => `CP-PUNK-${String(i + 1).padStart(3, '0')}`);
    const ids = [...connected, 'CP-PFAULT', ...offline, ...unknown].join(' ');
    let step = 0;
    const { code, output } = await underPty(`--api-url ${server.server.apiUrl} start ${ids} --skip-test-transaction`, { DYNAMO_TOKEN: server.token }, { cols: 80, rows: 24 }, (so_far, type) => {
      if (step === 0 && so_far.includes('4 / 100 passed, 1 failed, 5 offline, 90 refused') && so_far.includes('all done')) {
        step = 1;
        // Down through the whole list, then quit.
        type('\u001b[B'.repeat(99));
      } else if (step === 1 && so_far.includes('83–100 of 100')) {
        step = 2;
        type('q');
      }
    });
    expect(code).toBe(3);
    expect(output).not.toContain('\u001b[2J');
    expect(output).not.toContain('\u001b[3J');
    // The view, up to its last frame (the summary printed after it is plain lines the terminal wraps).
    const view = output.slice(0, output.lastIndexOf('q quit')).replace(/\u001b\[[\d;?]*[A-Za-z]/g, '');
    const longest = Math.max(...view.split(/\r?\n/).map((l) => [...l].length));
    expect(longest).toBeLessThanOrEqual(80);
    expect(view).toMatch(/›CP-PFAULT .*configuration/);
    expect(view).toMatch(/›CP-P201-2 /);
    expect(output).toContain('… and 76 more');
  } finally {
    await server.stop();
  }
}, 90_000);
