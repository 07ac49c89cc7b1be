/**
 * The load bench's customers: scripted answers to the English appointment sample flow, spoken by
 * voices training never used, and a driver that makes a baresip phone say them when a person would.
 *
 * Voices (test/eval/audio/voices.ts): Festival's kal and ked diphone voices, Debian's espeak-ng CLI
 * with the Klatt variant +klatt4 (test/support/customer-track.ts), and a real human, Allison of
 * Debian's asterisk-core-sounds-en-wav ("Please try your call again later.", "tomorrow").
 *
 * The phone reacts: it starts in silence, and the driver switches its audio source (baresip's
 * `ausrc` command over ctrl_tcp) to an answer's file 0.4–1.5 s (seeded) after the bot's question
 * has played out (the engine's transcript line for that prompt, written when the page's player
 * reports it played; the phone hears it ~30–60 ms later), or some seconds into the question for a
 * customer who talks over it. Every answer file holds the answer then two minutes of silence
 * (aufile hangs the call up at the end of its file). Times are measured at the phone afterwards, from
 * its own recordings of what it sent and heard.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { CallEventStreamItem, CallUtterance } from '../../electron/engine/api/calls.js';
import {
  floatToInt16,
  int16ToFloat,
  resample,
  writeWav,
} from '../../electron/engine/audio/index.js';
import {
  HELD_OUT_VOICES,
  type HeldOutVoice,
  readWav16k,
  soundBounds,
  speakAll,
} from '../../test/eval/audio/voices.js';
import { CUSTOMER_VOICE } from '../../test/support/customer-track.js';
import type { Phone } from '../../test/telephony/index.js';

export const FLOW_ID = 'appointment-confirm-en';
const ALLISON = '/usr/share/asterisk/sounds/en_US_f_Allison';
/** Silence after each answer in its file, seconds (longer than any call). */
const PAD_S = 150;

interface Clip {
  /** The phone's audio source file: 8 kHz mono, the answer then silence. */
  path: string;
  /** The answer's sound, ms. */
  durationMs: number;
  text: string;
  voice: string;
}

/** One answer a script gives: to the question of `node`, after it (or `bargeAtMs` into it). */
interface Answer {
  node: string;
  clip: Clip;
  bargeAtMs?: number;
}

export interface Script {
  name: string;
  /** The disposition the call must end with when every answer was understood. */
  expected: string;
  answers: Answer[];
  /** Said to "Just to check: …, is that right?". */
  yes: Clip;
  voice: string;
}

/** Writes `samples` (16 kHz) as the phone's source: 8 kHz, trimmed to its sound, then silence. */
async function clipFile(
  dir: string,
  name: string,
  samples: Int16Array,
  text: string,
  voice: string,
): Promise<Clip> {
  const bounds = soundBounds(samples);
  if (!bounds) throw new Error(`load bench: the clip "${text}" (${voice}) is silent`);
  const sound = samples.subarray(bounds.start, bounds.end);
  const narrow = floatToInt16(resample(int16ToFloat(sound), 16_000, 8_000));
  const out = new Int16Array(narrow.length + PAD_S * 8_000);
  out.set(narrow);
  const path = join(dir, `${name}.wav`);
  await writeWav(path, { sampleRate: 8_000, channels: [out] });
  return { path, durationMs: Math.round(sound.length / 16), text, voice };
}

const ESPEAK_KLATT: HeldOutVoice = {
  id: 'espeakng-cli-en-klatt4',
  language: 'en',
  label: 'Debian espeak-ng 1.51 CLI en-us+klatt4',
  engine: 'espeak-ng-cli',
  voice: CUSTOMER_VOICE.voice,
  rate: CUSTOMER_VOICE.wordsPerMinute,
  unseenSpeaker: true,
};

/** What each synthetic customer says (by script). */
const TEXTS = {
  confirm: "yes, I'll be there",
  stop: 'please stop calling me, take me off your list',
  busy: "I'm busy right now, can you call me later",
  time: 'tomorrow afternoon',
  yes: "yes, that's right",
} as const;

/**
 * The scripts, four kinds times the voices: confirm after the question; call back later (the real
 * human voice) then a time; talk over the question to opt out; talk over it to say busy, then a time.
 */
