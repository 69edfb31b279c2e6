import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts'],
    // One environment on every machine: test/setup-env.ts says what a runner's would change.
    setupFiles: ['test/setup-env.ts'],
    // Native addons (better-sqlite3) and child processes behave best in forked workers.
    pool: 'forks',
    // Most tests wait on timers and sockets, not the CPU: run more files than cores.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
