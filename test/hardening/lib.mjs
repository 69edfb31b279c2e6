// Shared by the hardening runs (fuzz, crash-test, soak): a seeded random source, a local server
// in its own process, and logging in to it. They run from the build (dist/), like the product.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'dynamo.js');
export const tempDir = (prefix = 'dynamo-hardening-') => mkdtempSync(join(tmpdir(), prefix));

/** mulberry32: small, fast, and the same sequence for the same seed (a failure can be replayed). */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (xs) => xs[Math.floor(next() * xs.length)];
  return next;
}

/**
 * `dynamo local up` in its own process; resolves once it listens. Its stderr is collected: a
 * crash or an unhandled rejection shows there.
 */
export async function startLocalUp(dataDir, args = [], env = {}) {
  const child = spawn(process.execPath, [BIN, 'local', 'up', '--json', ...args], {
    env: { ...process.env, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: tempDir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stderr.on('data', (c) => (out.stderr += c));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`local up exited ${code}: ${out.stderr}`)));
  });
  lines.on('line', (l) => (out.stdout += `${l}\n`));
  const server = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
  return { child, out, info: first, apiUrl: server.api_url, ocppUrl: server.ocpp_url };
}

export async function loggedInClient(apiUrl, dataDir) {
  const { ApiClient } = await import('../../dist/api/client.js');
  const client = new ApiClient(apiUrl, { timeoutMs: 60_000 });
  const credentials = JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8'));
  client.setToken((await client.login(credentials.email, credentials.password)).access_token);
  return client;
}

export function stopChild(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** Runs `main(options)` when the file is the entry point, printing its report as JSON. */
export async function entry(url, main) {
  if (url !== `file://${process.argv[1]}`) return;
  const report = await main();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(report.ok ? 0 : 1);
}
