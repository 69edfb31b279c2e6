import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { tempDir } from '../helpers/server.js';

const RUN = fileURLToPath(new URL('../../bench/run.mjs', import.meta.url));

/**
 * The benchmarks, tiny: they must keep running end to end. No timing is asserted (machines here
 * are noisy); `npm run bench` is the real run.
 */
test('the benchmarks run end to end on a small scale', () => {
  const results = tempDir();
  const r = spawnSync(process.execPath, [RUN, 'startup', 'throughput', 'scale', 'sync', 'log-query'], {
    env: {
      ...process.env,
      BENCH_RESULTS_DIR: results,
      BENCH_RUNS: '2',
      BENCH_CONNECTIONS: '2',
      BENCH_SECONDS: '1',
      BENCH_ROUNDS: '1',
      BENCH_CHARGE_POINTS: '8',
      BENCH_FLEETS: '2',
      BENCH_SYNC_LINES: '3000',
      BENCH_SYNC_BATCHES: '1000',
      BENCH_LOG_LINES: '20000',
      BENCH_LOG_QUERIES: '1',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const read = (name: string) => JSON.parse(readFileSync(join(results, `${name}.json`), 'utf8'));
  expect(read('startup').figures['dynamo --help'].median_ms).toBeGreaterThan(0);
  expect(read('throughput').dynamo_frames_logged.per_second).toBeGreaterThan(0);
  expect(read('scale')).toMatchObject({ charge_points: 8, passed: 8 });
  expect(read('sync').results[0]).toMatchObject({ batch: 1000, lines: 3000 });
  expect(read('log-query')).toMatchObject({ lines: 20000, warn_query_ms: { median: expect.any(Number) } });
}, 150_000);
