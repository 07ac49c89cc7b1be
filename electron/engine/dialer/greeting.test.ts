/**
 * The abandonment clock's start on a stand-in call fed 20 ms frames in step with fake time: a
 * "hello" then silence starts it at the greeting's last speech; silence or no audio at the
 * allowance; speech that goes on at the detector's decision, or not at all when the campaign's AMD
 * acts on machines (a machine is not a person); and connectOrAbandon times its 2 s from there.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { AMD_TUNING } from '../amd/detector.js';
import { AmdDetector } from '../amd/index.js';
import { concat, hiss, silence, speechLike } from '../amd/testing/signals.js';
import { ABANDON_AFTER_MS, type AbandonableCall, connectOrAbandon } from './abandon.js';
import { GREETING_ALLOWANCE_MS, type GreetingEnd, watchGreeting } from './greeting.js';

const T0 = 1_000_000;

class StandInCall {
  /** Answered as it is made (the clock is started at the answer). */
  answeredAt = Date.now();
  private listener: ((frame: { left: Int16Array }) => void) | null = null;
  private endedResolve!: () => void;
  private readonly ended = new Promise<void>((r) => (this.endedResolve = r));
  onAudio = (listener: (frame: { left: Int16Array }) => void): (() => void) => {
    this.listener = listener;
    return () => (this.listener = null);
  };
  whenEnded = (): Promise<void> => this.ended;
  end(): void {
    this.endedResolve();
  }
  /** Plays `samples` in real-time steps: one 20 ms frame per 20 ms of fake time; `tap` hears them too. */
  async feed(samples: Int16Array, tap?: (frame: Int16Array) => void): Promise<void> {
    for (let i = 0; i + 320 <= samples.length; i += 320) {
      const frame = samples.subarray(i, i + 320);
      this.listener?.({ left: frame });
      tap?.(frame);
      await vi.advanceTimersByTimeAsync(20);
    }
  }
}

/** Line hiss under everything, as a real line has: `parts` laid over it. */
const line = (...parts: Int16Array[]): Int16Array => {
  const speech = concat(...parts);
  const floor = hiss(speech.length / 16, -65, 3);
  return Int16Array.from(speech, (v, i) => Math.max(-32768, Math.min(32767, v + (floor[i] ?? 0))));
};

describe('the greeting clock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('starts at the end of a "hello", not at the answer', async () => {
    const call = new StandInCall();
    const clock = watchGreeting(call);
    let end: GreetingEnd | null = null;
    void clock.end.then((e) => (end = e));
    // 600 ms before the customer speaks, a 500 ms "hello?", then silence.
    await call.feed(line(silence(600), speechLike(500, -20, 11), silence(2000)));
    expect(end).not.toBeNull();
    const e = end as unknown as GreetingEnd;
    expect(e.kind).toBe('person');
    if (e.kind !== 'person') return;
    expect(e.source).toBe('vad');
    // The greeting's last speech, within a couple of frames of 600 + 500 ms after the answer.
    expect(e.at - T0).toBeGreaterThanOrEqual(1_000);
    expect(e.at - T0).toBeLessThanOrEqual(1_160);
  });

  it('takes the allowance when nothing is said, or no audio comes', async () => {
    const quiet = new StandInCall();
    const silent = watchGreeting(quiet);
    await quiet.feed(line(silence(1_500)));
    expect(await silent.end).toEqual({
      kind: 'person',
      at: T0 + GREETING_ALLOWANCE_MS,
      source: 'allowance',
    });

    const dead = new StandInCall();
    const noAudio = watchGreeting(dead);
    await vi.advanceTimersByTimeAsync(GREETING_ALLOWANCE_MS + 600); // no frame at all by 1.5 s
    expect(await noAudio.end).toEqual({
      kind: 'person',
      at: dead.answeredAt + GREETING_ALLOWANCE_MS,
      source: 'allowance',
    });
  });

  it('without AMD acting, speech that goes on starts the clock at the decision', async () => {
    const call = new StandInCall();
    const clock = watchGreeting(call);
    let end: GreetingEnd | null = null;
    void clock.end.then((e) => (end = e));
    await call.feed(line(silence(300), speechLike(4_000, -20, 5)));
    const e = end as unknown as GreetingEnd;
    expect(e.kind).toBe('person');
    if (e.kind !== 'person') return;
    expect(e.source).toBe('decision');
    // Long greeting (AMD_TUNING.maxGreetingMs of speech) or many words: well before the
    // greeting's own end at 4.3 s. The speech starts at 300 ms; one 100 ms step of slack.
    expect(e.at - T0).toBeLessThanOrEqual(300 + AMD_TUNING.maxGreetingMs + 100);
  });

  it("with AMD acting on machines, a machine settles it as a machine, and AMD's person as a person", async () => {
    const call = new StandInCall();
    // The campaign's AMD: its own detector on the same audio, one frame behind the clock's.
    let amdSaysMachine!: () => void;
    const machine = new Promise<void>((r) => (amdSaysMachine = r));
    const amd = new AmdDetector();
    let amdAt: number | null = null;
    const clock = watchGreeting(call, { machine });
    let end: GreetingEnd | null = null;
    let endAt: number | null = null;
    void clock.end.then((e) => {
      end = e;
      endAt = Date.now() - T0;
    });
    await call.feed(line(silence(300), speechLike(3_000, -20, 5)), (frame) => {
      for (const event of amd.push(frame))
        if (event.type === 'decision' && event.decision.result === 'machine') {
          amdAt = Date.now() - T0;
          amdSaysMachine();
        }
    });
    expect(end).toEqual({ kind: 'machine' });
    expect(amdAt).not.toBeNull();
    expect(endAt).toBeGreaterThanOrEqual(amdAt ?? Infinity); // no clock before AMD's decision

    // AMD never says machine (it heard the audio a frame apart): the clock's own decision stands.
    const other = new StandInCall();
    const never = watchGreeting(other, { machine: new Promise<void>(() => undefined) });
    await other.feed(line(silence(300), speechLike(3_000, -20, 5)));
    const e = await never.end;
    expect(e.kind === 'person' && e.source).toBe('decision');
  });

  it('settles when the call ends first', async () => {
    const call = new StandInCall();
    const clock = watchGreeting(call);
    call.end();
    await vi.advanceTimersByTimeAsync(0);
    expect((await clock.end).kind).toBe('person');
  });
});

