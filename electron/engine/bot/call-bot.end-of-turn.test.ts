/**
 * CallBot's end of turn with the hesitation spotter, on fakes (bot/testing/call-harness.ts: a fake
 * call and speech pool, the real Endpointer, a fake clock): which judgement ends or holds a turn,
 * and what the speech_end event says about it. The pure rules are in turn-taking.test.ts; the
 * basic cases (confident, incomplete, negation start, a filler held) in call-bot.turns.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ANSWER_INTENT, HESITATION_INTENT } from './hesitations.js';
import { botHarness, type Heard } from './testing/call-harness.js';
import {
  END_CONFIDENT_MS,
  END_FILLER_MS,
  END_INCOMPLETE_MS,
  END_SPOTTED_MS,
  END_UNSURE_MS,
} from './turn-detector.js';

const QUESTION = 'Will you be home tomorrow?';
const GREAT = 'Great, thank you.';
const SORRY = 'We will call again.';
const BYE = 'Goodbye.';

const flow = {
  id: 'home',
  name: 'Home',
  language: 'en',
  start: 'ask',
  nodes: {
    ask: {
      kind: 'ask',
      prompt: QUESTION,
      timeoutMs: 2000,
      intents: [
        { name: 'yes', examples: ['yes', 'yes please'], next: 'ok' },
        { name: 'no', examples: ['no'], next: 'sorry' },
      ],
      noInput: { maxAttempts: 1, next: 'bye' },
      noMatch: { maxAttempts: 1, next: 'bye' },
    },
    ok: { kind: 'hangup', say: GREAT, disposition: 'completed' },
    sorry: { kind: 'hangup', say: SORRY, disposition: 'completed' },
    bye: { kind: 'hangup', say: BYE, disposition: 'completed' },
  },
};
/** The question (one 20 ms frame per character in the harness), then 300 ms. */
const AFTER_QUESTION = QUESTION.length * 20 + 300;

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

async function call(hesitations: Heard[]) {
  const h = botHarness({ flow, hesitations });
  const run = h.run();
  await h.customer.answer();
  await h.customer.silent(AFTER_QUESTION);
  return { h, run };
}

describe('CallBot end of turn with the hesitation spotter', () => {
  it(`"yes … please" split by a short pause ends ${END_CONFIDENT_MS} ms after "please", though the spotter heard "please" as a hesitation`, async () => {
    // Over the bed the VAD now and then splits "yes please"; the spotter then hears "please" alone.
    const { h, run } = await call([
      { intent: ANSWER_INTENT, phrase: 'yes' },
      { intent: HESITATION_INTENT, phrase: 'I am' },
    ]);
    await h.customer.saysWithPauses(
      [{ speakMs: 300, pauseMs: 200 }, { speakMs: 400 }],
      [
        { intent: 'yes', phrase: 'yes', confidence: 1 },
        { intent: 'yes', phrase: 'yes please', confidence: 1 },
      ],
    );
    const spokeUntil = Date.now();
    await h.customer.silentUntilEnd();
    const outcome = await run;
    // Both stretches went to the spotter, one at each pause.
    expect(h.spotted.map((s) => s.heard)).toEqual([
      { intent: ANSWER_INTENT, phrase: 'yes' },
      { intent: HESITATION_INTENT, phrase: 'I am' },
    ]);
    expect(h.of('speech_end').map((e) => e.data)).toEqual([
      expect.objectContaining({
        reason: 'decided',
        endOfTurn: 'confident',
        silenceMs: END_CONFIDENT_MS,
      }),
    ]);
    const decided = h.events.find((e) => e.type === 'recognition_wait')?.at ?? 0;
    expect(decided - spokeUntil).toBeLessThan(END_CONFIDENT_MS + 64);
    expect(outcome?.path).toEqual(['ask', 'ok']);
  });

  it('a hesitation at the start still holds: "uh … no" waits through a 600 ms pause', async () => {
    const { h, run } = await call([
      { intent: HESITATION_INTENT, phrase: 'uh' },
      { intent: ANSWER_INTENT, phrase: 'no' },
    ]);
    await h.customer.saysWithPauses(
      [{ speakMs: 300, pauseMs: 600 }, { speakMs: 500 }],
      [
        { intent: 'yes', phrase: 'yes', confidence: 1 },
        { intent: 'no', phrase: 'no', confidence: 1 },
      ],
    );
    await h.customer.silentUntilEnd();
    const outcome = await run;
    // One utterance: the pause after "uh" did not end the turn, and the whole answer was "no".
    const ends = h.of('speech_end').map((e) => e.data);
    expect(ends).toHaveLength(1);
    expect(Number(ends[0]?.endMs) - Number(ends[0]?.startMs)).toBeGreaterThan(1300);
    expect(outcome?.path).toEqual(['ask', 'sorry']);
  });

  it("a turn the spotter held to the hard maximum says so: endOfTurn filler with the endpointer's reason", async () => {
    const { h, run } = await call([{ intent: HESITATION_INTENT, phrase: 'well' }]);
    await h.customer.says(400, { intent: 'yes', phrase: 'yes', confidence: 1 });
    const spokeUntil = Date.now();
    await h.customer.silentUntilEnd();
    await run;
    const [end] = h.of('speech_end').map((e) => e.data);
    expect(end?.reason).not.toBe('decided');
    expect(end).toMatchObject({ endOfTurn: 'filler', silenceMs: END_FILLER_MS });
    const decided = h.events.find((e) => e.type === 'recognition_wait')?.at ?? 0;
    expect(decided - spokeUntil).toBeGreaterThanOrEqual(END_INCOMPLETE_MS);
  });

  it(`an answer found inside a longer one ("yes, I will be home all day": spotted) ends ${END_SPOTTED_MS} ms after it, not ${END_UNSURE_MS}, and is confirmed`, async () => {
    const { h, run } = await call([{ intent: ANSWER_INTENT, phrase: 'yes' }]);
    await h.customer.says(1400, { intent: 'yes', phrase: 'yes', uncertain: true, spotted: true });
    const spokeUntil = Date.now();
    await h.customer.silentUntilEnd();
    await run;
    const [end] = h.of('speech_end').map((e) => e.data);
    expect(end).toMatchObject({
      reason: 'decided',
      endOfTurn: 'spotted',
      silenceMs: END_SPOTTED_MS,
    });
    const decided = h.events.find((e) => e.type === 'recognition_wait')?.at ?? 0;
    expect(decided - spokeUntil).toBeGreaterThanOrEqual(END_SPOTTED_MS);
    expect(decided - spokeUntil).toBeLessThan(END_UNSURE_MS);
    // Uncertain all the same: the bot checks before acting on it.
    expect(
      h.utterances.some((u) => u.speaker === 'bot' && u.text.startsWith('Just to check')),
    ).toBe(true);
  });

  it(`an unsure opener ("I'd rather…") waits ${END_UNSURE_MS} ms: a 900 ms pause after it does not end the turn`, async () => {
    const { h, run } = await call([{ noMatch: true }]);
    await h.customer.saysWithPauses(
      [{ speakMs: 500, pauseMs: 900 }, { speakMs: 600 }],
      [
        { intent: 'yes', phrase: 'yes', uncertain: true },
        { intent: 'no', phrase: 'no', confidence: 1 },
      ],
    );
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('speech_end')).toHaveLength(1);
    expect(outcome?.path).toEqual(['ask', 'sorry']);
  });
});
