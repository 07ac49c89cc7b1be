/**
 * Understanding over the SIP bed (issue 12): a baresip phone plays a customer spoken by a voice the
 * phrase trainer never uses (Debian's espeak-ng CLI, Klatt variant: test/support/customer-track.ts)
 * against a delivery flow written as a new user would, with common answers (`use`) and a few
 * examples of its own:
 * - the customer hedges and negates with a pause ("well… no, I won't be home tomorrow"): the
 *   answer is heard whole (no cut-off in the pause) and the call ends rescheduled, never confirmed;
 * - an answer between the accept and reject thresholds is confirmed first ("Just to check: …, is
 *   that right?"), the customer says yes, and the call goes where the answer leads;
 * - a cough during the prompt pauses it, is found to be no answer, and the prompt resumes.
 */
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CallUtterance } from '../../electron/engine/api/calls.js';
import type { BotOutcome } from '../../electron/engine/bot/index.js';
import { type DialogEvent, validateFlow } from '../../electron/engine/dialog/index.js';
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
    const atMs = 300 + (await sayMs(QUESTION)) + 900;
    const track = await customerTrack(dir, 'customer', [{ atMs, samples: answer }]);
    const { outcome, events, dialog, lines } = await deliveryCall('3201', track);
    expect(outcome.storedDisposition).toBe('delivery_rescheduled');
    expect(outcome.path).toEqual(['ask_home', 'rescheduled']);
    // Never taken as "home", not even as a candidate to confirm.
    expect(events.filter((e) => e.type === 'intent').map((e) => e.data.intent)).toEqual([
      'not_home',
    ]);
    expect(
      dialog.filter((d) => d.type === 'confirmation').map((d) => (d as { intent: string }).intent),
    ).not.toContain('home');
    // Heard as one answer: the 650 ms pause did not end the turn.
    expect(lines.filter((l) => l.speaker === 'customer')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'no_match')).toHaveLength(0);
  }, 180_000);

  it('an answer between the thresholds is confirmed ("Just to check: …") and the yes takes it', async () => {
    const dir = join(bed.dir, 'confirm');
    const answer = await speak(dir, UNSURE_ANSWER);
    const yes = await speak(dir, 'yes');
    const atMs = 300 + (await sayMs(QUESTION)) + 900;
    const check = await sayMs(`Just to check: ${UNSURE_CONFIRM}, is that right?`);
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
    expect(confirmations.map((c) => [c.intent, c.result])).toEqual([[UNSURE_INTENT, 'confirmed']]);
    expect(outcome.storedDisposition).toBe(UNSURE_DISPOSITION);
    expect(events.filter((e) => e.type === 'intent').map((e) => e.data.intent)).toContain(
      UNSURE_INTENT,
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
 * An answer the question is unsure of (the second test): a hedged "no". Chosen offline with the
 * engine's own models for this flow (its question model from the speech cache, the English
 * library model) and this voice through the telephone band, 8 renderings (−18 to −27 dBFS, random
 * lead, noise at 30 dB SNR): not_home between the thresholds in 7 of 8 (0.81–0.93), accepted
 * outright in 1 (0.95). "I don't think so" was in the band in only 3 of 8, and over the bed once in
 * and once out. So this test can fail when a call's rendering lands above the accept threshold.
 */
const UNSURE_ANSWER = 'I do not think so';
const UNSURE_INTENT = 'not_home';
const UNSURE_CONFIRM = "you won't be home";
const UNSURE_DISPOSITION = 'delivery_rescheduled';
