/**
 * CallBot's turn-taking on fakes (bot/testing/call-harness.ts: a fake call and speech pool, the
 * real Endpointer, a fake clock): barge-in, false interruptions (a cough, a backchannel) resuming
 * the prompt from the cut, `bargeIn: false` never cut, no-input, no-match, hang-up mid-prompt, an
 * agent's takeover, and the adaptive end of turn (early after a confident answer, late after an
 * incomplete one). The same behaviour over the real SIP bed: test/e2e/bot-calls.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LIVE_VAD_MAX_LAG_MS } from '../speech/index.js';
import { ANSWER_INTENT, HESITATION_INTENT } from './hesitations.js';
import { RESUME_AFTER_SILENCE_MS, SURE_BARGE_IN_SPEECH_MS } from './interruption.js';
import { RESUME_BACKOFF_MS } from './speech-handle.js';
import { botHarness, type Heard } from './testing/call-harness.js';
import { END_CONFIDENT_MS, END_HESITANT_MS, END_INCOMPLETE_MS } from './turn-detector.js';

/** 74 characters: 1,480 ms of prompt at one 20 ms frame per character (the harness's renderer). */
const NEWS = 'Your parcel is on its way and will arrive between nine and noon tomorrow.';
/** 49 characters: 980 ms. */
const QUESTION = 'Will you be home tomorrow to receive your parcel?';
const GREAT = 'Great, thank you.';
const SORRY = 'We will call again.';
const BYE = 'Goodbye.';

