/**
 * Predictive pacing: how many calls a predictive campaign should have under way now, from live
 * estimates, under a hard cap on the abandonment rate. Pure and clock-free (every function takes
 * `now`), so the dialer and the simulator (bench/dialer-sim) run this same code.
 *
 * - `PacingEstimator`: running means of the answer rate (a person answered, per dial), the time a
 *   dial takes to be answered, the handle time and the wrap-up time; priors until calls tell.
 * - `AbandonmentWindow`: per-minute counts of calls answered by a person and of those abandoned
 *   (no agent within 2 s), over the campaign's rolling window (24 h, 30 days or custom). The store
 *   keeps the same minutes (campaign_abandonment), so a restart loads them back.
 * - `AdaptiveLevel`: VICIdial's anchor. The aggression is halved when the recent drop rate exceeds
 *   the target, and creeps back while drops stay well under it.
 * - `pace()`: the decision. Agents free over the next ring time are the ready ones plus the busy
 *   ones likely to finish by then; the lines that fill them at the answer rate (several per agent
 *   when few answer) are the plan. The plan is cut to the largest number of lines whose expected
 *   abandons stay within the target (the answers less the free agents, a normal approximation
 *   of both), and whose pessimistic abandons (+2 σ) still leave the window's rate under the cap.
 *   When the window's rate nears the cap, or it has no room for even one more abandon, pacing
 *   falls back to progressive: one line per ready agent, so no answered call lacks one.
 *
 * Durations are ms; rates are fractions (0.03 = 3 %).
 */

export interface PacingSettings {
  /** The abandonment rate pacing aims under (e.g. 0.02). */
  target: number;
  /** The hard cap over the window (e.g. 0.03); nearing it falls back to progressive. */
  cap: number;
  /** The most lines per logged-in agent (VICIdial's max dial level). */
  maxDialLevel: number;
}

export interface PacingEstimates {
  /** Dials answered by a person, per dial. */
  answerRate: number;
  /**
   * A high bound on it (Wilson, 2 σ, over the calls seen so far): the guard against abandons
   * assumes this many answer, so a few early calls never let the plan over-dial on a low guess.
   */
  answerRateHigh: number;
  /** Mean time from a dial to its answer, for answered calls. */
  ringMs: number;
  /** Mean time an agent talks on a call. */
  handleMs: number;
  /** Mean time an agent spends in wrap-up after a call. */
  wrapMs: number;
}

/** What the campaign looks like now. */
export interface PacingState {
  /** Agents of the campaign's queue free to take a call now (net of answered calls waiting). */
  agentsReady: number;
  /** Agents on a call of the campaign. */
  agentsTalking: number;
  /** Agents in wrap-up after a call of the campaign. */
  agentsWrapping: number;
  /** Calls placed and not answered yet (queued, dialing, ringing). */
  callsDialing: number;
  /** Calls answered by a person that wait for an agent (not already netted out of agentsReady). */
  callsWaiting: number;
}

export interface WindowCounts {
  /** Calls answered by a person in the window. */
  answered: number;
  /** Of them, abandoned. */
  abandoned: number;
}

export interface PacingDecision {
  /** New calls to place now. */
  toDial: number;
  /** Calls the plan wants under way (dialing) after this decision. */
  lines: number;
  /** Lines per ready-or-soon-free agent the plan amounts to (shown on the campaign page). */
  dialLevel: number;
  /** True when pacing fell back to progressive (one line per ready agent). */
  fallback: boolean;
  /** Why, in English, for logs and the page's tooltip. */
  reason: string;
}

/** Where pacing starts before any call of the campaign has ended. */
export const DEFAULT_ESTIMATES: Omit<PacingEstimates, 'answerRateHigh'> = {
  answerRate: 0.3,
  ringMs: 12_000,
  handleMs: 120_000,
  wrapMs: 15_000,
};

/** Nearing the cap: at this share of it the window's rate sends pacing back to progressive. */
export const NEAR_CAP = 0.9;
/** Standard deviations of bad luck the cap's guard allows for. */
const GUARD_Z = 3;
/** Answer rates below this are taken as this (a floor on lines per agent at 1 / this). */
const MIN_ANSWER_RATE = 0.02;

