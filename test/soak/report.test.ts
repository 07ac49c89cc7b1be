import { describe, expect, it } from 'vitest';

import { MAX_BIRTHS, type Sample, trend } from './report.js';
import { linearFit2 } from './verify.js';

const MB = 1024 ** 2;

/** Samples of one engine and one media host: `value(i)` per sample, `live(i)` calls live. */
function run(
  n: number,
  live: (i: number) => number,
  rss: (i: number, live: number) => number,
  procs: (i: number) => Array<{ pid: number; fds: number }> = () => [{ pid: 7, fds: 100 }],
): Sample[] {
  return Array.from({ length: n }, (_, i) => {
    const l = live(i);
    const tree = procs(i).map((p) => ({ ...p, kind: 'renderer', rss: 0 }));
    return {
      at: i * 3000,
      ended: i * 5,
      live: l,
      enginePid: 1,
      engineRss: rss(i, l),
      engineFds: 50,
      mediaHostPid: 7,
      mediaHostRss: 0,
      mediaHostFds: tree.reduce((a, p) => a + p.fds, 0),
      mediaHostProcs: tree,
    };
  });
}

const engineRss = {
  label: 'engine RSS',
  unit: 'MB',
  scale: MB,
  limit: 2 * MB,
  pid: (s: Sample) => s.enginePid,
  value: (s: Sample) => s.engineRss,
};
const hostFds = {
  label: 'media host fds',
  unit: '',
  scale: 1,
  limit: 1,
  pid: (s: Sample) => s.mediaHostPid,
  parts: (s: Sample) => s.mediaHostProcs.map((p) => ({ pid: p.pid, kind: p.kind, value: p.fds })),
};

describe('soak resource trends', () => {
  it('separates two regressors exactly', () => {
    const x1 = [0, 1, 2, 3, 4, 5];
    const x2 = [3, 1, 4, 1, 5, 9];
    const fit = linearFit2(
      x1,
      x2,
      x1.map((x, i) => 10 + 2 * x + 7 * x2[i]!),
    );
    expect(fit.slope1).toBeCloseTo(2, 9);
    expect(fit.slope2).toBeCloseTo(7, 9);
    expect(fit.intercept).toBeCloseTo(10, 9);
  });

  it('does not call memory that live calls hold a leak, and still finds a leak under them', () => {
    // Live calls climb from 2 to 14 over the window; each holds 6 MB. No leak.
    const busier = run(
      100,
      (i) => 2 + Math.floor(i / 8),
      (_, l) => 500 * MB + l * 6 * MB,
    );
    const held = trend(busier, engineRss);
    expect(held.plainSlopePer100).toBeGreaterThan(2 * MB);
    expect(held.slopePer100).toBeCloseTo(0, 3);
    expect(held.perLiveCall / MB).toBeCloseTo(6, 6);
    expect(held.flat).toBe(true);
    // The same, plus 3 MB per 100 calls ended: a leak, even while the live calls wander.
    const leaking = run(
      100,
      (i) => 8 + (i % 7) - 3,
      (i, l) => 500 * MB + l * 6 * MB + ((i * 5) / 100) * 3 * MB,
    );
    const leak = trend(leaking, engineRss);
    expect(leak.slopePer100 / MB).toBeCloseTo(3, 6);
    expect(leak.flat).toBe(false);
  });

  it('fits the last process only', () => {
    const samples = run(
      100,
      () => 5,
      (i) => (i < 30 ? 100 * MB + i * 50 * MB : 600 * MB),
    ).map((s, i) => ({ ...s, enginePid: i < 30 ? 1 : 2 }));
    const t = trend(samples, engineRss);
    expect(t.samples).toBe(56);
    expect(t.slopePer100).toBeCloseTo(0, 6);
  });

  it('lists a helper process started inside the window as a step, and many as growth', () => {
    const steady = { pid: 7, fds: 300 };
    const once = run(
      100,
      () => 5,
      () => MB,
      (i) => (i < 60 ? [steady] : [steady, { pid: 40, fds: 21 }]),
    );
    const step = trend(once, hostFds);
    expect(step.births).toEqual([{ pid: 40, kind: 'renderer', atMs: 60 * 3000, value: 21 }]);
    expect(step.slopePer100).toBeCloseTo(0, 6);
    expect(step.plainSlopePer100).toBeGreaterThan(1);
    expect(step.flat).toBe(true);
    // A process per stretch of calls, each left running: growth, however flat the others are.
    const spawning = run(
      100,
      () => 5,
      () => MB,
      (i) => [
        steady,
        ...Array.from({ length: Math.floor(i / 20) }, (_, k) => ({ pid: 100 + k, fds: 10 })),
      ],
    );
    const many = trend(spawning, hostFds);
    expect(many.births.length).toBeGreaterThan(MAX_BIRTHS);
    expect(many.flat).toBe(false);
  });

  it('finds descriptors that grow inside a process', () => {
    const leaking = run(
      100,
      () => 5,
      () => MB,
      (i) => [{ pid: 7, fds: 300 + Math.floor((i * 5) / 50) }],
    );
    const t = trend(leaking, hostFds);
    expect(t.slopePer100).toBeGreaterThan(1.5);
    expect(t.flat).toBe(false);
  });
});