function parcelFlow(options: { newsBargeIn?: boolean; timeoutMs?: number } = {}) {
  return {
    id: 'parcel',
    name: 'Parcel',
    language: 'en',
    start: 'news',
    nodes: {
      news: {
        kind: 'say',
        text: NEWS,
        ...(options.newsBargeIn === false ? { bargeIn: false } : {}),
        next: 'ask',
      },
      ask: {
        kind: 'ask',
        prompt: QUESTION,
        timeoutMs: options.timeoutMs ?? 2000,
        intents: [
          { name: 'yes', use: 'affirm', examples: ['yes'], next: 'ok' },
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
}

const FRAMES = (text: string): number => text.length;

/** Checks the prompt was heard from start to end with one step back of the resume backoff (or none). */
function expectHeardWhole(indexes: number[], text: string, resumes: number): void {
  const backs: number[] = [];
  for (let i = 1; i < indexes.length; i++) {
    const step = (indexes[i] ?? 0) - (indexes[i - 1] ?? 0);
    if (step !== 1) backs.push(step);
  }
  expect(indexes[0]).toBe(0);
  expect(indexes.at(-1)).toBe(FRAMES(text) - 1);
  // A resume plays the last RESUME_BACKOFF_MS again: the index steps back by that much, less the frame.
  expect(backs).toEqual(Array.from({ length: resumes }, () => 1 - RESUME_BACKOFF_MS / 20));
}

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

async function started(flow = parcelFlow(), extra: Parameters<typeof botHarness>[0] = { flow }) {
  const h = botHarness({ ...extra, flow });
  const run = h.run();
  await h.customer.answer();
  return { h, run };
}

describe('CallBot on a machine loaded past its cores', () => {
  it('says when its VAD skipped audio it was too far behind on (speech_behind), with the stretch', async () => {
    const { h, run } = await started();
    await h.customer.silent(1000);
    h.shedSpeech({ fromMs: 200, toMs: 1704 });
    await h.customer.silentUntilEnd();
    await run;
    expect(h.of('speech_behind').map((e) => e.data)).toEqual([
      { atMs: expect.any(Number) as number, skippedMs: 1504, maxLagMs: LIVE_VAD_MAX_LAG_MS },
    ]);
  });
});

describe('CallBot barge-in and false interruptions', () => {
  it('a real barge-in stops the question at once, for good, and is the answer', async () => {
    const { h, run } = await started();
    await h.customer.silent(FRAMES(NEWS) * 20 + 300); // the news, then 300 ms into the question
    const onset = Date.now();
    await h.customer.says(700, { intent: 'no' });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    const question = h.heard.filter((f) => f.prompt === QUESTION);
    const stoppedAt = question.at(-1)?.at ?? 0;
    // Paused at the VAD's speech start (96 ms of speech), long before 300 ms.
    expect(stoppedAt - onset).toBeLessThanOrEqual(140);
    expect(h.of('prompt_paused')).toHaveLength(1);
    expect(h.of('barge_in').map((e) => e.data)).toEqual([
      expect.objectContaining({ nodeId: 'ask', reason: 'recognized', intent: 'no' }),
    ]);
    expect(h.of('prompt_resumed')).toHaveLength(0);
    expect(h.of('intent').map((e) => e.data.intent)).toEqual(['no']);
    expect(outcome?.path).toEqual(['news', 'ask', 'sorry']);
    const line = h.utterances.find((u) => u.speaker === 'bot' && u.text === QUESTION);
    expect(line?.cutAtMs).not.toBeNull();
    expect(h.heardOf(SORRY)).toHaveLength(FRAMES(SORRY));
  });

  it('a cough pauses the prompt, which resumes from just before the cut; it answers nothing', async () => {
    const { h, run } = await started();
    await h.customer.silent(400);
    await h.customer.says(200); // a cough: no model on a say node, too short for a barge-in
    await h.customer.silent(FRAMES(NEWS) * 20 + FRAMES(QUESTION) * 20 + 600);
    await h.customer.says(400, { intent: 'yes' });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('false_interruption').map((e) => e.data)).toEqual([
      expect.objectContaining({ nodeId: 'news', cause: 'short_speech' }),
    ]);
    const [resumed] = h.of('prompt_resumed');
    expect(resumed?.data.resumeAtMs).toBe(Number(resumed?.data.cutAtMs) - RESUME_BACKOFF_MS);
    expect(h.of('barge_in')).toHaveLength(0);
    expectHeardWhole(h.heardOf(NEWS), NEWS, 1);
    // Paused ~100 ms into the 200 ms cough, resumed RESUME_AFTER_SILENCE_MS after it.
    const news = h.heard.filter((f) => f.prompt === NEWS);
    const gap = Math.max(...news.slice(1).map((f, i) => f.at - (news[i]?.at ?? 0)));
    expect(gap).toBeGreaterThan(RESUME_AFTER_SILENCE_MS);
    expect(gap).toBeLessThan(200 + RESUME_AFTER_SILENCE_MS + 100);
    expect(h.utterances.find((u) => u.text === NEWS)?.cutAtMs).toBeNull();
    expect(outcome?.path).toEqual(['news', 'ask', 'ok']);
  });

  it('on a say node, a long backchannel the spotter hears as affirm ("好的", 900 ms) resumes the prompt', async () => {
    const flow = parcelFlow();
    const { h, run } = await started(flow, { flow, backchannels: true });
    await h.customer.silent(300);
    await h.customer.says(900, { intent: 'affirm', phrase: '好的', uncertain: true });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('false_interruption').map((e) => e.data)).toEqual([
      expect.objectContaining({ nodeId: 'news', cause: 'backchannel', text: '好的' }),
    ]);
    expect(h.of('barge_in')).toHaveLength(0);
    expect(h.recognitions.some((r) => r.libraryUses?.affirm === 'affirm' && !r.questionModel)).toBe(
      true,
    );
    expectHeardWhole(h.heardOf(NEWS), NEWS, 1);
    expect(outcome?.path).toEqual(['news', 'ask', 'bye']);
  });

  it(`on a say node, unplaced speech must outlast every backchannel: 900 ms resumes, ${SURE_BARGE_IN_SPEECH_MS} ms stops`, async () => {
    for (const [ms, stops] of [
      [900, false],
      [SURE_BARGE_IN_SPEECH_MS + 100, true],
    ] as const) {
      const flow = parcelFlow();
      const { h, run } = await started(flow, { flow, backchannels: true });
      await h.customer.silent(300);
      await h.customer.says(ms, { noMatch: true });
      await h.customer.silentUntilEnd();
      await run;
      // (Stopped, the question starts while the customer still talks: a second barge_in, beforePrompt.)
      expect(h.of('barge_in')[0]?.data).toEqual(
        stops ? expect.objectContaining({ nodeId: 'news', reason: 'speech' }) : undefined,
      );
      expect(h.of('false_interruption').map((e) => e.data)).toEqual(
        stops ? [] : [expect.objectContaining({ nodeId: 'news', cause: 'short_speech' })],
      );
      vi.clearAllTimers();
    }
  });

  it('a backchannel ("ok") early in the question resumes it and is not taken as the answer', async () => {
    const { h, run } = await started();
    await h.customer.silent(FRAMES(NEWS) * 20 + 200);
    await h.customer.says(300, { intent: 'yes', phrase: 'ok' });
    await h.customer.silent(FRAMES(QUESTION) * 20 + 600);
    await h.customer.says(500, { intent: 'no' });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('false_interruption').map((e) => e.data)).toEqual([
      expect.objectContaining({ nodeId: 'ask', cause: 'backchannel', text: 'ok' }),
    ]);
    expectHeardWhole(h.heardOf(QUESTION), QUESTION, 1);
    expect(h.of('intent').map((e) => e.data.intent)).toEqual(['no']);
    expect(outcome?.path).toEqual(['news', 'ask', 'sorry']);
  });

  it('a backchannel over the last words of the question answers it', async () => {
    const { h, run } = await started();
    await h.customer.silent(FRAMES(NEWS) * 20 + FRAMES(QUESTION) * 20 - 400);
    await h.customer.says(300, { intent: 'yes', phrase: 'yeah' });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('barge_in').map((e) => e.data)).toEqual([
      expect.objectContaining({ reason: 'recognized', intent: 'yes' }),
    ]);
    expect(h.of('false_interruption')).toHaveLength(0);
    expect(outcome?.path).toEqual(['news', 'ask', 'ok']);
  });

  it('a short "yes" (an intent that uses affirm) mid-question is a backchannel; the question goes on', async () => {
    const { h, run } = await started();
    await h.customer.silent(FRAMES(NEWS) * 20 + 200);
    await h.customer.says(400, { intent: 'yes', phrase: 'sure thing' });
    await h.customer.silent(FRAMES(QUESTION) * 20 + 600);
    await h.customer.says(500, { intent: 'no' });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('false_interruption').map((e) => e.data)).toEqual([
      expect.objectContaining({ cause: 'backchannel', text: 'sure thing' }),
    ]);
    expectHeardWhole(h.heardOf(QUESTION), QUESTION, 1);
    expect(outcome?.path).toEqual(['news', 'ask', 'sorry']);
  });

  it('speech the bot cannot place, long enough (800 ms), stops a question for good once the customer pauses', async () => {
    const { h, run } = await started();
    await h.customer.silent(FRAMES(NEWS) * 20 + 200);
    await h.customer.says(800, { noMatch: true }); // during the question: its length decides
    await h.customer.silentUntilEnd();
    await run;
    expect(h.of('barge_in').map((e) => e.data)).toEqual([
      expect.objectContaining({ nodeId: 'ask', reason: 'speech' }),
    ]);
    expect(h.of('prompt_resumed')).toHaveLength(0);
    expect(h.utterances.find((u) => u.text === QUESTION)?.cutAtMs).not.toBeNull();
  });

  it('a prompt with bargeIn: false is never paused or cut, whatever the customer says', async () => {
    const { h, run } = await started(parcelFlow({ newsBargeIn: false }));
    await h.customer.silent(300);
    await h.customer.says(900, { intent: 'no' });
    await h.customer.silent(FRAMES(NEWS) * 20 + 600);
    await h.customer.says(400, { intent: 'yes' });
    await h.customer.silentUntilEnd();
    await run;
    expect(h.of('prompt_paused')).toHaveLength(0);
    expectHeardWhole(h.heardOf(NEWS), NEWS, 0);
    expect(h.utterances.find((u) => u.text === NEWS)?.cutAtMs).toBeNull();
  });

  it("the flow's AI disclosure plays first and whole: speech and a key press during it cut and answer nothing", async () => {
    const DISCLOSURE = 'This call is from an automated AI assistant and is recorded. Thank you.';
    const base = parcelFlow();
    const flow = {
      ...base,
      disclosure: { text: DISCLOSURE },
      nodes: {
        ...base.nodes,
        ask: {
          ...base.nodes.ask,
          intents: base.nodes.ask.intents.map((i) => ({ ...i, dtmf: i.name === 'no' ? '2' : '1' })),
        },
      },
    };
    const { h, run } = await started(flow, { flow, backchannels: true });
    await h.customer.silent(200);
    await h.customer.says(700, { intent: 'no' });
    h.customer.press('2');
    await h.customer.silent(FRAMES(DISCLOSURE) * 20 - 900 + FRAMES(NEWS) * 20 + 300);
    await h.customer.says(400, { intent: 'yes' });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    // Only the question paused (for the yes); the disclosure and the news played through.
    expect(h.of('prompt_paused').map((e) => e.data.nodeId)).toEqual(['ask']);
    expectHeardWhole(h.heardOf(DISCLOSURE), DISCLOSURE, 0);
    expectHeardWhole(h.heardOf(NEWS), NEWS, 0);
    // In the transcript: the disclosure, whole, and what the customer said over it (no intent).
    expect(h.utterances.filter((u) => u.nodeId === '$disclosure')).toEqual([
      expect.objectContaining({ speaker: 'customer', intent: null }),
      expect.objectContaining({ speaker: 'bot', text: DISCLOSURE, startMs: 0, cutAtMs: null }),
    ]);
    // What was said or pressed over the disclosure answered nothing: the question's answer is the later yes.
    expect(h.of('intent').map((e) => e.data.intent)).toEqual(['yes']);
    expect(outcome?.path).toEqual(['news', 'ask', 'ok']);
  });

  it('the customer hanging up mid-prompt ends the run; the prompt is cut there', async () => {
    const { h, run } = await started();
    await h.customer.silent(500);
    h.customer.hangup();
    const outcome = await run;
    expect(outcome?.reason).toBe('cancelled');
    expect(outcome?.storedDisposition).toBeNull();
    expect(h.hungUpBy).toBe('customer');
    const line = h.utterances.find((u) => u.text === NEWS);
    expect(line?.cutAtMs).not.toBeNull();
    expect(h.heardOf(NEWS).length).toBeLessThan(FRAMES(NEWS));
  });

  it('a hang-up while a cough holds the prompt paused ends the run too', async () => {
    const { h, run } = await started();
    await h.customer.silent(300);
    await h.customer.says(200);
    h.customer.hangup();
    const outcome = await run;
    expect(outcome?.reason).toBe('cancelled');
    expect(h.of('prompt_paused')).toHaveLength(1);
  });
});

