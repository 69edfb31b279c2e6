// Shared helpers for the benchmarks: statistics, child processes, results files, machine info.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

export const tempDir = (prefix = 'dynamo-bench-') => mkdtempSync(join(tmpdir(), prefix));

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
  const parts = [`${label.padEnd(34)} ${fmt(value).padStart(10)} ${unit}`];
  if (baseline !== undefined) parts.push(`  ${baselineLabel} ${fmt(baseline)} ${unit}, ratio ${ratio.toFixed(2)}×`);
  if (goal) parts.push(`  goal ${goal.text}: ${goal.met(value, ratio) ? 'met' : 'NOT met'}`);
  console.log(parts.join(''));
}

const fmt = (n) => (Number.isInteger(n) ? String(n) : n >= 100 ? n.toFixed(0) : n.toFixed(2));

/** Starts a node script; resolves with the child and its first stdout line parsed as JSON. */
export function startJsonProcess(args, env = {}, options = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout });
  const first = new Promise((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
  return { child, first, lines };
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
