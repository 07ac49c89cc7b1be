import { describe, expect, it, vi } from 'vitest';

import {
  CallPlayback,
  PLAYBACK_LEAD_FRAMES,
  PLAYBACK_MAX_IN_FLIGHT_FRAMES,
  PlaybackClock,
} from './playback.js';

function frames(count: number): Int16Array[] {
  return Array.from({ length: count }, (_, i) => new Int16Array(320).fill(i));
}

function harness() {
  let now = 1000;
  const sent: number[] = [];
  let flushes = 0;
  const playback = new CallPlayback(
    { send: (seq) => sent.push(seq), flush: () => flushes++ },
    () => now,
  );
  return {
    playback,
    sent,
    flushes: () => flushes,
    advance(ms: number) {
      now += ms;
    },
    /** Send rounds with no time passing, until the lead (or the cap) is reached. */
    fill() {
      for (let before = -1; before !== sent.length;) {
        before = sent.length;
        playback.tick();
      }
    },
  };
}

describe('CallPlayback', () => {
  it('keeps only the lead in flight and completes when the player reports every frame played', async () => {
    const h = harness();
    const done = h.playback.play(frames(PLAYBACK_LEAD_FRAMES + 30));
    // The first round is the whole lead (a prompt's start rides out a stall), no more.
    expect(h.sent).toHaveLength(PLAYBACK_LEAD_FRAMES);
    h.fill();
    expect(h.sent).toHaveLength(PLAYBACK_LEAD_FRAMES);
    h.playback.onReport({ playedFrames: 3, droppedFrames: 0, underruns: 0 });
    expect(h.sent).toHaveLength(PLAYBACK_LEAD_FRAMES + 3);
    const total = PLAYBACK_LEAD_FRAMES + 30;
    for (let played = 3; played < total; played += 3) {
      h.advance(60);
      h.playback.onReport({
        playedFrames: Math.min(total, played + 3),
        droppedFrames: 0,
        underruns: 0,
      });
    }
    await expect(done).resolves.toEqual({ completed: true, playedFrames: total });
    expect(h.sent).toEqual([...Array(total).keys()]);
  });

  it('extrapolates between late reports, but never holds more than the cap in flight', () => {
    const h = harness();
    void h.playback.play(frames(1000));
    h.playback.onReport({ playedFrames: 0, droppedFrames: 0, underruns: 0 });
    h.fill();
    h.advance(100); // five frames' worth of playing with no report
    h.playback.tick();
    expect(h.sent.length).toBe(PLAYBACK_LEAD_FRAMES + 5);
    h.advance(5000); // reports stopped altogether
    h.fill();
    expect(h.playback.inFlight).toBe(PLAYBACK_MAX_IN_FLIGHT_FRAMES);
  });

  it('counts a dry spell mid-prompt as late', () => {
    const h = harness();
    void h.playback.play(frames(200));
    h.playback.onReport({ playedFrames: 2, droppedFrames: 0, underruns: 1 });
    expect(h.playback.lateUnderruns).toBe(1);
  });

  it('does not count running dry after the last frame of a prompt as late', async () => {
    const h = harness();
    const done = h.playback.play(frames(5));
    h.playback.onReport({ playedFrames: 5, droppedFrames: 0, underruns: 1 });
    await expect(done).resolves.toEqual({ completed: true, playedFrames: 5 });
    expect(h.playback.lateUnderruns).toBe(0);
  });

  it('extrapolates from when the page read its counts, not from when the report arrived', () => {
    const h = harness();
    void h.playback.play(frames(1000));
    h.fill();
    expect(h.sent).toHaveLength(PLAYBACK_LEAD_FRAMES);
    // Read 200 ms ago (10 frames), arriving only now: the player has played 10 more since.
    h.playback.onReport({ playedFrames: 5, droppedFrames: 0, underruns: 0 }, 200);
    expect(h.sent).toHaveLength(PLAYBACK_LEAD_FRAMES + 5 + 10);
    // The same report taken as fresh would have held those 10 frames back.
    const fresh = harness();
    void fresh.playback.play(frames(1000));
    fresh.fill();
    fresh.playback.onReport({ playedFrames: 5, droppedFrames: 0, underruns: 0 });
    expect(fresh.sent).toHaveLength(PLAYBACK_LEAD_FRAMES + 5);
  });

  it('stop() flushes the player and resolves what was playing as not completed', async () => {
    const h = harness();
    const first = h.playback.play(frames(PLAYBACK_LEAD_FRAMES + 50));
    const second = h.playback.play(frames(10));
    h.playback.onReport({ playedFrames: 4, droppedFrames: 0, underruns: 0 });
    h.playback.stop();
    expect(h.flushes()).toBe(1);
    await expect(first).resolves.toMatchObject({ completed: false });
    await expect(second).resolves.toMatchObject({ completed: false, playedFrames: 0 });
    expect(h.playback.inFlight).toBe(0);
    // The next prompt starts with a fresh lead right away.
    const sentBefore = h.sent.length;
    void h.playback.play(frames(5));
    expect(h.sent.length - sentBefore).toBe(5);
  });

  it('ticks every playing call of a media host from one shared clock, and stops when none plays', async () => {
    vi.useFakeTimers();
    try {
      let now = 1000;
      const clock = new PlaybackClock();
      const sent = { a: 0, b: 0 };
      const a = new CallPlayback({ send: () => sent.a++, flush: () => {} }, () => now, clock);
      const b = new CallPlayback({ send: () => sent.b++, flush: () => {} }, () => now, clock);
      void a.play(frames(1000));
      void b.play(frames(1000));
      expect(vi.getTimerCount()).toBe(1);
      now += 200;
      vi.advanceTimersByTime(200);
      expect(sent).toEqual({ a: PLAYBACK_LEAD_FRAMES + 10, b: PLAYBACK_LEAD_FRAMES + 10 });
      a.close();
      b.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