describe('CallBot answers', () => {
  it('no input: silence after the question until its timeout', async () => {
    const { h, run } = await started(parcelFlow({ timeoutMs: 1000 }));
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('no_input').map((e) => e.data)).toEqual([
      { nodeId: 'ask', attempt: 1, exhausted: true },
    ]);
    expect(outcome?.path).toEqual(['news', 'ask', 'bye']);
  });

  it('no match: an answer the question does not expect', async () => {
    const { h, run } = await started();
    await h.customer.silent(FRAMES(NEWS) * 20 + FRAMES(QUESTION) * 20 + 300);
    await h.customer.says(600, { noMatch: true });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('no_match').map((e) => e.data)).toEqual([
      { nodeId: 'ask', attempt: 1, exhausted: true },
    ]);
    expect(outcome?.path).toEqual(['news', 'ask', 'bye']);
  });

  it('takeover: an agent takes the transferred call; the bot stops its hold prompt and leaves the call up', async () => {
    let took: (() => void) | null = null;
    const flow = {
      id: 'xfer',
      name: 'Transfer',
      language: 'en',
      start: 'hand',
      nodes: {
        hand: { kind: 'transfer', say: 'One moment.', queue: 'support', reason: 'asked' },
      },
    };
    const h = botHarness({
      flow,
      transfer: () =>
        new Promise((resolve) => {
          took = () => resolve(true);
        }),
    });
    const run = h.run();
    await h.customer.answer();
    await h.customer.silent(800); // "One moment." (220 ms), then the hold announcement plays
    expect(h.heard.some((f) => f.prompt.startsWith('Please hold'))).toBe(true);
    h.customer.agentTakes();
    (took as (() => void) | null)?.();
    await h.customer.silent(500);
    const outcome = await run;
    expect(outcome?.agentTook).toBe(true);
    expect(h.hungUpBy).toBeNull();
    const hold = h.utterances.find((u) => u.text.startsWith('Please hold'));
    expect(hold?.cutAtMs).not.toBeNull();
  });
});

