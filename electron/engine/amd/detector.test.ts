/**
 * AMD on fixed signals (tones, silence, speech-like bursts, hiss) and on a few real recordings
 * (Asterisk's English prompts, Allison Smith's voice): the decisions, their reasons, revisions,
 * beeps and the greeting's end. Times asserted are positions in the signal, never wall-clock.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { floatToInt16, readWav, resample, toMono } from '../audio/index.js';
import { BeepDetector } from './beep.js';
import { type AmdDecision, AmdDetector, type AmdEvent } from './detector.js';
import { concat, hiss, mix, silence, speechLike, tone } from './testing/signals.js';

/** Debian's asterisk-core-sounds-en-wav (scripts/system-deps.mjs): Allison Smith's voice, 8 kHz. */
const ASTERISK_PROMPTS = '/usr/share/asterisk/sounds/en_US_f_Allison';

function run(samples: Int16Array, chunk = 320): { events: AmdEvent[]; decisions: AmdDecision[] } {
  const detector = new AmdDetector();
  const events: AmdEvent[] = [];
  for (let i = 0; i < samples.length; i += chunk)
    events.push(...detector.push(samples.subarray(i, i + chunk)));
  const decisions = events.flatMap((e) => (e.type === 'decision' ? [e.decision] : []));
  return { events, decisions };
}

function beeps(samples: Int16Array): Array<{ hz: number; startMs: number; endMs: number }> {
  const detector = new BeepDetector();
  const found: Array<{ hz: number; startMs: number; endMs: number }> = [];
  for (let i = 0; i + 320 <= samples.length; i += 320) {
    const step = detector.push(samples.subarray(i, i + 320));
    if (step.ended)
      found.push({
        hz: step.ended.frequencyHz,
        startMs: step.ended.startMs,
        endMs: step.ended.endMs,
      });
  }
  return found;
}

describe('BeepDetector', () => {
  it('finds a voicemail beep anywhere from 400 to 2,000 Hz, with its frequency and where it ends', () => {
    for (const hz of [440, 1000, 1400, 1850]) {
      const found = beeps(concat(silence(500), tone(hz, 400), silence(500)));
      expect(found).toHaveLength(1);
      expect(Math.abs(found[0]!.hz - hz)).toBeLessThanOrEqual(10);
      expect(Math.abs(found[0]!.endMs - 900)).toBeLessThanOrEqual(40);
      expect(Math.abs(found[0]!.startMs - 500)).toBeLessThanOrEqual(40);
    }
  });

  it('hears a beep through line hiss at 20 dB below it', () => {
    const signal = concat(silence(300), tone(800, 300, -20), silence(300));
    expect(beeps(mix(signal, hiss(900, -40)))).toHaveLength(1);
  });

  it('ignores tones outside the band, too short, DTMF, speech and hiss', () => {
    expect(beeps(concat(tone(300, 500), silence(200)))).toEqual([]);
    expect(beeps(concat(tone(2600, 500), silence(200)))).toEqual([]);
    expect(beeps(concat(tone(1000, 60), silence(200)))).toEqual([]);
    expect(beeps(concat(tone(697, 500, -18, 1209), silence(200)))).toEqual([]);
    expect(beeps(speechLike(3000))).toEqual([]);
    expect(beeps(hiss(2000, -30))).toEqual([]);
  });

  it('refuses a frame of the wrong size', () => {
    expect(() => new BeepDetector().push(new Int16Array(100))).toThrow(/320 samples/);
  });
});

