import { resolve } from 'node:path';

import { defineConfig } from 'vitest/config';

// Trained phrase models and rendered prompts are content-addressed: every test engine shares one
// cache, so a flow's models are trained once per machine rather than once per test data folder.
process.env.OUTBOUND_SPEECH_CACHE ??= resolve(
  import.meta.dirname,
  'node_modules/.cache/outbound-speech',
);

// Two projects: fast tests beside the code, and end-to-end tests under test/ that start the real
// headless engine and drive the built console in Debian's Chromium.
export default defineConfig({
  test: {
    globalSetup: ['./test/support/speech-cache-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'electron/**/*.test.ts',
            'renderer/**/*.test.ts',
            'test/contract/**/*.test.ts',
            'test/eval/**/*.test.ts',
            'scripts/**/*.test.mjs',
          ],
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
