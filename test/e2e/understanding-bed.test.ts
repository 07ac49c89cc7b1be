/**
 * Understanding over the SIP bed (issue 12): a baresip phone plays a customer spoken by a voice the
 * phrase trainer never uses (Debian's espeak-ng CLI, Klatt variant: test/support/customer-track.ts)
 * against a delivery flow written as a new user would, with common answers (`use`) and a few
 * examples of its own:
 * - the customer hedges and negates with a pause ("well… no, I won't be home tomorrow"): the
 *   answer is heard whole (no cut-off in the pause), is never taken as "home", and the call ends
 *   rescheduled. An answer that much longer than the question's examples is only ever confirmed
 *   (the recognizer's length evidence), so the customer's track also says yes to a confirmation;
 * - an answer between the accept and reject thresholds is confirmed first ("Just to check: …, is
 *   that right?"), the customer says yes, and the call goes where the answer leads;
 * - a cough during the prompt pauses it, is found to be no answer, and the prompt resumes.
 */
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CallUtterance } from '../../electron/engine/api/calls.js';
import { chunkFrames, floatToInt16, int16ToFloat } from '../../electron/engine/audio/index.js';
import type { BotOutcome } from '../../electron/engine/bot/index.js';
import { type DialogEvent, validateFlow } from '../../electron/engine/dialog/index.js';
import {
  normalizeLevel,
  offset,
  SpeechEmbedder,
  telephone,
} from '../../electron/engine/speech/recognizers/index.js';
import { AskRecognizer } from '../../electron/engine/speech/recognizers/phrase/library.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { cough, customerTrack, speak, speakWithPauses } from '../support/customer-track.js';
import { type Bed, startBed } from '../telephony/index.js';

const QUESTION =
  'Hello, this is Parcel Express calling about your delivery tomorrow morning. Will someone be home to receive it?';

/** A flow as a new user writes it: common answers plus a few examples of its own. */
const DELIVERY = {
  id: 'delivery-check-en',
  name: 'Delivery check',
  language: 'en',
  start: 'ask_home',
  nodes: {
    ask_home: {
      kind: 'ask',
      prompt: QUESTION,
      intents: [
        {
          name: 'home',
          use: 'affirm',
          examples: ['someone will be there', "yes I'll be home"],
          confirmPrompt: 'someone will be home',
          next: 'confirmed',
        },
        {
          name: 'not_home',
          use: 'deny',
          examples: ["I won't be home", 'nobody will be home'],
          confirmPrompt: "you won't be home",
          next: 'rescheduled',
        },
      ],
      noInput: { maxAttempts: 1, next: 'no_answer' },
      noMatch: { maxAttempts: 2, next: 'unclear' },
    },
    confirmed: { kind: 'hangup', say: 'Thank you. Goodbye.', disposition: 'delivery_confirmed' },
    rescheduled: {
      kind: 'hangup',
      say: 'No problem, we will call you to find another day. Goodbye.',
      disposition: 'delivery_rescheduled',
    },
    no_answer: { kind: 'hangup', say: 'Goodbye.', disposition: 'no_response' },
    unclear: { kind: 'hangup', say: 'Sorry. Goodbye.', disposition: 'unclear' },
  },
};

let bed: Bed;
let calls: CallEngine;
const utterances: CallUtterance[] = [];

beforeAll(async () => {
  bed = await startBed();
  calls = await startCallEngine();
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
  calls.engine.subscribe((message) => {
    if (message.event === 'call.utterance') utterances.push(message.data as CallUtterance);
  });
}, 300_000);

afterAll(async () => {
  await calls?.stop();
  await bed?.stop();
});

/** How long the bot's rendering of a text lasts (same engine, voice and cache as the bot), ms. */
async function sayMs(text: string): Promise<number> {
  return (
    await calls.engine.bot.prompts.render(text, {
      language: 'en',
      voice: 'en-us',
      rate: 1,
      pitch: 50,
    })
  ).durationMs;
}