describe('CallBot adaptive end of turn', () => {
  const afterQuestion = FRAMES(NEWS) * 20 + FRAMES(QUESTION) * 20 + 300;

  it(`ends the turn ${END_CONFIDENT_MS} ms after a confident answer`, async () => {
    const { h, run } = await started();
    await h.customer.silent(afterQuestion);
    await h.customer.says(400, { intent: 'yes' });
    const spokeUntil = Date.now();
    await h.customer.silentUntilEnd();
    await run;
    const [end] = h.of('speech_end');
    expect(end?.data).toMatchObject({
      reason: 'decided',
      endOfTurn: 'confident',
      silenceMs: END_CONFIDENT_MS,
    });
    // Decided within a VAD window (32 ms) of the silence it asked for.
    const decided = h.events.find((e) => e.type === 'recognition_wait')?.at ?? 0;
    expect(decided - spokeUntil).toBeGreaterThanOrEqual(END_CONFIDENT_MS);
    expect(decided - spokeUntil).toBeLessThan(END_CONFIDENT_MS + 64);
    expect(h.of('intent').map((e) => e.data.intent)).toEqual(['yes']);
  });

  it('waits through a thinking pause when nothing matched yet ("I think… maybe not")', async () => {
    const { h, run } = await started();
    await h.customer.silent(afterQuestion);
    await h.customer.saysWithPauses(
      [{ speakMs: 500, pauseMs: 700 }, { speakMs: 500 }],
      [{ noMatch: true }, { intent: 'no' }],
    );
    await h.customer.silentUntilEnd();
    const outcome = await run;
    // One utterance, not two: the 700 ms pause did not end the turn.
    expect(h.of('speech_end')).toHaveLength(1);
    expect(h.of('intent').map((e) => e.data.intent)).toEqual(['no']);
    expect(outcome?.path).toEqual(['news', 'ask', 'sorry']);
  });

  it('waits after a trailing filler even when the words so far match ("yes, uh…")', async () => {
    const { h, run } = await started();
    await h.customer.silent(afterQuestion);
    await h.customer.saysWithPauses(
      [{ speakMs: 500, pauseMs: 600 }, { speakMs: 400 }],
      [
        { intent: 'yes', text: 'yes uh' },
        { intent: 'no', text: 'yes uh no not tomorrow' },
      ],
    );
    await h.customer.silentUntilEnd();
    await run;
    expect(h.of('speech_end')).toHaveLength(1);
    expect(h.of('intent').map((e) => e.data.intent)).toEqual(['no']);
  });

  it(`waits ${END_HESITANT_MS} ms after a negation start ("no… I can't"), not ${END_CONFIDENT_MS}`, async () => {
    const { h, run } = await started();
    await h.customer.silent(afterQuestion);
    await h.customer.saysWithPauses(
      [{ speakMs: 300, pauseMs: 450 }, { speakMs: 600 }],
      [
        { intent: 'no', phrase: 'no' },
        { intent: 'no', phrase: "no I can't" },
      ],
    );
    await h.customer.silentUntilEnd();
    const outcome = await run;
    expect(h.of('speech_end').map((e) => e.data)).toEqual([
      expect.objectContaining({
        reason: 'decided',
        endOfTurn: 'hesitant',
        silenceMs: END_HESITANT_MS,
      }),
    ]);
    expect(outcome?.path).toEqual(['news', 'ask', 'sorry']);
  });

  describe('with the hesitation spotter', () => {
    const uhYes = async (hesitations?: Heard[]) => {
      const { h, run } = await started(parcelFlow(), {
        flow: parcelFlow(),
        ...(hesitations ? { hesitations } : {}),
      });
      await h.customer.silent(afterQuestion);
      // "uh… yes I'll be there": the recognizer takes the bare "uh" for "yes" at full confidence.
      await h.customer.saysWithPauses(
        [{ speakMs: 300, pauseMs: 600 }, { speakMs: 600 }],
        [
          { intent: 'yes', phrase: 'yes', confidence: 1 },
          { intent: 'yes', phrase: "yes I'll be there", confidence: 1 },
        ],
      );
      await h.customer.silentUntilEnd();
      return { h, outcome: await run };
    };

    it('holds the turn through a pause after a filler the recognizer took for an answer', async () => {
      const { h, outcome } = await uhYes([
        { intent: HESITATION_INTENT, phrase: 'uh' },
        { intent: ANSWER_INTENT, phrase: 'yes' },
      ]);
      // One utterance, the whole answer, ended quickly after its last word.
      const ends = h.of('speech_end').map((e) => e.data);
      expect(ends).toEqual([
        expect.objectContaining({ reason: 'decided', endOfTurn: 'confident' }),
      ]);
      expect(Number(ends[0]?.endMs) - Number(ends[0]?.startMs)).toBeGreaterThan(1400);
      expect(outcome?.path).toEqual(['news', 'ask', 'ok']);
      // The spotter heard each stretch since the last pause, the second one alone.
      expect(h.spotted).toHaveLength(2);
      const [first, second] = h.spotted;
      expect(second!.startMs).toBeGreaterThan(first!.startMs + 300 + 500);
      expect(second!.samples).toBeLessThan(first!.samples + 600 * 16);
    });

    it('without it the same answer is cut at the pause (what it fixes)', async () => {
      const { h } = await uhYes();
      // The turn ended in the pause: the utterance was the "uh" alone.
      const end = h.of('speech_end')[0]?.data;
      expect(end).toMatchObject({ reason: 'decided', endOfTurn: 'confident' });
      expect(Number(end?.endMs) - Number(end?.startMs)).toBeLessThan(500);
      expect(h.spotted).toHaveLength(0);
    });

    it(`a bare answer it knows still ends after ${END_CONFIDENT_MS} ms`, async () => {
      const { h, run } = await started(parcelFlow(), {
        flow: parcelFlow(),
        hesitations: [{ intent: ANSWER_INTENT, phrase: 'yes' }],
      });
      await h.customer.silent(afterQuestion);
      await h.customer.says(400, { intent: 'yes' });
      await h.customer.silentUntilEnd();
      await run;
      expect(h.of('speech_end').map((e) => e.data)).toEqual([
        expect.objectContaining({
          reason: 'decided',
          endOfTurn: 'confident',
          silenceMs: END_CONFIDENT_MS,
        }),
      ]);
      expect(h.spotted).toHaveLength(1);
    });
  });

  it(`an answer that never matches ends at the hard maximum, ${END_INCOMPLETE_MS} ms of silence`, async () => {
    const { h, run } = await started();
    await h.customer.silent(afterQuestion);
    await h.customer.says(500, { noMatch: true });
    await h.customer.silentUntilEnd();
    await run;
    const [end] = h.of('speech_end');
    expect(end?.data.reason).toBe('silence');
    expect(Number(end?.at) + END_INCOMPLETE_MS).toBeLessThanOrEqual(
      h.events.find((e) => e.type === 'recognition_wait')?.at ?? 0,
    );
  });
});