// ---------------------------------------------------------------------------------------------
// Estimates

/**
 * Running means that weigh the last `memory` observations about equally (an exponential moving
 * average whose weight starts at 1/n, so the first calls replace the priors quickly).
 */
export class PacingEstimator {
  private answered: Mean;
  private ring: Mean;
  private handle: Mean;
  private wrap: Mean;

  constructor(prior: Partial<Omit<PacingEstimates, 'answerRateHigh'>> = {}, memory = 200) {
    const p = { ...DEFAULT_ESTIMATES, ...prior };
    this.answered = new Mean(p.answerRate, memory);
    this.ring = new Mean(p.ringMs, memory);
    this.handle = new Mean(p.handleMs, memory);
    this.wrap = new Mean(p.wrapMs, memory);
  }

  /** A dial ended its ringing: answered by a person or not, and how long it rang if answered. */
  observeDial(result: { person: boolean; ringMs: number | null }): void {
    this.answered.add(result.person ? 1 : 0);
    if (result.ringMs !== null && result.ringMs >= 0) this.ring.add(result.ringMs);
  }

  /** An agent finished a call: its talk time, and its wrap-up when known. */
  observeHandle(talkMs: number, wrapMs?: number): void {
    if (talkMs >= 0) this.handle.add(talkMs);
    if (wrapMs !== undefined && wrapMs >= 0) this.wrap.add(wrapMs);
  }

  get estimates(): PacingEstimates {
    return {
      answerRate: this.answered.value,
      answerRateHigh: wilsonHigh(this.answered.value, this.answered.count),
      ringMs: this.ring.value,
      handleMs: this.handle.value,
      wrapMs: this.wrap.value,
    };
  }
}

/** The upper end of Wilson's 2 σ interval for a rate seen over `n` trials (1 when none). */
function wilsonHigh(rate: number, n: number): number {
  if (n <= 0) return 1;
  const z2 = GUARD_Z * GUARD_Z;
  const centre = rate + z2 / (2 * n);
  const spread = GUARD_Z * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n));
  return Math.min(1, (centre + spread) / (1 + z2 / n));
}

class Mean {
  private n = 0;
  get count(): number {
    return this.n;
  }
  constructor(
    public value: number,
    private readonly memory: number,
  ) {}
  add(x: number): void {
    this.n = Math.min(this.n + 1, this.memory);
    this.value += (x - this.value) / (this.n + 1); // +1: the prior counts as one observation
  }
}

// ---------------------------------------------------------------------------------------------
// The rolling window

export const MINUTE_MS = 60_000;

/** Answered-by-a-person and abandoned counts per minute, summed over the last `windowMs`. */
export class AbandonmentWindow {
  private readonly minutes = new Map<number, WindowCounts>();
  private sum: WindowCounts = { answered: 0, abandoned: 0 };

  constructor(public windowMs: number) {}

  /** Minutes as the store keeps them (epoch minute → counts); replaces what was held. */
  load(rows: ReadonlyArray<{ minute: number } & WindowCounts>): void {
    this.minutes.clear();
    this.sum = { answered: 0, abandoned: 0 };
    for (const row of rows) this.addAtMinute(row.minute, row.answered, row.abandoned);
  }

  /** One call answered by a person at `at` (epoch ms), abandoned or not. */
  add(at: number, abandoned: boolean): void {
    this.addAtMinute(Math.floor(at / MINUTE_MS), 1, abandoned ? 1 : 0);
  }

  /** The counts of the window ending at `now` (older minutes are dropped). */
  counts(now: number): WindowCounts {
    const first = firstMinute(now, this.windowMs);
    for (const [minute, c] of this.minutes) {
      if (minute >= first) continue;
      this.sum = {
        answered: this.sum.answered - c.answered,
        abandoned: this.sum.abandoned - c.abandoned,
      };
      this.minutes.delete(minute);
    }
    return { ...this.sum };
  }

  /** The abandonment rate over the window ending at `now` (0 when nobody answered). */
  rate(now: number): number {
    const c = this.counts(now);
    return c.answered === 0 ? 0 : c.abandoned / c.answered;
  }