/** Places a call that runs the delivery flow with `track` as the customer; collects the dialog's events. */
async function deliveryCall(user: string, track: { path: string; durationMs: number }) {
  const prepared = await calls.engine.bot.prepare({ flow: validateFlow(DELIVERY) });
  const phone = await bed.phone({
    user,
    play: track.path,
    answer: 'auto',
    callLengthS: Math.ceil(track.durationMs / 1000) + 5,
  });
  const session = await calls.engine.telephony.dial({ number: user, trunk: 'main' });
  const bot = calls.engine.bot.attach(session, prepared, {});
  const dialog: DialogEvent[] = [];
  bot.on((event) => dialog.push(event));
  const outcome = (await bot.run()) as BotOutcome;
  await session.whenEnded();
  await phone.stop();
  const events = calls.eventsOf(session.callId);
  const lines = utterances.filter((u) => u.callId === session.callId);
  for (const line of lines)
    console.info(
      `[${user}]   ${String(line.startMs).padStart(6)}–${String(line.endMs).padEnd(6)} ${line.speaker.padEnd(8)} ${line.text || '(not understood)'}${line.intent ? ` [${line.intent} ${line.confidence}]` : ''}${line.cutAtMs !== null ? ` (cut at ${line.cutAtMs})` : ''}`,
    );
  const t0 = session.answeredAt ?? 0;
  for (const e of events.filter((x) =>
    [
      'speech_start',
      'speech_end',
      'prompt_paused',
      'false_interruption',
      'prompt_resumed',
      'barge_in',
      'intent',
      'no_match',
    ].includes(x.type),
  ))
    console.info(`[${user}]   @${e.at - t0} ${e.type} ${JSON.stringify(e.data)}`);
  console.info(
    `[${user}] path ${outcome.path.join(' → ')}; disposition ${outcome.storedDisposition}; dialog ${dialog.map((d) => d.type).join(', ')}`,
  );
  return { outcome, events, dialog, lines };
}