describe('CallBot confirmation', () => {
  it('hears the answer to "Just to check…?" with the library\'s affirm/deny model', async () => {
    const base = parcelFlow();
    const flow = {
      ...base,
      nodes: { ...base.nodes, ask: { ...base.nodes.ask, confirm: 'always' } },
    };
    const h = botHarness({ flow, libraryUses: { affirm: 'yes' } });
    const run = h.run();
    await h.customer.answer();
    await h.customer.silent(FRAMES(NEWS) * 20 + FRAMES(QUESTION) * 20 + 300);
    await h.customer.says(500, { intent: 'yes' });
    await h.customer.silent(1500); // "Just to check: you said "yes", is that right?" (900 ms)
    await h.customer.says(400, { intent: 'affirm' });
    await h.customer.silentUntilEnd();
    const outcome = await run;
    const [answer, confirmation] = [...new Map(h.recognitions.map((r) => [r.mark, r])).values()];
    expect(answer).toMatchObject({ questionModel: true, libraryUses: { affirm: 'yes' } });
    expect(confirmation).toMatchObject({
      questionModel: false,
      libraryUses: { affirm: 'affirm', deny: 'deny' },
    });
    expect(h.of('intent').map((e) => e.data.intent)).toEqual(['yes']);
    expect(outcome?.path).toEqual(['news', 'ask', 'ok']);
  });
});