/** A live call as CallSession shows it, recording what was done to it. */
function fakeCall() {
  const done: string[] = [];
  const call: AbandonableCall & { outcome: string | null } = {
    callId: 'c1',
    answeredAt: T0,
    isUp: true,
    state: 'transferring',
    outcome: null,
    note: (type) => done.push(`${type} at ${Date.now() - T0} ms`),
    setDisposition: async (code) => void done.push(`disposition ${code}`),
    setAnsweredOutcome: (outcome) => {
      call.outcome = outcome;
    },
    play: async () => void done.push(`played at ${Date.now() - T0} ms`),
    hangup: async () => void done.push('hangup'),
  };
  return { call, done };
}

describe('the 2 s to an agent run from the greeting clock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  const waitingForever = () => {
    let settle: (taken: boolean) => void = () => undefined;
    const handoff = new Promise<boolean>((resolve) => (settle = resolve));
    return { handoff, withdraw: () => settle(false) };
  };

  it('a person whose "hello" ends at 1.1 s is abandoned at 3.1 s, not at 2 s', async () => {
    const { call, done } = fakeCall();
    const agentless = waitingForever();
    const standIn = new StandInCall();
    const clock = watchGreeting(standIn);
    const result = connectOrAbandon(call, {
      queue: 'sales',
      ...agentless,
      greeting: clock.end,
      message: async () => [new Int16Array(320)],
      onError: () => undefined,
    });
    await standIn.feed(line(silence(600), speechLike(500, -20, 11), silence(1_400)));
    expect(done).toEqual([]); // 2.5 s after the answer: still within 2 s of the greeting's end
    await standIn.feed(line(silence(1_000)));
    expect(await result).toBe('abandoned');
    const at = Number(/at (\d+) ms/.exec(done[0] ?? '')?.[1]);
    expect(at).toBeGreaterThanOrEqual(1_000 + ABANDON_AFTER_MS);
    expect(at).toBeLessThanOrEqual(1_180 + ABANDON_AFTER_MS);
    expect(call.outcome).toBe('abandoned');
  });

  it('an agent who takes the call 2.5 s after the answer is in time for a late "hello"', async () => {
    const { call, done } = fakeCall();
    const standIn = new StandInCall();
    const clock = watchGreeting(standIn);
    const result = connectOrAbandon(call, {
      queue: 'sales',
      handoff: new Promise((resolve) => setTimeout(() => resolve(true), 2_500)),
      withdraw: () => done.push('withdrawn'),
      greeting: clock.end,
      message: async () => [],
      onError: () => undefined,
    });
    await standIn.feed(line(silence(500), speechLike(400, -20, 11), silence(2_500)));
    expect(await result).toBe('taken');
    expect(done).toEqual([]);
  });

  it('a machine is withdrawn and left to AMD: never abandoned, whenever AMD decides', async () => {
    const { call, done } = fakeCall();
    const agentless = waitingForever();
    const result = connectOrAbandon(call, {
      queue: 'sales',
      handoff: agentless.handoff,
      withdraw: () => {
        done.push(`withdrawn at ${Date.now() - T0} ms`);
        agentless.withdraw();
      },
      greeting: new Promise((resolve) => setTimeout(() => resolve({ kind: 'machine' }), 2_400)),
      message: async () => [new Int16Array(320)],
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(6_000);
    expect(await result).toBe('machine');
    expect(done).toEqual(['withdrawn at 2400 ms']);
    expect(call.outcome).toBeNull();
  });

  it('a machine AMD hangs up on after the clock started is not abandoned either', async () => {
    // The clock took a person (the allowance); AMD's later machine decision hangs up, which ends
    // the handoff as not taken in the same moment.
    const { call, done } = fakeCall();
    let amdSaysMachine!: () => void;
    const machine = new Promise<void>((r) => (amdSaysMachine = r));
    let settle: (taken: boolean) => void = () => undefined;
    const result = connectOrAbandon(call, {
      queue: 'sales',
      handoff: new Promise((resolve) => (settle = resolve)),
      withdraw: () => done.push('withdrawn'),
      greeting: Promise.resolve({ kind: 'person', at: T0 + 1_000, source: 'allowance' }),
      machine,
      message: async () => [new Int16Array(320)],
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(2_300);
    amdSaysMachine();
    settle(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await result).toBe('machine');
    expect(call.outcome).toBeNull();
    expect(done.filter((d) => d.startsWith('transfer_unanswered'))).toEqual([]);
  });

  it('an agent taking the call before AMD calls it a machine keeps it', async () => {
    const { call } = fakeCall();
    const result = connectOrAbandon(call, {
      queue: 'sales',
      handoff: new Promise((resolve) => setTimeout(() => resolve(true), 700)),
      withdraw: () => undefined,
      greeting: new Promise((resolve) => setTimeout(() => resolve({ kind: 'machine' }), 1_900)),
      message: async () => [],
      onError: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await result).toBe('taken');
  });
});
