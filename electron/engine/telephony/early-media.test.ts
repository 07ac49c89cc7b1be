/**
 * EarlyMediaWatcher over a stand-in call: the early audio reaches the listener through the call's
 * onAudio (the same PCM path as an answered call's), a recognized announcement ends the call with
 * what was heard, and the answer, the end of the call or the listening cap stop it. The models'
 * accuracy is the bench's (bench/early-media.bench.ts).
 */
import { describe, expect, it } from 'vitest';

import { silentLogger } from '../log.js';
import type {
  AnnouncementSpot,
  EarlyMediaStepResult,
} from '../speech/recognizers/phrase/line-status.js';
import type { CallEnd } from './call-session.js';
import { EarlyMediaWatcher, type WatchedCall } from './early-media.js';
import type { CaptureFrame } from './media-host-client.js';

function fakeCall() {
  const listeners = new Set<(frame: CaptureFrame) => void>();
  let answer!: (answered: boolean) => void;
  const answered = new Promise<boolean>((resolve) => (answer = resolve));
  const ended: Parameters<WatchedCall['endForLineStatus']>[0][] = [];
  const call: WatchedCall = {
    callId: 'c1',
    onAudio: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    whenAnswered: () => answered,
    whenEnded: () => new Promise<CallEnd>(() => undefined),
    endForLineStatus: (heard) => ended.push(heard),
  };
  let seq = 0;
  const loud = Int16Array.from({ length: 320 }, (_, i) => Math.round(4000 * Math.sin(i / 3)));
  return {
    call,
    ended,
    answer,
    listeners,
    /** Sends `ms` of audio, 20 ms a frame, letting evaluations run between frames. */
    async send(ms: number): Promise<void> {
      for (let t = 0; t < ms; t += 20) {
        for (const l of listeners)
          l({
            channel: 1,
            seq: seq++,
            timestampMs: Date.now(),
            left: loud,
            right: new Int16Array(320),
          });
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

const powerOff: AnnouncementSpot = {
  language: 'zh-CN',
  status: 'powered_off',
  phrase: '您拨打的电话已关机',
  p: 0.97,
  garbage: 0.01,
  frames: 28,
  accepted: true,
};

/** A step's result with `spots` (the stream comes back as sent). */
const result =
  (spots: AnnouncementSpot[]) =>
  (_callId: string, step: { stream: EarlyMediaStepResult['stream'] }) =>
    Promise.resolve({ spots, stream: step.stream });

describe('EarlyMediaWatcher', () => {
  it('warms the worker of the call when it starts ringing, ends the call with the announcement heard in its early audio, and stops listening', async () => {
    const samples: number[] = [];
    const warmed: string[] = [];
    const watcher = new EarlyMediaWatcher({
      log: silentLogger,
      spot: (callId, step) => {
        samples.push(step.samples.length);
        return result([powerOff])(callId, step);
      },
      warm: (callId) => {
        warmed.push(callId);
        return Promise.resolve();
      },
    });
    const f = fakeCall();
    await watcher.watch(f.call);
    expect(warmed).toEqual(['c1']);
    expect(watcher.activeCount).toBe(1);
    await f.send(3000);
    expect(f.ended).toEqual([
      {
        status: 'powered_off',
        language: 'zh-CN',
        phrase: '您拨打的电话已关机',
        confidence: 0.97,
        heardMs: 1520,
      },
    ]);
    // The first step embeds the first 1.2 s, the next only the 320 ms heard since.
    expect(samples).toEqual([1200 * 16, 320 * 16]);
    expect(f.listeners.size).toBe(0);
    expect(watcher.activeCount).toBe(0);
  });

  it('stops at the answer, and after the listening cap', async () => {
    const watcher = new EarlyMediaWatcher({
      log: silentLogger,
      spot: result([]),
      maxListenMs: 2000,
    });
    const a = fakeCall();
    await watcher.watch(a.call);
    a.answer(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.listeners.size).toBe(0);

    const b = fakeCall();
    await watcher.watch(b.call);
    await b.send(2100);
    expect(b.listeners.size).toBe(0);
    expect(b.ended).toEqual([]);
  });

  it('does not listen when switched off, and a failing evaluation leaves the call ringing', async () => {
    const off = new EarlyMediaWatcher({
      log: silentLogger,
      spot: result([powerOff]),
      enabled: () => Promise.resolve(false),
    });
    const a = fakeCall();
    await off.watch(a.call);
    expect(a.listeners.size).toBe(0);

    const failing = new EarlyMediaWatcher({
      log: silentLogger,
      spot: () => Promise.reject(new Error('the speech worker stopped')),
      warm: () => Promise.reject(new Error('no embedding models')),
    });
    const b = fakeCall();
    await failing.watch(b.call);
    await b.send(2000);
    expect(b.ended).toEqual([]);
    expect(failing.failures).toBeGreaterThan(0);
    expect(b.listeners.size).toBe(1);
  });
});