export async function makeScripts(dir: string): Promise<Script[]> {
  mkdirSync(dir, { recursive: true });
  const voices = [
    HELD_OUT_VOICES.find((v) => v.id === 'festival-kal')!,
    HELD_OUT_VOICES.find((v) => v.id === 'festival-ked')!,
    ESPEAK_KLATT,
  ];
  const said = new Map<string, Map<string, Clip>>();
  for (const voice of voices) {
    const keys = Object.keys(TEXTS) as Array<keyof typeof TEXTS>;
    const audio = await speakAll(
      voice,
      keys.map((k) => TEXTS[k]),
    );
    const clips = new Map<string, Clip>();
    for (const [i, key] of keys.entries())
      clips.set(key, await clipFile(dir, `${voice.id}-${key}`, audio[i]!, TEXTS[key], voice.id));
    said.set(voice.id, clips);
  }
  const real = async (name: string, text: string): Promise<Clip> => {
    const path = join(ALLISON, `${name}.wav`);
    if (!existsSync(path))
      throw new Error(
        `load bench: ${path} is missing (Debian package asterisk-core-sounds-en-wav)`,
      );
    return clipFile(
      dir,
      `allison-${name.replace('/', '-')}`,
      await readWav16k(path),
      text,
      'allison',
    );
  };
  const later = await real('please-try-call-later', 'Please try your call again later.');
  const tomorrow = await real('digits/tomorrow', 'tomorrow');
  const scripts: Script[] = [];
  for (const voice of voices) {
    const c = said.get(voice.id)!;
    const yes = c.get('yes')!;
    scripts.push(
      {
        name: 'confirm',
        expected: 'confirmed',
        answers: [{ node: 'confirm', clip: c.get('confirm')! }],
        yes,
        voice: voice.id,
      },
      {
        name: 'call later (real voice)',
        expected: 'callback_scheduled',
        answers: [
          { node: 'confirm', clip: later },
          { node: 'ask_callback_time', clip: tomorrow },
        ],
        yes,
        voice: `allison + ${voice.id}`,
      },
      {
        name: 'barge-in: opt out',
        expected: 'opt_out',
        answers: [{ node: 'confirm', clip: c.get('stop')!, bargeAtMs: 2500 }],
        yes,
        voice: voice.id,
      },
      {
        name: 'barge-in: busy, then a time',
        expected: 'callback_scheduled',
        answers: [
          { node: 'confirm', clip: c.get('busy')!, bargeAtMs: 3200 },
          { node: 'ask_callback_time', clip: c.get('time')! },
        ],
        yes,
        voice: voice.id,
      },
    );
  }
  // Call i gets kind i mod 4 in voice i mod 3: any 12 calls in a row hold every pair once.
  const kinds = 4;
  return scripts.map((_, i) => scripts[(i % voices.length) * kinds + (i % kinds)]!);
}

/** What one customer did, in wall-clock ms. */
interface Spoken {
  at: number;
  clip: Clip;
  barge: boolean;
}

/**
 * Drives one phone through one call by `script`: feed it every call.event and call.utterance of
 * its call. `think()` gives each thinking time (ms).
 */
export class Customer {
  readonly spoken: Spoken[] = [];
  private speakingUntil = 0;
  private readonly barged = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private done = false;

  constructor(
    private readonly phone: Phone,
    readonly script: Script,
    private readonly think: () => number,
  ) {}

  onEvent(event: CallEventStreamItem): void {
    if (event.type !== 'bot_prompt') return;
    const node = (event.data as { nodeId?: string | null }).nodeId ?? null;
    const answer = this.script.answers.find((a) => a.node === node && a.bargeAtMs !== undefined);
    if (!answer || this.barged.has(answer.node)) return;
    this.barged.add(answer.node);
    this.later(answer.bargeAtMs!, answer.clip, true);
  }

  onUtterance(line: CallUtterance): void {
    if (line.speaker !== 'bot' || line.cutAtMs !== null) return;
    if (/^Just to check/.test(line.text)) return this.later(this.think(), this.script.yes, false);
    const answer = this.script.answers.find((a) => a.node === line.nodeId);
    if (!answer) return;
    this.later(this.think(), answer.clip, false);
  }

  /** The call ended: nothing more is said. */
  stop(): void {
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(delayMs: number, clip: Clip, barge: boolean): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const now = Date.now();
      if (this.done || now < this.speakingUntil) return;
      this.speakingUntil = now + clip.durationMs;
      this.spoken.push({ at: now, clip, barge });
      this.phone.command('ausrc', `aufile,${clip.path}`).catch(() => undefined);
    }, delayMs);
    this.timers.add(timer);
  }
}
