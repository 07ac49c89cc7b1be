import { describe, expect, it } from 'vitest';
import { CallPlayback, PlaybackLead, PLAYBACK_LEAD_FRAMES, PLAYBACK_MAX_IN_FLIGHT_FRAMES } from './playback.js';

function frames(count: number): Int16Array[] {
  return Array.from({ length: count }, (_, i) => new Int16Array(320).fill(i));
}

function harness() {
  let now = 1000;
  const sent: number[] = [];
  let flushes = 0;
  const playback = new CallPlayback({ send: (seq) => sent.push(seq), flush: () => flushes++ }, () => now);
  return {
    playback,
    sent,
    flushes: () => flushes,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('CallPlayback', () => {
  it('keeps only the lead in flight and completes when the player reports every frame played', async () => {
    const h = harness();
    const done = h.playback.play(frames(30));
    expect(h.sent).toHaveLength(PLAYBACK_LEAD_FRAMES);
    h.playback.onReport({ playedFrames: 3, droppedFrames: 0, underruns: 0 });
    expect(h.sent).toHaveLength(PLAYBACK_LEAD_FRAMES + 3);
    for (let played = 3; played < 30; played += 3) {
      h.advance(60);
      h.playback.onReport({ playedFrames: Math.min(30, played + 3), droppedFrames: 0, underruns: 0 });
    }
    await expect(done).resolves.toEqual({ completed: true, playedFrames: 30 });
    expect(h.sent).toEqual([...Array(30).keys()]);
  });

  it('extrapolates between late reports, but never holds more than the cap in flight', () => {
    const h = harness();
    void h.playback.play(frames(100));
    h.playback.onReport({ playedFrames: 0, droppedFrames: 0, underruns: 0 });
    h.advance(100); // five frames' worth of playing with no report
    h.playback.tick();
    expect(h.sent.length).toBe(PLAYBACK_LEAD_FRAMES + 5);
    h.advance(5000); // reports stopped altogether
    h.playback.tick();
    expect(h.playback.inFlight).toBe(PLAYBACK_MAX_IN_FLIGHT_FRAMES);
  });

  it('grows its lead after a dry spell mid-prompt', () => {
    const h = harness();
    void h.playback.play(frames(100));
    const before = h.playback.lead;
    h.playback.onReport({ playedFrames: 2, droppedFrames: 0, underruns: 1 });
    expect(h.playback.lead).toBe(before + 2);
    expect(h.playback.lateUnderruns).toBe(1);
  });

  it('stop() flushes the player and resolves what was playing as not completed', async () => {
    const h = harness();
    const first = h.playback.play(frames(50));
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

  it('shares its lead with the other calls of the media host: one late delivery raises it for all', () => {
    const lead = new PlaybackLead();
    const a = new CallPlayback({ send: () => {}, flush: () => {} }, () => 1000, lead);
    const b = new CallPlayback({ send: () => {}, flush: () => {} }, () => 1000, lead);
    void a.play(frames(50));
    void b.play(frames(50));
    a.onReport({ playedFrames: 2, droppedFrames: 0, underruns: 1 });
    expect(b.lead).toBe(PLAYBACK_LEAD_FRAMES + 2);
    // The same dry spell seen by another call in the same round does not count twice.
    b.onReport({ playedFrames: 2, droppedFrames: 0, underruns: 1 });
    expect(a.lead).toBe(PLAYBACK_LEAD_FRAMES + 2);
  });
});
