/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped") after Vitest's own
 * summary, which CI cannot parse. Under `npm test` each of its lanes (scripts/test.mjs) is told
 * OUTBOUND_TEST_SUMMARY=FILE instead: the counts and every failure go to that JSON file and the
 * lane prints a line of its own, so the one closing line is the one npm test adds up.
 */
import { writeFileSync } from 'node:fs';

import type { Reporter, TestModule } from 'vitest/node';

/** What a lane writes to OUTBOUND_TEST_SUMMARY (read by scripts/test.mjs). */
export interface LaneSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** "file > suite > test: first line of the error", one per failed test, file or run error. */
  failures: string[];
}

const firstLine = (text: string | undefined): string =>
  (text ?? 'failed').split('\n', 1)[0]!.slice(0, 300);

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<{ message?: string }>,
  ): void {
    const summary: LaneSummary = { passed: 0, failed: 0, skipped: 0, failures: [] };
    for (const module of testModules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') summary.passed++;
        else if (result.state === 'failed') {
          summary.failed++;
          failedTests++;
          summary.failures.push(
            `${module.relativeModuleId} > ${test.fullName}: ${firstLine(result.errors[0]?.message)}`,
          );
        } else summary.skipped++;
      }
      // A file that failed to load, or whose hooks failed, is a failure all the same.
      if (module.state() === 'failed' && failedTests === 0) {
        summary.failed++;
        summary.failures.push(
          `${module.relativeModuleId}: ${firstLine(module.errors()[0]?.message)}`,
        );
      }
    }
    summary.failed += unhandledErrors.length;
    for (const error of unhandledErrors)
      summary.failures.push(`unhandled error: ${firstLine(error.message)}`);
    const file = process.env.OUTBOUND_TEST_SUMMARY;
    if (file) {
      writeFileSync(file, JSON.stringify(summary));
      process.stdout.write(
        `\nthis lane: ${summary.passed} tests passed, ${summary.failed} failed, ${summary.skipped} skipped\n`,
      );
    } else
      process.stdout.write(
        `\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`,
      );
  }
}