describe('understanding over the bed (customer voice training never used)', () => {
  it('hedges and negates with a pause ("well… no, I won\'t be home tomorrow") → rescheduled, heard whole', async () => {
    const dir = join(bed.dir, 'negation');
    const answer = await speakWithPauses(dir, ['well', "no, I won't be home tomorrow"], [650]);
    const yes = await speak(dir, 'yes');
    const atMs = 300 + (await sayMs(QUESTION)) + 900;
    const answerMs = answer.length / 16;
    const check = await sayMs("Just to check: you won't be home, is that right?");
    // Said after a confirmation question if the bot asks one; after the goodbye if it does not.
    const yesAtMs = atMs + answerMs + 1_000 + 400 + check + 1_000;
    const track = await customerTrack(dir, 'customer', [
      { atMs, samples: answer },
      { atMs: yesAtMs, samples: yes },
    ]);
    const { outcome, events, dialog, lines } = await deliveryCall('3201', track);
    expect(outcome.storedDisposition).toBe('delivery_rescheduled');
    expect(outcome.path).toEqual(['ask_home', 'rescheduled']);
    // Never taken as "home", not even as a candidate to confirm.
    const intents = events.filter((e) => e.type === 'intent').map((e) => e.data.intent);
    expect(intents).toContain('not_home');
    expect(intents).not.toContain('home');
    expect(
      dialog.filter((d) => d.type === 'confirmation').map((d) => (d as { intent: string }).intent),
    ).not.toContain('home');
    // Heard as one answer: the 650 ms pause did not end the turn, and nothing was not understood.
    const first = lines.find((l) => l.speaker === 'customer');
    expect(first?.intent).toBe('not_home');
    expect((first?.endMs ?? 0) - (first?.startMs ?? 0)).toBeGreaterThan(answerMs * 0.8);
    expect(events.filter((e) => e.type === 'no_match')).toHaveLength(0);
  }, 180_000);

  it('an answer between the thresholds is confirmed ("Just to check: …") and the yes takes it', async () => {
    const dir = join(bed.dir, 'confirm');
    const unsure = await unsureAnswer(dir);
    // The trainer keeps a band of at least 0.2 under the accept threshold (train.ts minBand), so a
    // hedged answer can always fall in it: none in it is a failure, not a reason to skip.
    if (typeof unsure === 'string') throw new Error(unsure);
    const answer = unsure.samples;
    const yes = await speak(dir, 'yes');
    const atMs = 300 + (await sayMs(QUESTION)) + 900;
    const check = await sayMs(`Just to check: ${unsure.confirm}, is that right?`);
    // The yes comes after the confirmation question: answer, end of turn (≤ 1 s), recognition, question.
    const yesAtMs = atMs + answer.length / 16 + 1_000 + 400 + check + 1_000;
    const track = await customerTrack(dir, 'customer', [
      { atMs, samples: answer },
      { atMs: yesAtMs, samples: yes },
    ]);
    const { outcome, events, dialog } = await deliveryCall('3202', track);
    const confirmations = dialog.filter((d) => d.type === 'confirmation') as Array<
      DialogEvent & { intent: string; result: string }
    >;
    expect(confirmations.map((c) => [c.intent, c.result])).toEqual([[unsure.intent, 'confirmed']]);
    expect(outcome.storedDisposition).toBe(unsure.disposition);
    expect(events.filter((e) => e.type === 'intent').map((e) => e.data.intent)).toContain(
      unsure.intent,
    );
  }, 180_000);

  it('a cough during the prompt pauses it, is no answer, and the prompt resumes', async () => {
    const dir = join(bed.dir, 'cough');
    const burst = await cough(dir);
    const yes = await speak(dir, 'yes, someone will be there');
    const questionMs = await sayMs(QUESTION);
    // The cough 2 s into the question; the answer after it.
    const track = await customerTrack(dir, 'customer', [
      { atMs: 2_300, samples: burst },
      { atMs: 300 + questionMs + 2_500, samples: yes },
    ]);
    const { outcome, events, lines } = await deliveryCall('3203', track);
    const types = events.map((e) => e.type);
    expect(types).toContain('prompt_paused');
    expect(types).toContain('false_interruption');
    expect(types).toContain('prompt_resumed');
    expect(types).not.toContain('barge_in');
    // The question is stored whole (not cut), and the call went on to the answer.
    const question = lines.find((l) => l.speaker === 'bot' && l.text.startsWith('Hello, this is'));
    expect(question?.cutAtMs ?? null).toBeNull();
    expect(outcome.storedDisposition).toBe('delivery_confirmed');
  }, 180_000);
});

/**
 * Answers a question is often unsure of (hedged yes and no). Which one lands between the accept
 * and reject thresholds moves whenever the trainer or the library models change (measured: "I
 * don't think so" in the band in 3 of 8 renderings one day, "I do not think so" in 7 of 8, then in
 * none after a retraining), so the test picks, before the call, the candidate the engine's own
 * models for this question (the prepared flow's question and library models, AskRecognizer as
 * the speech worker builds it) put in the band most often over the telephone band at −18 to −27
 * dBFS. The call can still hear it otherwise (the bed's codec and the endpointer's cut differ):
 * then this test fails. When no candidate is in the band at all, it fails with the candidates'
 * scores (it was skipped once, when calibration made reject = accept = 0.95, an empty band; the
 * trainer now keeps the band at least 0.2 wide).
 */
