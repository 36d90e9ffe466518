import { defineConfig } from 'vitest/config';

// `npm run fuzz`: the fuzz targets in long mode (test/fuzz/budget.ts), one file at a time.
// VOUCH_FUZZ_RUNS (default 100000) and VOUCH_FUZZ_SEED choose the size and replay a run.
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    env: { VOUCH_FUZZ: 'long' },
    testTimeout: 0,
    fileParallelism: false,
    pool: 'forks',
  },
});
