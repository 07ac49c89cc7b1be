import { defineConfig } from 'vitest/config';

// Two projects: fast tests beside the code, and end-to-end tests under test/ that start the real
// headless engine and drive the built console in Debian's Chromium.
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['electron/**/*.test.ts', 'renderer/**/*.test.ts', 'test/contract/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium and one engine at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
