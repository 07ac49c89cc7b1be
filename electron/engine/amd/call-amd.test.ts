/**
 * attachAmd on a stand-in call (the few CallSession members it uses, in memory): the decision is
 * noted on the call, and a machine gets the campaign's action — hang up as `machine`, the message
 * after the beep or after the greeting's silence, or nothing — while a person gets nothing.
 */
import { describe, expect, it, vi } from 'vitest';

import type { AmdSettings } from '../api/amd.js';
import type { Logger } from '../log.js';
import type { CallSession } from '../telephony/index.js';
import { attachAmd } from './call-amd.js';
import { concat, silence, speechLike, tone } from './testing/signals.js';

class FakeCall {
  readonly callId = 'call-1';
  answeredAt: number | null = 1;
  state = 'bot';
  isUp = true;
  outcome: string | null = null;
  notes: Array<{ type: string; data: unknown }> = [];
  played: Array<{ frames: number; atFrame: number }> = [];
  hangups: Array<{ reason: string; by: string }> = [];
  framesPushed = 0;
  private listener: ((frame: { left: Int16Array }) => void) | null = null;
  private endedResolve!: () => void;
  private readonly ended = new Promise<void>((r) => (this.endedResolve = r));

  whenAnswered = (): Promise<boolean> => Promise.resolve(true);
  whenEnded = (): Promise<void> => this.ended;
  onAudio = (listener: (frame: { left: Int16Array }) => void): (() => void) => {
    this.listener = listener;
    return () => (this.listener = null);
  };
  note = (type: string, data: unknown): void => void this.notes.push({ type, data });
  setAnsweredOutcome = (outcome: string): void => void (this.outcome = outcome);
  stopPlayback = (): void => undefined;
  play = (frames: Int16Array[]): Promise<{ completed: boolean; playedFrames: number }> => {
    this.played.push({ frames: frames.length, atFrame: this.framesPushed });
    return Promise.resolve({ completed: true, playedFrames: frames.length });
  };
  hangup = (reason: string, by: string): Promise<void> => {
    this.hangups.push({ reason, by });
    this.isUp = false;
    this.endedResolve();
    return Promise.resolve();
  };

  /** Feeds the signal 20 ms at a time, letting the action's awaits run between frames. */
  async feed(samples: Int16Array): Promise<void> {
    for (let i = 0; i + 320 <= samples.length && this.isUp; i += 320) {
      this.listener?.({ left: samples.subarray(i, i + 320) });
      this.framesPushed++;
      await new Promise((r) => setImmediate(r));
    }
  }
}

const log: Logger = {
  info: vi.fn(),
  warn: vi.fn(),
  error: vi.fn(),
  debug: vi.fn(),
} as unknown as Logger;

function start(call: FakeCall, settings: Partial<AmdSettings>, release = vi.fn()) {
  const amd = attachAmd(call as unknown as CallSession, {
    settings: {
      enabled: true,
      machineAction: 'hangup',
      message: null,
      maxBeepWaitMs: 20_000,
      ...settings,
    },
    log,
    release,
    renderMessage: () => Promise.resolve([new Int16Array(320), new Int16Array(320)]),
  });
  return { amd, release };
}

const MACHINE = concat(
  silence(300),
  speechLike(3500),
  silence(400),
  tone(1000, 400),
  silence(3000),
);
// The beep ends at 300 + 3500 + 400 + 400 = 4,600 ms: frame 230.
const BEEP_END_FRAME = 230;

describe('attachAmd', () => {
  it('hangup: a machine is noted, stored as machine and hung up during its greeting', async () => {
    const call = new FakeCall();
    const { amd } = start(call, { machineAction: 'hangup' });
    await new Promise((r) => setImmediate(r));
    await call.feed(MACHINE);
    await amd.done;
    expect(call.notes.find((n) => n.type === 'amd')?.data).toMatchObject({ result: 'machine' });
    expect(call.notes.find((n) => n.type === 'amd_action')?.data).toEqual({ action: 'hangup' });
    expect(call.outcome).toBe('machine');
    expect(call.hangups).toHaveLength(1);
    expect(call.hangups[0]!.by).toBe('amd');
    expect(call.framesPushed).toBeLessThan(BEEP_END_FRAME);
  });

  it('message: the bot is released, the message plays after the beep, then the call ends as machine', async () => {
    const call = new FakeCall();
    const { amd, release } = start(call, {
      machineAction: 'message',
      message: { text: 'Please call us back.', language: 'en' },
    });
    await new Promise((r) => setImmediate(r));
    await call.feed(MACHINE);
    await amd.done;
    expect(release).toHaveBeenCalledOnce();
    expect(call.played).toHaveLength(1);
    expect(call.played[0]!.atFrame).toBeGreaterThanOrEqual(BEEP_END_FRAME);
    expect(call.notes.find((n) => n.type === 'amd_beep')).toBeDefined();
    expect(call.notes.find((n) => n.type === 'amd_action')?.data).toEqual({
      action: 'message',
      after: 'beep',
    });
    expect(call.outcome).toBe('machine');
    expect(call.hangups[0]?.reason).toMatch(/message left/);
  });

  it('message without a beep: left when the greeting ends in silence', async () => {
    const call = new FakeCall();
    const { amd } = start(call, {
      machineAction: 'message',
      message: { text: 'Please call us back.', language: 'en' },
    });
    await new Promise((r) => setImmediate(r));
    await call.feed(concat(silence(300), speechLike(3500), silence(4000)));
    await amd.done;
    expect(call.notes.find((n) => n.type === 'amd_action')?.data).toEqual({
      action: 'message',
      after: 'silence',
    });
    expect(call.played[0]!.atFrame).toBeGreaterThanOrEqual((3800 + 1200) / 20);
  });

  it('continue: a machine is noted and the call goes on', async () => {
    const call = new FakeCall();
    const { amd } = start(call, { machineAction: 'continue' });
    await new Promise((r) => setImmediate(r));
    await call.feed(MACHINE);
    await amd.done;
    expect(call.notes.find((n) => n.type === 'amd_action')?.data).toEqual({ action: 'continue' });
    expect(call.hangups).toEqual([]);
    expect(call.outcome).toBeNull();
  });

  it('a person changes nothing', async () => {
    const call = new FakeCall();
    const { amd } = start(call, { machineAction: 'hangup' });
    await new Promise((r) => setImmediate(r));
    await call.feed(concat(silence(400), speechLike(500), silence(3000)));
    amd.close();
    await amd.done;
    expect(call.notes.filter((n) => n.type === 'amd').map((n) => n.data)).toMatchObject([
      { result: 'human' },
    ]);
    expect(call.hangups).toEqual([]);
    expect(call.outcome).toBeNull();
  });
});
