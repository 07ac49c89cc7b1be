import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

import { speechCacheDir } from './test/support/speech-cache-dir.js';

// Trained phrase models and rendered prompts are content-addressed: every test engine shares one
// cache, per user and outside node_modules (npm ci keeps it), so a flow's models are trained once
// per machine rather than once per test data folder or per install.
process.env.OUTBOUND_SPEECH_CACHE = speechCacheDir();

// npm test runs two Vitest processes at once (scripts/test.mjs): the unit and `e2e` projects in
// one lane, `e2e-bed` in the other. End-to-end files that start the SIP test bed (they import
// test/telephony, or test/soak, whose run starts one) place real calls with real-time audio; they
// go to `e2e-bed`, except the few listed here, which run at the end of the first lane to even out
// the lanes' times (the bed gives each live bed its own port block, so two beds at once do not
// collide).
const BED_FILES_IN_FIRST_LANE = [
  'campaign-dialer',
  'cli-call',
  'fatal',
  'recording-encrypted',
  'recording-full-disk',
  'telephony-bed',
];
const E2E = 'test/e2e';
const e2eFiles = readdirSync(join(import.meta.dirname, E2E), { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => `${E2E}/${name.split('\\').join('/')}`);
const startsBed = (file: string): boolean =>
  /from '(\.\.\/)+(telephony(\/index)?(\.js)?|soak\/[\w-]+\.js)'/.test(
    readFileSync(join(import.meta.dirname, file), 'utf8'),
  );
const bedLane = e2eFiles.filter(
  (file) =>
    startsBed(file) && !BED_FILES_IN_FIRST_LANE.some((name) => file.endsWith(`/${name}.test.ts`)),
);

// The bed lane opens with these, in this order, then runs the rest slowest first. They check state
// and outcomes rather than latencies (two train a flow themselves), so they are the ones that meet
// the unit tests' CPU-heavy start in the other lane (phrase training and recognition); the
// latency checks (barge-in, end of turn, supervision audio) come after it.
const BED_LANE_OPENS_WITH = [
  'workspace-lock',
  'cli-flow-save',
  'console-wallboard',
  'console-history',
];

class Sequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const at = BED_LANE_OPENS_WITH.findIndex((name) =>
        file.moduleId.endsWith(`/${name}.test.ts`),
      );
      return at < 0 ? BED_LANE_OPENS_WITH.length : at;
    };
    // Array sort is stable: everything else keeps Vitest's order (failed first, then slowest).
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

// Three projects: fast tests beside the code; end-to-end tests of the CLI, the headless server and
// the console in Debian's Chromium (their own temp folders, free ports); and the real calls over
// the bed.
export default defineConfig({
  // Each npm test lane keeps its own results (durations, failures: the order of the next run); one
  // file for both would keep only the lane that ended last.
  ...(process.env.OUTBOUND_TEST_LANE
    ? { cacheDir: `node_modules/.vite/lane-${process.env.OUTBOUND_TEST_LANE}` }
    : {}),
  test: {
    sequence: { sequencer: Sequencer },
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
            'test/soak/**/*.test.ts',
            'scripts/**/*.test.mjs',
          ],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: [`${E2E}/**/*.test.ts`],
          exclude: bedLane,
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium and one engine at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e-bed',
          include: bedLane,
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One bed, one engine and its media host at a time: the calls are real time.
          fileParallelism: false,
        },
      },
    ],
  },
});
