// Shared by the benchmarks and the hardening runs (test/hardening): statistics, child processes,
// a local server and simulated fleets in their own processes, results files, machine info.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'dynamo.js');

export const median = (xs) => percentile(xs, 50);

export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** How long `fn` takes to settle, in ms. */
export async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export const tempDir = (prefix = 'dynamo-run-') => mkdtempSync(join(tmpdir(), prefix));

export function machine() {
  const cpu = cpus();
  return { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
}

/** Writes bench/results/<name>.json (or into BENCH_RESULTS_DIR) and returns the record. */
export function saveResult(name, figures) {
  const record = { name, at: new Date().toISOString(), machine: machine(), ...figures };
  const dir = process.env.BENCH_RESULTS_DIR ?? join(ROOT, 'bench', 'results');
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** One line per figure, with its baseline from the same run and the ratio. */
export function report(label, value, unit, baseline, baselineLabel, goal) {
  const ratio = baseline ? value / baseline : null;
  const parts = [`${label.padEnd(44)} ${fmt(value).padStart(10)} ${unit}`];
  if (baseline !== undefined) parts.push(`  ${baselineLabel} ${fmt(baseline)} ${unit}, ratio ${ratio.toFixed(2)}×`);
  if (goal) parts.push(`  goal ${goal.text}: ${goal.met(value, ratio) ? 'met' : 'NOT met'}`);
  console.log(parts.join(''));
}

const fmt = (n) => (Number.isInteger(n) ? String(n) : n >= 100 ? n.toFixed(0) : n.toFixed(2));

/**
 * Starts a node script; `first` resolves with its first stdout line parsed as JSON. With
 * `stderr: 'pipe'` the child's stderr is kept (`stderr()`) and said when it exits early.
 */
export function startJsonProcess(args, env = {}, options = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr += c));
  const lines = createInterface({ input: child.stdout });
  const first = new Promise((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}${stderr ? `: ${stderr}` : ''}`)));
  });
  // A caller that never waits for the first line must not die of an unhandled rejection.
  first.catch(() => undefined);
  return { child, first, lines, stderr: () => stderr };
}

/**
 * `dynamo local up --json` on dataDir in its own process; resolves once it listens. Its stderr
 * is kept by default: a crash or an unhandled rejection shows there.
 */
export async function startLocalUp(dataDir, args = [], env = {}, { stderr = 'pipe' } = {}) {
  const server = startJsonProcess([BIN, 'local', 'up', '--json', ...args], { DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: tempDir(), ...env }, { stderr });
  const info = await server.first;
  const { ocpp_url: ocppUrl } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
  return { child: server.child, stderr: server.stderr, apiUrl: info.api_url, ocppUrl };
}

/** An API client (from the build) logged in as the installer the server on dataDir created. */
export async function loggedInClient(apiUrl, dataDir, options = {}) {
  const { ApiClient } = await import('../dist/api/client.js');
  const client = new ApiClient(apiUrl, options);
  const credentials = JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8'));
  client.setToken((await client.login(credentials.email, credentials.password)).access_token);
  return client;
}

/** The standard AC commissioning (its 1.6 configuration and its 2.0.1 variables), with the test transaction shortened to 5 s. */
export function shortTemplate() {
  const ac = JSON.parse(readFileSync(join(ROOT, 'templates', 'tpl_standard_ac_22kw.json'), 'utf8'));
  return { ...ac, template_id: 'tpl_bench_scale', name: 'Benchmark: AC, short test transaction', test_transaction: { ...ac.test_transaction, duration_seconds: 5 } };
}

/**
 * Runs a dynamo command to its end, measured: wall time and the process's peak RSS (reported by
 * bench/max-rss.cjs, preloaded). Resolves with its exit code and output whatever the code.
 */
export function measuredCli(args, env) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-r', join(ROOT, 'bench', 'max-rss.cjs'), BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, stdout, stderr, seconds, rss_mb: Math.round(Number(/MAXRSS (\d+)/.exec(stderr)?.[1]) / 1024) });
    });
  });
}

/** Drops a template into a data directory's templates folder, as an installer would. */
export function addTemplate(dataDir, template) {
  mkdirSync(join(dataDir, 'templates'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, 'templates', `${template.template_id}.json`), JSON.stringify(template));
}

/** The ids bench/sim-fleet.mjs gives its charge points: SCALE-0001, SCALE-0002, … */
export const fleetId = (n) => `SCALE-${String(n).padStart(4, '0')}`;
export const fleetIds = (count) => Array.from({ length: count }, (_, i) => fleetId(i + 1));

/**
 * Registers charge points as `local cp add` would, straight into the store on dataDir, with one
 * hash shared by all so setup does not take a scrypt run each.
 */
export async function registerChargePoints(dataDir, ids, password) {
  const { Store } = await import('../dist/server/store/store.js');
  const { hashPassword } = await import('../dist/common/password.js');
  const store = Store.open(dataDir);
  const hash = await hashPassword(password);
  store.write(() => ids.forEach((id) => store.chargePoints.add(id, hash)));
  await store.close();
}

/**
 * `total` simulated charge points (fleetIds, from fleetId(from)) speaking `ocpp` on ocppUrl,
 * `perProcess` to a process; each `first` resolves once its fleet booted.
 */
export function startFleets(ocppUrl, password, total, perProcess, ocpp = '1.6', from = 1) {
  const fleets = [];
  for (let first = from; first < from + total; first += perProcess) {
    const count = Math.min(perProcess, from + total - first);
    fleets.push(startJsonProcess([join(ROOT, 'bench', 'sim-fleet.mjs'), ocppUrl, password, String(first), String(count), ocpp]));
  }
  return fleets;
}

/** The OCPP versions the benchmarks measure: BENCH_OCPP=1.6,2.0.1 (the default), or one of them. */
export function benchVersions() {
  const versions = (process.env.BENCH_OCPP ?? '1.6,2.0.1').split(',').map((v) => v.trim());
  const unknown = versions.filter((v) => v !== '1.6' && v !== '2.0.1');
  if (unknown.length > 0 || versions.length === 0) throw new Error(`BENCH_OCPP=${process.env.BENCH_OCPP}: choose 1.6, 2.0.1 or both`);
  return versions;
}

/** Peak resident set size of a process (Linux VmHWM), in MB. */
export function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
