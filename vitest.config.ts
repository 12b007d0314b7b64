import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // one throwaway PostgreSQL cluster for the postgres tests (fails them, not the run, when missing)
    globalSetup: ['test/helpers/pg-global-setup.ts'],
  },
});
