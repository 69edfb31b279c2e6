import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from './server.js';

export const BIN = fileURLToPath(new URL('../../bin/dynamo.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `dynamo` binary with its own config and data directories, stdin not a TTY.
 * Resolves when it exits; rejects if it outlives the timeout (a prompt waiting would).
 */
export function cli(args: string[], options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; configDir?: string } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, DYNAMO_CONFIG_DIR: options.configDir ?? tempDir(), DYNAMO_DATA_DIR: tempDir(), ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dynamo ${args.join(' ')} did not finish: ${stdout} ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Parses every line of NDJSON output. */
export const ndjson = (text: string): any[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
