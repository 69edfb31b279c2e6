import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Native addons (better-sqlite3) and child processes behave best in forked workers.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