  private addAtMinute(minute: number, answered: number, abandoned: number): void {
    const c = this.minutes.get(minute) ?? { answered: 0, abandoned: 0 };
    this.minutes.set(minute, {
      answered: c.answered + answered,
      abandoned: c.abandoned + abandoned,
    });
    this.sum = {
      answered: this.sum.answered + answered,
      abandoned: this.sum.abandoned + abandoned,
    };
  }
}

/** The first epoch minute inside a window of `windowMs` ending at `now`. */
export function firstMinute(now: number, windowMs: number): number {
  return Math.floor((now - windowMs) / MINUTE_MS) + 1;
}

// ---------------------------------------------------------------------------------------------
// VICIdial's adaptive anchor

/**
 * The share of the target the plan may use, between 1/16 and 1: halved at each look (every
 * `everyMs`) whose recent drop rate exceeded the target, raised by a quarter at each look whose
 * drops stayed under half of it.
 */
export class AdaptiveLevel {
  level = 1;
  private lastAt: number | null = null;
  private recent: WindowCounts = { answered: 0, abandoned: 0 };

  constructor(private readonly everyMs = 60_000) {}

  observe(abandoned: boolean): void {
    this.recent.answered++;
    if (abandoned) this.recent.abandoned++;
  }

  /** Looks at the drops since the last look when it is time; returns the level. */
  update(now: number, target: number): number {
    if (this.lastAt === null) this.lastAt = now;
    if (now - this.lastAt < this.everyMs) return this.level;
    this.lastAt = now;
    const { answered, abandoned } = this.recent;
    if (answered > 0) {
      const rate = abandoned / answered;
      if (rate > target) this.level = Math.max(1 / 16, this.level / 2);
      else if (rate < target / 2) this.level = Math.min(1, this.level * 1.25);
    }
    this.recent = { answered: 0, abandoned: 0 };
    return this.level;
  }
}

// ---------------------------------------------------------------------------------------------
// The decision

/** The chance a busy agent is free within `horizonMs` (memoryless: remaining time ~ its mean). */
function freeWithin(horizonMs: number, meanRemainingMs: number): number {
  return meanRemainingMs <= 0 ? 1 : 1 - Math.exp(-horizonMs / meanRemainingMs);
}

const SQRT2 = Math.SQRT2;
function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): plenty for a dialing decision.
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}
const phi = (z: number): number => Math.exp(-(z * z) / 2) / Math.sqrt(2 * Math.PI);
const Phi = (z: number): number => 0.5 * (1 + erf(z / SQRT2));

/** E[(X − K)+] for X − K normal with mean `mean` and variance `variance`. */
function expectedExcess(mean: number, variance: number): number {
  if (variance <= 1e-12) return Math.max(0, mean);
  const sd = Math.sqrt(variance);
  const d = mean / sd;
  return sd * phi(d) + mean * Phi(d);
}

/**
 * How many calls to place now. `level` is AdaptiveLevel's share of the target (1 without it).
 * Never more than `maxLines` lines under way in all (the campaign's, trunks' and desktop's free
 * lines plus those already dialing).
 */
