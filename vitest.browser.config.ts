// Real-browser tests of the demo page (`npm run test:browser`): Debian's Chromium
// driven through playwright-core. Kept apart from the root config, which excludes
// test/browser/**. One file at a time: each starts its own server and browser.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
