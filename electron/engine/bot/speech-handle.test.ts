/**
 * SpeechHandle on a fake player (one frame per 20 ms tick of a fake clock): plays parts in order,
 * pause keeps the cut and resume plays on from it less RESUME_BACKOFF_MS, interrupt is final,
 * a prompt that may not be interrupted ignores pause and interrupt (not a forced one), a part
 * that fails to render ends the prompt after what was queued.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { PlaybackResult } from '../telephony/playback.js';
import { RESUME_BACKOFF_MS, SpeechHandle, type SpeechPlayer } from './speech-handle.js';

/** A player that plays one frame per 20 ms; `played` holds each frame's first sample. */
function fakePlayer() {
  const played: number[] = [];
  let queue: Array<{ frames: Int16Array[]; next: number; resolve(r: PlaybackResult): void }> = [];
  const timer = setInterval(() => {
    const head = queue[0];
    if (!head) return;
    played.push(head.frames[head.next++]?.[0] ?? -1);
    if (head.next >= head.frames.length) {
      queue.shift();
      head.resolve({ completed: true, playedFrames: head.frames.length });
    }
  }, 20);
  const player: SpeechPlayer & { close(): void } = {
    isUp: true,
    play: (frames) => new Promise((resolve) => queue.push({ frames, next: 0, resolve })),
    stopPlayback: () => {
      const stopped = queue;
      queue = [];
      for (const item of stopped) item.resolve({ completed: false, playedFrames: item.next });
    },
    close: () => clearInterval(timer),
  };
  return { player, played };
}

/** n frames numbered from `from`. */
const frames = (n: number, from = 0): Int16Array[] =>
  Array.from({ length: n }, (_, i) => new Int16Array(320).fill(from + i));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SpeechHandle', () => {
  it('plays its parts in order and reports done', async () => {
    const { player, played } = fakePlayer();
    const handle = new SpeechHandle(
      player,
      [Promise.resolve(frames(5)), Promise.resolve(frames(5, 5))],
      { allowInterruptions: true },
    );
    expect(handle.state).toBe('playing');
    await vi.advanceTimersByTimeAsync(400);
    const result = await handle.waitForPlayout();
    expect(result).toMatchObject({ completed: true, positionMs: 200, stoppedAt: null, resumes: 0 });
    expect(handle.state).toBe('done');
    expect(played).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    player.close();
  });

  it('pause keeps the cut; resume plays on from RESUME_BACKOFF_MS before it', async () => {
    const { player, played } = fakePlayer();
    const resumed: Array<[number, number]> = [];
    const handle = new SpeechHandle(
      player,
      [Promise.resolve(frames(20)), Promise.resolve(frames(20, 20))],
      { allowInterruptions: true, onResume: (cut, from) => resumed.push([cut, from]) },
    );
    await vi.advanceTimersByTimeAsync(25 * 20); // into the second part
    expect(handle.pause()).toBe(true);
    expect(handle.state).toBe('paused');
    await vi.advanceTimersByTimeAsync(300); // nothing plays while paused
    expect(played).toHaveLength(25);
    expect(handle.resume()).toBe(true);
    await vi.advanceTimersByTimeAsync(40 * 20);
    const result = await handle.waitForPlayout();
    expect(result).toMatchObject({ completed: true, resumes: 1 });
    const back = RESUME_BACKOFF_MS / 20;
    expect(resumed).toEqual([[25 * 20, (25 - back) * 20]]);
    expect(played).toEqual([
      ...Array.from({ length: 25 }, (_, i) => i),
      ...Array.from({ length: 40 - (25 - back) }, (_, i) => 25 - back + i),
    ]);
    player.close();
  });

  it('interrupt is final, and a paused prompt interrupted stopped when it was paused', async () => {
    const { player, played } = fakePlayer();
    const handle = new SpeechHandle(player, [Promise.resolve(frames(30))], {
      allowInterruptions: true,
    });
    await vi.advanceTimersByTimeAsync(200);
    handle.pause();
    const pausedAt = Date.now();
    await vi.advanceTimersByTimeAsync(300);
    expect(handle.interrupt()).toBe(true);
    expect(handle.resume()).toBe(false);
    const result = await handle.waitForPlayout();
    expect(result).toMatchObject({ completed: false, positionMs: 200, stoppedAt: pausedAt });
    expect(handle.state).toBe('interrupted');
    await vi.advanceTimersByTimeAsync(300);
    expect(played).toHaveLength(10);
    player.close();
  });

  it('a prompt that may not be interrupted ignores pause and interrupt, not a forced stop', async () => {
    const { player, played } = fakePlayer();
    const handle = new SpeechHandle(player, [Promise.resolve(frames(30))], {
      allowInterruptions: false,
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(handle.pause()).toBe(false);
    expect(handle.interrupt()).toBe(false);
    expect(handle.state).toBe('playing');
    await vi.advanceTimersByTimeAsync(100);
    expect(handle.interrupt({ force: true })).toBe(true);
    const result = await handle.waitForPlayout();
    expect(result.completed).toBe(false);
    expect(played).toHaveLength(10);
    player.close();
  });

  it('paused before its first frame (the customer was already talking), it starts from the top on resume', async () => {
    const { player, played } = fakePlayer();
    const handle = new SpeechHandle(player, [Promise.resolve(frames(5))], {
      allowInterruptions: true,
    });
    handle.pause();
    await vi.advanceTimersByTimeAsync(200);
    expect(played).toEqual([]);
    handle.resume();
    await vi.advanceTimersByTimeAsync(200);
    expect((await handle.waitForPlayout()).completed).toBe(true);
    expect(played).toEqual([0, 1, 2, 3, 4]);
    player.close();
  });

  it('a part that fails to render ends the prompt after what was queued, with the error', async () => {
    const { player, played } = fakePlayer();
    const failure = new Error('synthesis failed');
    const handle = new SpeechHandle(player, [Promise.resolve(frames(5)), Promise.reject(failure)], {
      allowInterruptions: true,
    });
    await vi.advanceTimersByTimeAsync(200);
    const result = await handle.waitForPlayout();
    expect(result).toMatchObject({ completed: false, error: failure });
    expect(played).toEqual([0, 1, 2, 3, 4]);
    player.close();
  });

  it('the call flushing the player (a takeover, a hang-up) ends it as interrupted', async () => {
    const { player } = fakePlayer();
    const handle = new SpeechHandle(player, [Promise.resolve(frames(30))], {
      allowInterruptions: false,
    });
    await vi.advanceTimersByTimeAsync(100);
    player.stopPlayback();
    const result = await handle.waitForPlayout();
    expect(result).toMatchObject({ completed: false, positionMs: 100 });
    expect(handle.state).toBe('interrupted');
    player.close();
  });
});
