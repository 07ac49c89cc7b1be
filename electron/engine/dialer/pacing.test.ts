import { describe, expect, it } from 'vitest';

import {
  AbandonmentWindow,
  AdaptiveLevel,
  MINUTE_MS,
  pace,
  type PacingEstimates,
  PacingEstimator,
  type PacingState,
} from './pacing.js';

const SETTINGS = { target: 0.02, cap: 0.03, maxDialLevel: 6 };
const estimates = (answerRate: number, answerRateHigh = answerRate + 0.02): PacingEstimates => ({
  answerRate,
  answerRateHigh,
  ringMs: 12_000,
  handleMs: 120_000,
  wrapMs: 15_000,
});
const state = (over: Partial<PacingState> = {}): PacingState => ({
  agentsReady: 10,
  agentsTalking: 10,
  agentsWrapping: 0,
  callsDialing: 0,
  callsWaiting: 0,
  ...over,
});
/** A window with plenty of room: 2,000 answered, 1 % abandoned. */
const ROOMY = { answered: 2_000, abandoned: 20 };

describe('predictive pacing', () => {
  it('dials several lines per ready agent when few answer, fewer when many do', () => {
    const low = pace(state(), estimates(0.15), ROOMY, SETTINGS);
    const high = pace(state(), estimates(0.6), ROOMY, SETTINGS);
    expect(low.fallback).toBe(false);
    expect(low.toDial).toBeGreaterThan(2 * 10);
    expect(high.toDial).toBeLessThan(low.toDial);
    expect(high.toDial).toBeGreaterThanOrEqual(10);
  });

  it('counts the calls already dialing against its lines', () => {
    const fresh = pace(state(), estimates(0.3), ROOMY, SETTINGS);
    const busy = pace(state({ callsDialing: 5 }), estimates(0.3), ROOMY, SETTINGS);
    expect(busy.lines).toBe(fresh.lines);
    expect(busy.toDial).toBe(fresh.toDial - 5);
  });

  it('plans for agents about to be free: more lines with agents in wrap-up than with none', () => {
    const idle = pace(state({ agentsTalking: 0 }), estimates(0.3), ROOMY, SETTINGS);
    const wrapping = pace(
      state({ agentsTalking: 0, agentsWrapping: 10 }),
      estimates(0.3),
      ROOMY,
      SETTINGS,
    );
    expect(wrapping.lines).toBeGreaterThan(idle.lines);
  });

  it('falls back to one line per ready agent when the window nears the cap', () => {
    const decision = pace(
      state({ callsDialing: 3 }),
      estimates(0.15),
      { answered: 1_000, abandoned: 28 },
      SETTINGS,
    );
    expect(decision).toMatchObject({ fallback: true, lines: 10, toDial: 7, dialLevel: 1 });
    expect(decision.reason).toMatch(/nears the cap/);
  });

  it('starts carefully: an empty window has no room for a single abandon', () => {
    const empty = pace(state(), estimates(0.15), { answered: 0, abandoned: 0 }, SETTINGS);
    const roomy = pace(state(), estimates(0.15), ROOMY, SETTINGS);
    expect(empty.lines).toBeGreaterThanOrEqual(10);
    expect(empty.lines).toBeLessThan(roomy.lines);
    // Unsure of the answer rate (no calls seen), with every agent ready and none busy: progressive.
    const unsure = pace(
      state({ agentsTalking: 0 }),
      estimates(0.15, 1),
      { answered: 0, abandoned: 0 },
      SETTINGS,
    );
    expect(unsure).toMatchObject({ fallback: true, toDial: 10 });
  });

  it('is progressive with a cap of 0 and never dials above the line limit', () => {
    expect(pace(state(), estimates(0.15), ROOMY, { ...SETTINGS, cap: 0 }).lines).toBe(10);
    expect(pace(state(), estimates(0.15), ROOMY, SETTINGS, 1, 12).lines).toBeLessThanOrEqual(12);
    expect(
      pace(state({ agentsTalking: 0 }), estimates(0.02), ROOMY, { ...SETTINGS, maxDialLevel: 2 })
        .lines,
    ).toBeLessThanOrEqual(20);
  });

  it('takes fewer lines at a lower adaptive level', () => {
    const full = pace(state(), estimates(0.15), ROOMY, SETTINGS, 1);
    const halved = pace(state(), estimates(0.15), ROOMY, SETTINGS, 1 / 8);
    expect(halved.lines).toBeLessThan(full.lines);
  });
});

describe('the abandonment window', () => {
  it('sums the minutes inside the window and forgets older ones', () => {
    const window = new AbandonmentWindow(60 * MINUTE_MS);
    window.add(0, false);
    window.add(30 * MINUTE_MS, true);
    window.add(30 * MINUTE_MS + 5, false);
    expect(window.counts(59 * MINUTE_MS)).toEqual({ answered: 3, abandoned: 1 });
    expect(window.counts(61 * MINUTE_MS)).toEqual({ answered: 2, abandoned: 1 });
    expect(window.rate(61 * MINUTE_MS)).toBe(0.5);
    expect(window.counts(91 * MINUTE_MS)).toEqual({ answered: 0, abandoned: 0 });
  });

  it('loads the minutes the store kept', () => {
    const window = new AbandonmentWindow(24 * 60 * MINUTE_MS);
    window.load([
      { minute: 100, answered: 40, abandoned: 1 },
      { minute: 200, answered: 60, abandoned: 2 },
    ]);
    expect(window.counts(201 * MINUTE_MS)).toEqual({ answered: 100, abandoned: 3 });
  });
});

describe('the estimates and the adaptive level', () => {
  it('move from the priors toward what calls show, with a high bound that narrows', () => {
    const estimator = new PacingEstimator({ answerRate: 0.3 });
    expect(estimator.estimates.answerRateHigh).toBe(1);
    for (let i = 0; i < 200; i++)
      estimator.observeDial({ person: i % 10 === 0, ringMs: i % 10 === 0 ? 8_000 : null });
    const e = estimator.estimates;
    expect(e.answerRate).toBeGreaterThan(0.08);
    expect(e.answerRate).toBeLessThan(0.13);
    expect(e.answerRateHigh).toBeGreaterThan(e.answerRate);
    expect(e.answerRateHigh).toBeLessThan(0.2);
    expect(e.ringMs).toBeLessThan(9_000);
  });

  it('halves when drops exceed the target and recovers while they stay low', () => {
    const adaptive = new AdaptiveLevel(60_000);
    adaptive.update(0, 0.02);
    for (let i = 0; i < 20; i++) adaptive.observe(i < 2);
    expect(adaptive.update(60_000, 0.02)).toBe(0.5);
    for (let i = 0; i < 20; i++) adaptive.observe(false);
    expect(adaptive.update(120_000, 0.02)).toBe(0.625);
    expect(adaptive.update(130_000, 0.02)).toBe(0.625);
  });
});
