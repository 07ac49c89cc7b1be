/**
 * A seeded discrete-event simulator of one campaign's dialing: a contact list, answer / machine /
 * no-answer rates, ring, handle and wrap-up time distributions, and a team of agents; progressive,
 * power or predictive mode. Predictive runs the dialer's own pacing (pacing.ts: `Pacer`), not a
 * copy, and every mode follows the dialer's line rules (progressive: one line per ready agent;
 * power: floor(ready × linesPerAgent); lines waiting for an agent count against them).
 *
 * A call answered by a person gets an agent if one is ready within 2 s (ABANDON_AFTER_MS);
 * otherwise it is abandoned, plays the information message (its line stays busy that long), and
 * counts in the abandonment window. Machines are hung up after the detection delay and never count
 * as answered by a person. Same seed, same figures: the only randomness is the seeded generator,
 * and ties in time run in the order they were scheduled.
 *
 * Used by bench/dialer-sim.bench.ts and the unit tests beside it. Durations are ms.
 */
import { ABANDON_AFTER_MS } from './abandon.js';
import { AbandonmentWindow, Pacer, type PacingSettings } from './pacing.js';

export type SimMode = 'progressive' | 'power' | 'predictive';

/** A time distribution: lognormal with this mean and standard deviation, at least `minMs`. */
export interface TimeDist {
  meanMs: number;
  sdMs: number;
  minMs?: number;
}

export interface SimConfig {
  seed: number;
  mode: SimMode;
  agents: number;
  /** Contacts in the list (each dialed once). */
  contacts: number;
  /** Dials a person answers. */
  answerRate: number;
  /** Dials a machine answers (voicemail). */
  machineRate: number;
  /** The rest: no answer until the ring timeout, or busy at once (`busyShare` of them). */
  busyShare?: number;
  ringToAnswer: TimeDist;
  ringTimeoutMs?: number;
  handle: TimeDist;
  wrap: TimeDist;
  /** Time the answering-machine detection takes before the line is hung up. */
  machineDetectMs?: number;
  /** How long the abandoned call's information message holds the line. */
  abandonMessageMs?: number;
  /** Simulated shift. */
  durationMs: number;
  /** Lines the trunks give the campaign (default 10 per agent). */
  maxLines?: number;
  /** Power mode's lines per ready agent. */
  linesPerAgent?: number;
  /** Predictive settings. */
  pacing?: PacingSettings;
  windowMs?: number;
  /** How often the dialer looks without being woken (the real loop polls every second). */
  pollMs?: number;
}

export interface SimResult {
  dials: number;
  /** Answered by a person. */
  answered: number;
  /** Answered by a person and given to an agent. */
  contacts: number;
  abandoned: number;
  machines: number;
  /** Agent busy time (talk + wrap-up) over agent time. */
  occupancy: number;
  contactsPerAgentHour: number;
  /** Abandoned over answered by a person, over the whole run. */
  abandonRate: number;
  /** The highest rate the rolling window showed at any abandon (the cap's check). */
  maxWindowRate: number;
  /** When (ms into the run) it did. */
  maxWindowRateAt: number;
  /** Predictive: decisions that fell back to progressive, of all decisions. */
  fallbackShare: number;
  /** Predictive: the mean lines per agent of its decisions. */
  meanDialLevel: number;
  /** Time agents sat ready while callable contacts remained, over agent time. */
  idleWithContacts: number;
}

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function sampler(random: () => number) {
  const normal = (): number => {
    // Box–Muller; 1 - u keeps log away from 0.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return (d: TimeDist): number => {
    const variance = Math.log(1 + (d.sdMs * d.sdMs) / (d.meanMs * d.meanMs));
    const mu = Math.log(d.meanMs) - variance / 2;
    return Math.max(d.minMs ?? 0, Math.exp(mu + Math.sqrt(variance) * normal()));
  };
}

type Event =
  | { kind: 'poll' }
  | { kind: 'ringEnd'; call: number }
  | { kind: 'abandonCheck'; call: number }
  | { kind: 'lineFree' }
  | { kind: 'talkEnd'; agent: number }
  | { kind: 'wrapEnd'; agent: number };

