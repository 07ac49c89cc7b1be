/**
 * Dialing modes side by side in the campaign simulator (electron/engine/dialer/simulation.ts),
 * whose predictive mode runs the dialer's own pacing code (dialer/pacing.ts). For 5, 20 and 50
 * agents and answer rates of 15, 30 and 60 %: contacts per agent-hour, agent occupancy and the
 * abandonment rate of progressive, power (2 lines per ready agent) and predictive (target 2 %,
 * cap 3 % over a 24 h window), medians over seeded runs; and the highest rate the rolling window
 * showed at any moment of any run, which must stay under the cap.
 */
import {
  type SimConfig,
  type SimMode,
  type SimResult,
  simulate,
} from '../electron/engine/dialer/simulation.js';
import { type BenchRow, type BenchSuite, percentile } from './harness.js';

const SEEDS = Number(process.env.OUTBOUND_BENCH_SIM_SEEDS ?? 5);
const HOURS = 4;
const MODES: SimMode[] = ['progressive', 'power', 'predictive'];
const CAP = 0.03;

export const SIM_BASE: Omit<SimConfig, 'seed' | 'mode' | 'agents' | 'answerRate' | 'contacts'> = {
  machineRate: 0.1,
  busyShare: 0.2,
  ringToAnswer: { meanMs: 12_000, sdMs: 5_000, minMs: 3_000 },
  ringTimeoutMs: 30_000,
  handle: { meanMs: 120_000, sdMs: 60_000, minMs: 10_000 },
  wrap: { meanMs: 15_000, sdMs: 8_000, minMs: 2_000 },
  machineDetectMs: 3_000,
  abandonMessageMs: 8_000,
  durationMs: HOURS * 3_600_000,
  linesPerAgent: 2,
  pacing: { target: 0.02, cap: CAP, maxDialLevel: 6 },
  windowMs: 24 * 3_600_000,
};

const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const pct = (v: number): string => `${(v * 100).toFixed(2)} %`;

const suite: BenchSuite = {
  title: 'Dialing modes in the campaign simulator',
  method: `A seeded discrete-event simulation of one campaign for a ${HOURS} h shift (dialer/simulation.ts): each dial is answered by a person at the given rate, by a machine 10 % of the time (hung up after 3 s of detection), else busy (20 %) or unanswered until the 30 s ring timeout; ring to answer 12 ± 5 s, talk 120 ± 60 s, wrap-up 15 ± 8 s (lognormal). A person who finds no agent within 2 s of the answer is abandoned (8 s information message). Progressive dials one line per ready agent, power 2, predictive runs the dialer's own pacing (dialer/pacing.ts, target 2 %, cap 3 %, 24 h window, max dial level 6). Figures are medians over ${SEEDS} seeds; "max window" is the highest abandonment rate the rolling window showed at any moment of any seed (the cap's check). Each cell: progressive / power / predictive.`,
  async run() {
    const rows: BenchRow[] = [];
    for (const agents of [5, 20, 50]) {
      for (const answerRate of [0.15, 0.3, 0.6]) {
        const byMode = new Map<SimMode, SimResult[]>();
        for (const mode of MODES) {
          const runs: SimResult[] = [];
          for (let seed = 1; seed <= SEEDS; seed++)
            runs.push(
              simulate({ ...SIM_BASE, seed, mode, agents, answerRate, contacts: agents * 3_000 }),
            );
          byMode.set(mode, runs);
        }
        const cell = (pick: (r: SimResult) => number, format: (v: number) => string): string =>
          MODES.map((m) => format(median((byMode.get(m) ?? []).map(pick)))).join(' / ');
        const predictive = byMode.get('predictive') ?? [];
        const progressive = byMode.get('progressive') ?? [];
        const maxWindow = Math.max(...predictive.map((r) => r.maxWindowRate));
        rows.push({
          name: `${agents} agents, ${answerRate * 100} % answer`,
          values: {
            'contacts / agent-hour': cell(
              (r) => r.contactsPerAgentHour,
              (v) => v.toFixed(1),
            ),
            occupancy: cell(
              (r) => r.occupancy,
              (v) => `${(v * 100).toFixed(0)} %`,
            ),
            abandoned: cell((r) => r.abandonRate, pct),
            'predictive ÷ progressive': `${(
              median(predictive.map((r) => r.contactsPerAgentHour)) /
              median(progressive.map((r) => r.contactsPerAgentHour))
            ).toFixed(2)}×`,
            'predictive max window': `${pct(maxWindow)}${maxWindow > CAP ? ' (OVER THE CAP)' : ''}`,
            'predictive lines / agent': median(predictive.map((r) => r.meanDialLevel)).toFixed(2),
            'predictive at progressive': `${(median(predictive.map((r) => r.fallbackShare)) * 100).toFixed(0)} %`,
          },
        });
      }
    }
    return rows;
  },
};

export default suite;
