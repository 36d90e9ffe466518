import { configDefaults, defineConfig } from 'vitest/config';
import { HAVE_VECTORS, VECTOR_SUITES } from './test/support/vectors.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(HAVE_VECTORS ? [] : VECTOR_SUITES)],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/vectors-setup.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
