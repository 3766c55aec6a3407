import { defineConfig } from 'vitest/config';

// Browser tests: the real server and the built panel, driven in Debian's Chromium through playwright-core.
export default defineConfig({
  test: {
    root: '.',
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/e2e-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // Pages, the webhook and the worker are asynchronous: polled assertions get a browser-sized budget.
    expect: { poll: { timeout: 15_000, interval: 50 } },
  },
});