/** A binary heap of events by time, then by the order they were scheduled. */
class Agenda {
  private heap: Array<{ at: number; seq: number; event: Event }> = [];
  private seq = 0;
  push(at: number, event: Event): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, event });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  pop(): { at: number; event: Event } | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: { at: number; seq: number }, b: { at: number; seq: number }): boolean =>
  a.at < b.at || (a.at === b.at && a.seq < b.seq);

interface SimCall {
  kind: 'person' | 'machine' | 'none';
  dialedAt: number;
  answeredAt: number | null;
}

/** Runs one campaign to the end of its shift (or of its list) and returns its figures. */
export function simulate(config: SimConfig): SimResult {
  const random = seededRandom(config.seed);
  const draw = sampler(random);
  const ringTimeout = config.ringTimeoutMs ?? 30_000;
  const machineDetect = config.machineDetectMs ?? 3_000;
  const messageMs = config.abandonMessageMs ?? 8_000;
  const maxLines = config.maxLines ?? config.agents * 10;
  const pollMs = config.pollMs ?? 1_000;
  const busyShare = config.busyShare ?? 0.2;
  const pacing = config.pacing ?? { target: 0.02, cap: 0.03, maxDialLevel: 6 };
  const windowMs = config.windowMs ?? 24 * 3_600_000;
  const pacer =
    config.mode === 'predictive'
      ? new Pacer({
          settings: pacing,
          windowMs,
          prior: { answerRate: 0.3, ringMs: 12_000, handleMs: 120_000, wrapMs: 15_000 },
        })
      : null;
  const measure = new AbandonmentWindow(windowMs);

  const agenda = new Agenda();
  const calls: SimCall[] = [];
  const ready: number[] = []; // agent ids, longest ready first
  const readySince = new Map<number, number>();
  const talkStart = new Map<number, number>();
  const waiting: number[] = []; // answered calls waiting for an agent, by arrival
  let talking = 0;
  let wrapping = 0;
  let dialing = 0;
  let linesBusy = 0; // every line in use: dialing, waiting, talking, message, machine
  let nextContact = 0;
  let listEmptyAt: number | null = null;
  let readyMs = 0;
  let idleWithContactsMs = 0;
  /** An agent's ready spell [since, until] ends: idle time, and idle while contacts remained. */
  const readyEnded = (since: number, until: number): void => {
    readyMs += until - since;
    idleWithContactsMs += Math.max(0, Math.min(until, listEmptyAt ?? until) - since);
  };
  const result = {
    dials: 0,
    answered: 0,
    contacts: 0,
    abandoned: 0,
    machines: 0,
    maxWindowRate: 0,
    maxWindowRateAt: 0,
    decisions: 0,
    fallbacks: 0,
    dialLevelSum: 0,
  };
  for (let a = 0; a < config.agents; a++) {
    ready.push(a);
    readySince.set(a, 0);
  }

  const connect = (now: number, call: number): void => {
    const agent = ready.shift();
    if (agent === undefined) return;
    readyEnded(readySince.get(agent) ?? now, now);
    readySince.delete(agent);
    const c = calls[call];
    if (!c) return;
    result.contacts++;
    measure.add(now, false);
    pacer?.answered(now, false);
    talking++;
    talkStart.set(agent, now);
    agenda.push(now + draw(config.handle), { kind: 'talkEnd', agent });
  };

  const dialNow = (now: number): void => {
    if (now >= config.durationMs) return;
    let toDial: number;
    const inFlight = dialing + waiting.length;
    if (config.mode === 'progressive') toDial = ready.length - inFlight;
    else if (config.mode === 'power')
      toDial = Math.floor(ready.length * (config.linesPerAgent ?? 2)) - inFlight;
    else {
      const decision = (pacer as Pacer).decide(
        {
          agentsReady: ready.length,
          agentsTalking: talking,
          agentsWrapping: wrapping,
          callsDialing: dialing,
          callsWaiting: waiting.length,
        },
        now,
        dialing + (maxLines - linesBusy),
      );
      result.decisions++;
      if (decision.fallback) result.fallbacks++;
      result.dialLevelSum += decision.dialLevel;
      toDial = decision.toDial;
    }
    toDial = Math.min(toDial, maxLines - linesBusy, config.contacts - nextContact);
    for (let i = 0; i < toDial; i++) {
      nextContact++;
      if (nextContact === config.contacts) listEmptyAt = now;
      result.dials++;
      dialing++;
      linesBusy++;
      const r = random();
      const kind: SimCall['kind'] =
        r < config.answerRate
          ? 'person'
          : r < config.answerRate + config.machineRate
            ? 'machine'
            : 'none';
      const id = calls.length;
      calls.push({ kind, dialedAt: now, answeredAt: null });
      const ringMs =
        kind === 'none'
          ? random() < busyShare
            ? 3_000
            : ringTimeout
          : Math.min(ringTimeout - 1, draw(config.ringToAnswer));
      agenda.push(now + ringMs, { kind: 'ringEnd', call: id });
    }
  };

  agenda.push(0, { kind: 'poll' });
  const endAt = config.durationMs;
  for (;;) {
    const next = agenda.pop();
    if (!next || next.at > endAt) break;
    const now = next.at;
    const event = next.event;
    switch (event.kind) {
      case 'poll':
        agenda.push(now + pollMs, { kind: 'poll' });
        break;
      case 'ringEnd': {
        const call = calls[event.call];
        if (!call) break;
        dialing--;
        const person = call.kind === 'person';
        pacer?.estimator.observeDial({
          person,
          ringMs: call.kind === 'none' ? null : now - call.dialedAt,
        });
        if (call.kind === 'none') {
          linesBusy--;
        } else if (call.kind === 'machine') {
          result.machines++;
          agenda.push(now + machineDetect, { kind: 'lineFree' });
        } else {
          call.answeredAt = now;
          result.answered++;
          if (ready.length > 0 && waiting.length === 0) {
            connect(now, event.call);
          } else {
            waiting.push(event.call);
            agenda.push(now + ABANDON_AFTER_MS, { kind: 'abandonCheck', call: event.call });
          }
        }
        break;
      }
      case 'abandonCheck': {
        const at = waiting.indexOf(event.call);
        if (at < 0) break; // an agent took it
        waiting.splice(at, 1);
        result.abandoned++;
        measure.add(now, true);
        pacer?.answered(now, true);
        if (measure.rate(now) > result.maxWindowRate) {
          result.maxWindowRate = measure.rate(now);
          result.maxWindowRateAt = now;
        }
        agenda.push(now + messageMs, { kind: 'lineFree' });
        break;
      }
      case 'lineFree':
        linesBusy--;
        break;
      case 'talkEnd': {
        talking--;
        wrapping++;
        const wrapMs = draw(config.wrap);
        const talkMs = now - (talkStart.get(event.agent) ?? now);
        talkStart.delete(event.agent);
        linesBusy--;
        agenda.push(now + wrapMs, { kind: 'wrapEnd', agent: event.agent });
        pacer?.estimator.observeHandle(talkMs, wrapMs);
        break;
      }
      case 'wrapEnd': {
        wrapping--;
        ready.push(event.agent);
        readySince.set(event.agent, now);
        // An answered call waiting for an agent takes this one at once.
        const call = waiting.shift();
        if (call !== undefined) connect(now, call);
        break;
      }
    }
    dialNow(now);
  }
  // Agents still ready at the end sat idle since they became ready.
  for (const [, since] of readySince) readyEnded(since, endAt);

  const agentMs = config.agents * config.durationMs;
  const hours = config.durationMs / 3_600_000;
  return {
    dials: result.dials,
    answered: result.answered,
    contacts: result.contacts,
    abandoned: result.abandoned,
    machines: result.machines,
    occupancy: 1 - readyMs / agentMs,
    contactsPerAgentHour: result.contacts / (config.agents * hours),
    abandonRate: result.answered === 0 ? 0 : result.abandoned / result.answered,
    maxWindowRate: result.maxWindowRate,
    maxWindowRateAt: result.maxWindowRateAt,
    fallbackShare: result.decisions === 0 ? 0 : result.fallbacks / result.decisions,
    meanDialLevel: result.decisions === 0 ? 0 : result.dialLevelSum / result.decisions,
    idleWithContacts: idleWithContactsMs / agentMs,
  };
}
