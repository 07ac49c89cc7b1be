import { describe, expect, it } from 'vitest';

import { Endpointer, type EndpointerOptions, type EndpointEvent } from './endpointer.js';

const W = 32;

/** Feeds probabilities as consecutive 32 ms windows from `fromMs`; returns all events. */
function feed(ep: Endpointer, probabilities: number[], fromMs = ep.timeMs): EndpointEvent[] {
  const events: EndpointEvent[] = [];
  probabilities.forEach((probability, i) => {
    const startMs = fromMs + i * W;
    events.push(...ep.push({ probability, startMs, endMs: startMs + W }));
  });
  return events;
}
const repeat = (p: number, n: number): number[] => Array.from({ length: n }, () => p);
const opts: Partial<EndpointerOptions> = {
  minSpeechMs: 96,
  hangoverMs: 320,
  maxUtteranceMs: 2000,
  noInputTimeoutMs: 1000,
};

describe('Endpointer', () => {
  it('starts after minSpeechMs of speech, at the first speech window', () => {
    const ep = new Endpointer(opts);
    expect(feed(ep, repeat(0.1, 10))).toEqual([]);
    const events = feed(ep, repeat(0.9, 3));
    expect(events).toEqual([{ type: 'speech_start', atMs: 320 }]);
    expect(ep.state).toBe('speech');
  });

  it('ends after hangoverMs of silence, at the start of the silence', () => {
    const ep = new Endpointer(opts);
    feed(ep, [...repeat(0, 5), ...repeat(0.9, 20)]); // speech 160..800
    expect(feed(ep, repeat(0.05, 9))).toEqual([]); // 288 ms of silence: not yet
    expect(feed(ep, [0.05])).toEqual([
      { type: 'speech_end', startMs: 160, endMs: 800, reason: 'silence' },
    ]);
    expect(ep.state).toBe('idle');
  });

  it('keeps the utterance through a pause shorter than the hangover, and values between the thresholds neither start nor reset silence', () => {
    const ep = new Endpointer(opts);
    const events = feed(ep, [
      ...repeat(0.9, 10),
      ...repeat(0.1, 8),
      ...repeat(0.9, 10),
      ...repeat(0.1, 5),
      ...repeat(0.4, 5),
      ...repeat(0.1, 2),
    ]);
    expect(events).toEqual([
      { type: 'speech_start', atMs: 0 },
      { type: 'speech_end', startMs: 0, endMs: 28 * W, reason: 'silence' },
    ]);
  });

  it('with pauseMs, reports each pause inside an utterance once, with the end it would have', () => {
    const ep = new Endpointer({ ...opts, pauseMs: 128 });
    // speech 0..320, a 160 ms gap (a pause, then speech again), speech to 800, then silence.
    const events = feed(ep, [
      ...repeat(0.9, 10),
      ...repeat(0.1, 5),
      ...repeat(0.9, 10),
      ...repeat(0.1, 12),
    ]);
    expect(events).toEqual([
      { type: 'speech_start', atMs: 0 },
      { type: 'speech_pause', startMs: 0, endMs: 10 * W },
      { type: 'speech_pause', startMs: 0, endMs: 25 * W },
      { type: 'speech_end', startMs: 0, endMs: 25 * W, reason: 'silence' },
    ]);
  });

  it('ignores a blip shorter than minSpeechMs', () => {
    const ep = new Endpointer(opts);
    expect(feed(ep, [0, 0.9, 0.95, 0.2, 0, 0.8, 0.1, ...repeat(0, 20)])).toEqual([]);
    expect(ep.state).toBe('idle');
  });

  it('cuts an utterance at maxUtteranceMs and needs minSpeechMs again for the next one', () => {
    const ep = new Endpointer(opts);
    const events = feed(ep, repeat(0.9, 70)); // 2240 ms of speech
    expect(events[0]).toEqual({ type: 'speech_start', atMs: 0 });
    expect(events[1]).toEqual({
      type: 'speech_end',
      startMs: 0,
      endMs: 2016,
      reason: 'max_length',
    });
    expect(events[2]).toEqual({ type: 'speech_start', atMs: 2016 });
    expect(events).toHaveLength(3);
  });

  it('reports no_input when nothing starts within noInputTimeoutMs of expectInput()', () => {
    const ep = new Endpointer(opts);
    feed(ep, repeat(0, 10)); // 320 ms
    ep.expectInput();
    const events = feed(ep, repeat(0, 40));
    expect(events).toEqual([{ type: 'no_input', afterMs: 1024 }]);
    expect(feed(ep, repeat(0, 40))).toEqual([]); // once
  });

  it('does not report no_input when speech starts in time, or while a possible start is pending', () => {
    const ep = new Endpointer(opts);
    ep.expectInput(0);
    expect(
      feed(ep, [...repeat(0, 20), ...repeat(0.9, 5), ...repeat(0, 40)]).map((e) => e.type),
    ).toEqual(['speech_start', 'speech_end']);
    const ep2 = new Endpointer(opts);
    ep2.expectInput(0);
    // speech begins at 992 ms and qualifies at 1088: the deadline (1000) passes during the candidate.
    expect(feed(ep2, [...repeat(0, 31), ...repeat(0.9, 3)]).map((e) => e.type)).toEqual([
      'speech_start',
    ]);
  });

  it('cancelExpectInput disarms; expectInput during speech arms nothing', () => {
    const ep = new Endpointer(opts);
    ep.expectInput(0);
    ep.cancelExpectInput();
    expect(feed(ep, repeat(0, 50))).toEqual([]);
    feed(ep, repeat(0.9, 5));
    ep.expectInput();
    expect(feed(ep, repeat(0, 60)).map((e) => e.type)).toEqual(['speech_end']);
  });

  it('validates options', () => {
    expect(() => new Endpointer({ activation: 0.3, deactivation: 0.5 })).toThrow(RangeError);
    expect(() => new Endpointer({ hangoverMs: -1 })).toThrow(RangeError);
  });

  it('endUtterance() ends the turn early at the start of the silence; never while speaking', () => {
    const ep = new Endpointer({ ...opts, hangoverMs: 1000 });
    feed(ep, [...repeat(0, 5), ...repeat(0.9, 20)]); // speech 160..800
    expect(ep.silenceStartMs).toBeUndefined();
    expect(ep.endUtterance()).toEqual([]); // still speaking: nothing ends
    expect(feed(ep, repeat(0.05, 8))).toEqual([]); // 256 ms of silence, hangover 1000
    expect(ep.silenceStartMs).toBe(800);
    expect(ep.endUtterance()).toEqual([
      { type: 'speech_end', startMs: 160, endMs: 800, reason: 'decided' },
    ]);
    expect(ep.state).toBe('idle');
    expect(ep.silenceStartMs).toBeUndefined();
    // Speech after the early end is a new utterance.
    expect(feed(ep, repeat(0.9, 3))).toEqual([{ type: 'speech_start', atMs: 1056 }]);
  });

  it('reports each pause inside an utterance, so a listener can decide at every one', () => {
    const ep = new Endpointer({ ...opts, hangoverMs: 1000, pauseMs: 128 });
    feed(ep, repeat(0.9, 10)); // speech 0..320
    const first = feed(ep, repeat(0.05, 5)); // 160 ms pause
    feed(ep, repeat(0.9, 5)); // speech again 480..640
    const second = feed(ep, repeat(0.05, 5));
    expect([...first, ...second]).toEqual([
      { type: 'speech_pause', startMs: 0, endMs: 320 },
      { type: 'speech_pause', startMs: 0, endMs: 640 },
    ]);
  });
});