export function pace(
  state: PacingState,
  estimates: PacingEstimates,
  window: WindowCounts,
  settings: PacingSettings,
  level = 1,
  maxLines = Number.POSITIVE_INFINITY,
): PacingDecision {
  const ready = Math.max(0, state.agentsReady - state.callsWaiting);
  const inFlight = Math.max(0, state.callsDialing);
  const progressive = (reason: string): PacingDecision => {
    const lines = Math.min(ready, maxLines);
    return {
      toDial: Math.max(0, lines - inFlight),
      lines,
      dialLevel: 1,
      fallback: true,
      reason,
    };
  };
  const rate = window.answered === 0 ? 0 : window.abandoned / window.answered;
  if (settings.cap <= 0) return progressive('no abandonment allowed (cap 0 %)');
  if (rate >= settings.cap * NEAR_CAP)
    return progressive(
      `abandonment ${(rate * 100).toFixed(2)} % nears the cap ${(settings.cap * 100).toFixed(1)} %`,
    );

  const p = Math.max(MIN_ANSWER_RATE, Math.min(1, estimates.answerRate));
  const pHigh = Math.max(p, Math.min(1, estimates.answerRateHigh));
  const horizon = Math.max(1_000, estimates.ringMs);
  // Busy agents likely free within the ring time: talking ones finish talk and wrap-up, wrapping ones wrap-up.
  const qTalk = freeWithin(horizon, estimates.handleMs + estimates.wrapMs);
  const qWrap = freeWithin(horizon, estimates.wrapMs);
  const soonFree = state.agentsTalking * qTalk + state.agentsWrapping * qWrap;
  const agentVariance =
    state.agentsTalking * qTalk * (1 - qTalk) + state.agentsWrapping * qWrap * (1 - qWrap);
  // Answered calls already waiting take the first agents that free up.
  const agents = Math.max(0, state.agentsReady + soonFree - state.callsWaiting);
  const loggedIn = ready + state.agentsTalking + state.agentsWrapping;
  const ceiling = Math.min(maxLines, Math.floor(settings.maxDialLevel * loggedIn));

  // Abandons expected with `lines` under way (answers ~ Bin(lines, p) less the free agents), and
  // pessimistically (the high answer rate, 2 σ of bad luck).
  const expected = (lines: number): number =>
    expectedExcess(lines * p - agents, lines * p * (1 - p) + agentVariance);
  const pessimistic = (lines: number): number =>
    Math.max(
      0,
      lines * pHigh - agents + GUARD_Z * Math.sqrt(lines * pHigh * (1 - pHigh) + agentVariance),
    );
  // Abandons the window can still take: k more, all before any other answer, keep (A + k) / (N + k)
  // under the near-cap share of the cap.
  const limit = settings.cap * NEAR_CAP;
  const room = (limit * window.answered - window.abandoned) / (1 - limit);
  const allowed = (lines: number): boolean =>
    expected(lines) <= settings.target * level * lines * p && pessimistic(lines) <= room;

  const floor = Math.min(ready, ceiling);
  // The plan: enough lines that the answers fill the agents free by then.
  const plan = Math.min(ceiling, Math.ceil(agents / p));
  if (plan <= floor || !allowed(floor + 1)) {
    const decision = progressive(
      plan <= floor
        ? 'progressive is enough: as many agents ready as answers expected'
        : 'no room under the target or the cap for more lines than ready agents',
    );
    return decision;
  }
  // The largest allowed count between the floor and the plan (allowed() only gets harder with more lines).
  let lo = floor + 1;
  let hi = plan;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (allowed(mid)) lo = mid;
    else hi = mid - 1;
  }
  const lines = lo;
  return {
    toDial: Math.max(0, lines - inFlight),
    lines,
    dialLevel: agents > 0 ? lines / Math.max(1, agents) : lines,
    fallback: false,
    reason:
      lines === plan
        ? `${lines} lines for ${agents.toFixed(1)} agents free within ${Math.round(horizon / 1000)} s at a ${(p * 100).toFixed(0)} % answer rate`
        : `${lines} lines (the plan's ${plan} cut to stay under the target and the cap)`,
  };
}

// ---------------------------------------------------------------------------------------------
// One campaign's pacer: estimates, window and the adaptive level together

export interface PacerOptions {
  settings: PacingSettings;
  windowMs: number;
  prior?: Partial<PacingEstimates>;
  adaptEveryMs?: number;
}

/** What the dialer keeps per predictive campaign (and the simulator per run). */
export class Pacer {
  readonly estimator: PacingEstimator;
  readonly window: AbandonmentWindow;
  readonly adaptive: AdaptiveLevel;
  settings: PacingSettings;
  last: PacingDecision | null = null;

  constructor(options: PacerOptions) {
    this.settings = options.settings;
    this.estimator = new PacingEstimator(options.prior);
    this.window = new AbandonmentWindow(options.windowMs);
    this.adaptive = new AdaptiveLevel(options.adaptEveryMs);
  }

  /** A call answered by a person ended its wait for an agent: taken (false) or abandoned (true). */
  answered(at: number, abandoned: boolean): void {
    this.window.add(at, abandoned);
    this.adaptive.observe(abandoned);
  }

  decide(state: PacingState, now: number, maxLines?: number): PacingDecision {
    const level = this.adaptive.update(now, this.settings.target);
    this.last = pace(
      state,
      this.estimator.estimates,
      this.window.counts(now),
      this.settings,
      level,
      maxLines,
    );
    return this.last;
  }
}
