import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { tempDir } from '../helpers/server.js';

const RUN = fileURLToPath(new URL('../../bench/run.mjs', import.meta.url));

/** Runs the named benchmarks, tiny; returns a reader of their results files. */
function bench(names: string[]): (name: string) => any {
  const results = tempDir();
  const r = spawnSync(process.execPath, [RUN, ...names], {
    env: {
      ...process.env,
      BENCH_RESULTS_DIR: results,
      BENCH_RUNS: '2',
      BENCH_CONNECTIONS: '2',
      BENCH_SECONDS: '1',
      BENCH_ROUNDS: '1',
      BENCH_CHARGE_POINTS: '8',
      BENCH_FLEETS: '2',
      BENCH_SITE_CHARGE_POINTS: '6',
      BENCH_OCPP: '1.6,2.0.1',
      BENCH_SYNC_LINES: '3000',
      BENCH_SYNC_BATCHES: '1000',
      BENCH_LOG_LINES: '20000',
      BENCH_LOG_QUERIES: '1',
      BENCH_REPORT_CHARGE_POINTS: '2',
      BENCH_FIRMWARE_CHARGE_POINTS: '4',
      BENCH_FIRMWARE_MB: '1',
    },
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return (name) => JSON.parse(readFileSync(join(results, `${name}.json`), 'utf8'));
}

/**
 * The benchmarks, tiny: they must keep running end to end. No timing is asserted (machines here
 * are noisy); `npm run bench` is the real run.
 */
test('the benchmarks run end to end on a small scale', () => {
  const read = bench(['startup', 'throughput', 'scale', 'sync', 'log-query', 'report']);
  expect(read('startup').figures['dynamo --help'].median_ms).toBeGreaterThan(0);
  // Both OCPP versions, each measured in the same run; Heartbeats are valid, so none is refused.
  const { dynamo } = read('throughput');
  for (const version of ['1.6', '2.0.1']) {
    expect(dynamo[version].frames_logged.per_second, version).toBeGreaterThan(0);
    expect(dynamo[version].validation_only.per_second, version).toBeGreaterThan(0);
    expect(dynamo[version].call_errors, version).toBe(0);
  }
  const scale = read('scale');
  expect(scale.charge_points).toBe(8);
  for (const version of ['1.6', '2.0.1']) expect(scale.versions[version], version).toMatchObject({ booted: 8, passed: 8, failures: [] });
  expect(read('sync').results[0]).toMatchObject({ batch: 1000, lines: 3000 });
  expect(read('log-query')).toMatchObject({ lines: 20000, warn_query_ms: { median: expect.any(Number) } });
  expect(read('report')).toMatchObject({ charge_points: 2, passed: 2, formats: { html: { bytes: expect.any(Number) }, pdf: { bytes: expect.any(Number) } } });
}, 270_000);

test('the firmware benchmark: chargers of both versions updating from one laptop', () => {
  const firmware = bench(['firmware'])('firmware');
  for (const version of ['1.6', '2.0.1']) expect(firmware.versions[version], version).toMatchObject({ installed: 4, failures: [] });
  expect(firmware.baseline.mb_per_s).toBeGreaterThan(0);
}, 200_000);

test('the site benchmark: one start --all-connected for 6, beside a single session of the same run', () => {
  const site = bench(['site'])('site');
  expect(site).toMatchObject({ charge_points: 6, site: { exit_code: 0, passed: 6 }, single: { exit_code: 0, passed: 1 } });
  expect(site.site.cli_peak_rss_mb).toBeGreaterThan(0);
  expect(site.ratios.wall).toBeGreaterThan(0);
}, 180_000);
