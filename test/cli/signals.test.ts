import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';

const SIGNALS = new URL('../../dist/cli/signals.js', import.meta.url).href;

/**
 * `runUntilInterrupted` in a process of its own, as `local up` runs it: the signals are real,
 * and its listeners stay out of the test runner's process.
 */
async function inChild(body: string): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  const script = `const { listenForStop, runUntilInterrupted, STDOUT_GONE } = await import(${JSON.stringify(SIGNALS)});\n${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  return { code, signal, stdout };
}

const TRIGGERS = ['SIGTERM', 'dynamo:stdout-gone'] as const;
const SIGNALS_DURING = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

test.each(TRIGGERS.flatMap((trigger) => SIGNALS_DURING.map((during) => [trigger, during] as const)))(
  'stopped by %s, a %s while it shuts down is absorbed: the shutdown ends and the exit is 0 (the default would kill it half-way)',
  async (trigger, during) => {
    const r = await inChild(`
      setTimeout(() => process.emit(${JSON.stringify(trigger)}), 10);
      await runUntilInterrupted(async () => {
        process.kill(process.pid, ${JSON.stringify(during)});
        await new Promise((r) => setTimeout(r, 100));
        process.stdout.write('shut down');
      });
      process.exit(0);`);
    expect(r).toEqual({ code: 0, signal: null, stdout: 'shut down' });
  },
);

/**
 * The process's own teardown after a clean stop takes milliseconds (made 300 ms here, so that the
 * signal surely lands in it): a Ctrl-C then must not turn exit 0 into death by SIGINT (exit 130).
 */
test('a Ctrl-C that lands after the shutdown, while the process is ending, leaves the exit a clean 0', async () => {
  const r = await inChild(`
    setTimeout(() => process.kill(process.pid, 'SIGTERM'), 10);
    await runUntilInterrupted(() => undefined);
    process.kill(process.pid, 'SIGINT');
    setTimeout(() => process.exit(0), 300);`);
  expect(r).toEqual({ code: 0, signal: null, stdout: '' });
});

test('with sessions running, the first Ctrl-C says so and the second within the window stops', async () => {
  const r = await inChild(`
    let stopped = false;
    setTimeout(() => process.kill(process.pid, 'SIGINT'), 10);
    setTimeout(() => process.stdout.write(\`stopped after one: \${stopped}\\n\`), 200);
    setTimeout(() => process.kill(process.pid, 'SIGINT'), 300);
    await runUntilInterrupted(() => void (stopped = true), { busy: () => ['CP-1 (session comm_1)'], say: (t) => process.stdout.write(t + '\\n'), windowMs: 60_000 });
    process.stdout.write(\`stopped after two: \${stopped}\\n\`);
    process.exit(0);`);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('CP-1 (session comm_1) still running: Ctrl-C again within 60 s stops the server and fails it\nstopped after one: false\nstopped after two: true\n');
});

/** `local up` listens before its server does: a Ctrl-C while it starts is kept for when it is up. */
test('a Ctrl-C after listening began but before the command waits is a clean stop once it waits, not death by SIGINT', async () => {
  const r = await inChild(`
    const stop = listenForStop();
    process.kill(process.pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    process.stdout.write('started\\n');
    await stop.asked;
    process.stdout.write('stopped\\n');
    process.exit(0);`);
  expect(r).toEqual({ code: 0, signal: null, stdout: 'started\nstopped\n' });
});

test('cancelled (the command failed to start), it holds nothing: the process ends by itself, and Ctrl-C is the default again', async () => {
  const ended = await inChild(`listenForStop().cancel(); process.stdout.write('left');`);
  expect(ended).toEqual({ code: 0, signal: null, stdout: 'left' });
  const killed = await inChild(`listenForStop().cancel(); process.kill(process.pid, 'SIGINT'); setTimeout(() => process.stdout.write('survived'), 200);`);
  expect(killed).toEqual({ code: null, signal: 'SIGINT', stdout: '' });
});
