/**
 * Benchmark harness shared by the suites: timing helpers that report medians and percentiles
 * (the machine is shared and noisy; one run's mean says little) and the result shape the runner
 * writes to docs/BENCHMARKS.md.
 */
export interface BenchRow {
  name: string;
  /** Each value already formatted with its unit, e.g. "0.41 ms". */
  values: Record<string, string>;
}

export interface BenchSuite {
  title: string;
  /** What is measured and how, in a sentence or two. */
  method: string;
  run(): Promise<BenchRow[]>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Timing {
  samples: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
}

/** Times `fn` `samples` times after `warmup` untimed runs. */
export async function time(
  fn: () => Promise<unknown> | unknown,
  samples: number,
  warmup = Math.ceil(samples / 10),
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const durations: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    await fn();
    durations.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  durations.sort((a, b) => a - b);
  return {
    samples,
    medianMs: percentile(durations, 50),
    p95Ms: percentile(durations, 95),
    p99Ms: percentile(durations, 99),
  };
}

export const ms = (value: number): string =>
  value >= 100
    ? `${value.toFixed(0)} ms`
    : value >= 1
      ? `${value.toFixed(2)} ms`
      : `${(value * 1000).toFixed(0)} µs`;
export const perSecond = (value: number): string =>
  `${Math.round(value).toLocaleString('en-US')}/s`;