describe('AmdDetector on synthetic signals', () => {
  it('a short greeting and then silence is a person, decided in the silence after it', () => {
    const { decisions } = run(concat(silence(400), speechLike(500), silence(4000)));
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      result: 'human',
      reason: 'short_greeting',
      revised: false,
    });
    expect(decisions[0]!.atMs).toBeGreaterThanOrEqual(900);
    expect(decisions[0]!.initialSilenceMs).toBeGreaterThanOrEqual(360);
    expect(decisions[0]!.initialSilenceMs).toBeLessThanOrEqual(440);
  });

  it('a long greeting is a machine, decided while it still talks', () => {
    const { decisions, events } = run(concat(silence(300), speechLike(4000), silence(3000)));
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.result).toBe('machine');
    expect(['long_greeting', 'many_words']).toContain(decisions[0]!.reason);
    expect(decisions[0]!.atMs).toBeLessThan(4300);
    // No beep: the end of the greeting is told by its silence.
    const end = events.find((e) => e.type === 'greeting_end');
    expect(end).toBeDefined();
    expect(end?.type === 'greeting_end' && end.atMs).toBeGreaterThanOrEqual(4300);
  });

  it('a first sentence, a pause, and more talking: human first, then revised to machine', () => {
    const { decisions } = run(
      concat(
        silence(300),
        speechLike(600, -20, 3),
        silence(600),
        speechLike(3000, -20, 4),
        silence(2000),
      ),
    );
    expect(decisions.map((d) => d.result)).toEqual(['human', 'machine']);
    expect(decisions[1]).toMatchObject({ revised: true, reason: 'long_greeting' });
  });

  it('a greeting that ends in a beep is a machine, and the beep end is reported', () => {
    const { decisions, events } = run(
      concat(silence(300), speechLike(900), silence(300), tone(1000, 400), silence(2000)),
    );
    expect(decisions.at(-1)!.result).toBe('machine');
    const end = events.find((e) => e.type === 'beep' && e.phase === 'end');
    expect(end?.type === 'beep' && Math.abs(end.beep.endMs - 1900)).toBeLessThanOrEqual(40);
  });

  it('nothing said is unknown after the initial silence; hiss is not speech', () => {
    expect(run(silence(5000)).decisions).toMatchObject([
      { result: 'unknown', reason: 'initial_silence' },
    ]);
    expect(run(hiss(5000, -45)).decisions).toMatchObject([
      { result: 'unknown', reason: 'initial_silence' },
    ]);
  });

  it('a person on a hissing line is still a person', () => {
    const signal = concat(silence(500), speechLike(600, -18), silence(3000));
    const { decisions } = run(mix(signal, hiss(signal.length / 16, -45, 9)));
    expect(decisions[0]).toMatchObject({ result: 'human' });
  });

  it('gives the same decisions whatever size the chunks come in', () => {
    const signal = concat(
      silence(300),
      speechLike(700),
      silence(500),
      speechLike(2500),
      silence(1000),
    );
    const a = run(signal, 320).events;
    expect(run(signal, 97).events).toEqual(a);
    expect(run(signal, 1000).events).toEqual(a);
  });
});

async function asterisk(...names: string[]): Promise<Int16Array> {
  const parts: Int16Array[] = [];
  for (const name of names) {
    if (name.startsWith('sil:')) {
      parts.push(silence(Number(name.slice(4))));
      continue;
    }
    const wav = await readWav(join(ASTERISK_PROMPTS, `${name}.wav`));
    parts.push(floatToInt16(resample(toMono(wav.samples), wav.sampleRate, 16_000)));
  }
  return concat(...parts);
}

const havePrompts = await access(ASTERISK_PROMPTS).then(
  () => true,
  () => false,
);

describe.skipIf(!havePrompts)(
  'AmdDetector on real recordings (asterisk-core-sounds-en-wav)',
  () => {
    it('"Hello" and silence is a person', async () => {
      const { decisions } = run(await asterisk('sil:600', 'hello', 'sil:3000'));
      expect(decisions.at(-1)?.result).toBe('human');
    });

    it("Asterisk's own voicemail greeting and its beep is a machine, and the beep is heard", async () => {
      const { decisions, events } = run(
        await asterisk('sil:400', 'vm-nobodyavail', 'vm-intro', 'sil:300', 'beep', 'sil:2000'),
      );
      expect(decisions.at(-1)?.result).toBe('machine');
      expect(events.some((e) => e.type === 'beep' && e.phase === 'end')).toBe(true);
    });
  },
);