const CANDIDATES = [
  // An example inside a much longer answer: only a window finds it, so it is confirmed by design.
  {
    text: "well I'm afraid I won't be home tomorrow morning at all",
    intent: 'not_home',
    disposition: 'delivery_rescheduled',
  },
  {
    text: 'yes I suppose someone will be there in the morning',
    intent: 'home',
    disposition: 'delivery_confirmed',
  },
  { text: 'I do not think so', intent: 'not_home', disposition: 'delivery_rescheduled' },
  { text: "I don't think so", intent: 'not_home', disposition: 'delivery_rescheduled' },
  { text: "no, I don't think so", intent: 'not_home', disposition: 'delivery_rescheduled' },
  { text: 'I think so', intent: 'home', disposition: 'delivery_confirmed' },
  { text: 'yeah I think so', intent: 'home', disposition: 'delivery_confirmed' },
  { text: 'I believe so', intent: 'home', disposition: 'delivery_confirmed' },
  { text: 'someone should be around', intent: 'home', disposition: 'delivery_confirmed' },
  { text: 'we should be home', intent: 'home', disposition: 'delivery_confirmed' },
  { text: 'I guess so', intent: 'home', disposition: 'delivery_confirmed' },
  { text: 'sure', intent: 'home', disposition: 'delivery_confirmed' },
  { text: 'probably not', intent: 'not_home', disposition: 'delivery_rescheduled' },
  { text: 'not really', intent: 'not_home', disposition: 'delivery_rescheduled' },
  { text: "I won't be around", intent: 'not_home', disposition: 'delivery_rescheduled' },
  { text: "nobody's going to be there", intent: 'not_home', disposition: 'delivery_rescheduled' },
] as const;
const CONFIRM_PROMPTS: Record<string, string> = {
  home: 'someone will be home',
  not_home: "you won't be home",
};
const MODELS = resolve(import.meta.dirname, '../../native-models/embedding');

/** The candidate to play, or why none can be (the failure, printed). */
async function unsureAnswer(dir: string): Promise<
  | {
      samples: Int16Array;
      intent: string;
      confirm: string;
      disposition: string;
    }
  | string
> {
  const prepared = await calls.engine.bot.prepare({ flow: validateFlow(DELIVERY) });
  const models = prepared.models.get('ask_home');
  if (!models) throw new Error('the delivery question has no speech models');
  const embedder = await SpeechEmbedder.load({
    melPath: join(MODELS, 'melspectrogram.onnx'),
    embeddingPath: join(MODELS, 'embedding_model.onnx'),
  });
  const scores: string[] = [];
  let best: { c: (typeof CANDIDATES)[number]; samples: Int16Array; inBand: number } | null = null;
  try {
    for (const c of CANDIDATES) {
      const samples = await speak(dir, c.text);
      let inBand = 0;
      const seen: string[] = [];
      for (const level of [-18, -21, -24, -27]) {
        const x = floatToInt16(
          telephone(normalizeLevel(offset(int16ToFloat(samples), 3200, 4800), level)),
        );
        const recognizer = new AskRecognizer({
          ...(models.model ? { question: models.model } : {}),
          ...(models.library ? { library: models.library } : {}),
          embedder,
        });
        recognizer.start({ startMs: 0 });
        for (const frame of chunkFrames(x)) recognizer.push(frame);
        const r = await recognizer.finish();
        if (!r.noMatch && r.uncertain === true && r.intent === c.intent) inBand++;
        seen.push(
          `${r.noMatch ? 'none' : `${r.intent ?? '?'}${r.uncertain === true ? '?' : ''}`} ${r.confidence.toFixed(2)}`,
        );
      }
      scores.push(`"${c.text}": ${seen.join(', ')}`);
      if (inBand > (best?.inBand ?? 0)) best = { c, samples, inBand };
    }
  } finally {
    await embedder.release();
  }
  console.info(`[3202] candidates (4 levels each):\n  ${scores.join('\n  ')}`);
  if (!best || best.inBand < 2) {
    const reason = `no candidate answer falls between this question's accept and reject thresholds in at least 2 of 4 renderings:\n  ${scores.join('\n  ')}`;
    console.warn(`[3202] ${reason}`);
    return reason;
  }
  console.info(`[3202] chose "${best.c.text}" (${best.inBand} of 4 in the band)`);
  return {
    samples: best.samples,
    intent: best.c.intent,
    confirm: CONFIRM_PROMPTS[best.c.intent]!,
    disposition: best.c.disposition,
  };
}
