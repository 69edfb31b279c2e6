import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN } from './cli.js';
import { tempDir } from './server.js';

/**
 * Starts the built binary under a pseudo-terminal (util-linux `script`) as on an installer's
 * laptop (test/setup-env.ts): its own config and data directories, a colour terminal of the given
 * size. `args` is shell words, as typed.
 *
 * `exec` makes dynamo the terminal's foreground process itself, as an interactive shell's job
 * control does. Without it `script`'s `$SHELL -c` waits in the same process group and hears every
 * Ctrl-C too; dash (Debian's /bin/sh, which `script` runs when SHELL is unset, as on CI runners)
 * then kills itself with SIGINT after dynamo has exited cleanly, and the terminal reports 130 for a
 * clean stop. SHELL is pinned to that shell so the tests are the same on every machine.
 */
export function spawnUnderPty(args: string, env: Record<string, string> = {}, size = { cols: 120, rows: 40 }): ChildProcessWithoutNullStreams {
  return spawn('script', ['-qec', `stty cols ${size.cols} rows ${size.rows}; exec ${process.execPath} ${BIN} ${args}`, '/dev/null'], {
    env: { ...process.env, DYNAMO_CONFIG_DIR: tempDir(), DYNAMO_DATA_DIR: tempDir(), TERM: 'xterm-256color', SHELL: '/bin/sh', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Runs the built binary under a pseudo-terminal, waits for a y/N question, types `keys` as a
 * person would, and resolves with the exit code and everything the terminal showed.
 */
export async function answerOnTerminal(args: string[], env: Record<string, string>, keys: string): Promise<{ code: number | null; output: string }> {
  const child = spawnUnderPty(args.join(' '), env);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', r));
  const started = Date.now();
  while (!output.includes('[y/N]')) {
    if (Date.now() - started > 10_000) {
      child.kill('SIGKILL');
      throw new Error(`no question on the terminal: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.stdin.write(keys);
  return { code: await exit, output };
}
