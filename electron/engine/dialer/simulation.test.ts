import { describe, expect, it } from 'vitest';

import { type SimConfig, simulate } from './simulation.js';

const BASE: Omit<SimConfig, 'seed' | 'mode' | 'agents' | 'answerRate'> = {
  contacts: 20_000,
  machineRate: 0.1,
  ringToAnswer: { meanMs: 12_000, sdMs: 5_000, minMs: 3_000 },
  handle: { meanMs: 120_000, sdMs: 60_000, minMs: 10_000 },
  wrap: { meanMs: 15_000, sdMs: 8_000, minMs: 2_000 },
  durationMs: 3_600_000,
  pacing: { target: 0.02, cap: 0.03, maxDialLevel: 6 },
};

describe('the campaign simulator', () => {
  it('gives the same figures for the same seed, and others for another', () => {
    const config: SimConfig = { ...BASE, seed: 7, mode: 'predictive', agents: 10, answerRate: 0.2 };
    const first = simulate(config);
    expect(simulate(config)).toEqual(first);
    expect(simulate({ ...config, seed: 8 })).not.toEqual(first);
    expect(first.dials).toBeGreaterThan(first.answered);
    expect(first.contacts + first.abandoned).toBeLessThanOrEqual(first.answered);
  });

  it('keeps the abandonment window under the cap in small teams', () => {
    for (const answerRate of [0.15, 0.3, 0.6])
      for (const seed of [1, 2]) {
        const result = simulate({ ...BASE, seed, mode: 'predictive', agents: 5, answerRate });
        expect(result.maxWindowRate, `answer ${answerRate}, seed ${seed}`).toBeLessThanOrEqual(
          0.03,
        );
      }
  });

  it('never abandons in progressive mode, and predictive gets more contacts per agent-hour', () => {
    const config = { ...BASE, seed: 3, agents: 20, answerRate: 0.15 };
    const progressive = simulate({ ...config, mode: 'progressive' });
    const predictive = simulate({ ...config, mode: 'predictive' });
    expect(progressive.abandoned).toBe(0);
    expect(predictive.contactsPerAgentHour).toBeGreaterThan(progressive.contactsPerAgentHour);
    expect(predictive.maxWindowRate).toBeLessThanOrEqual(0.03);
  });
});
