/**
 * CallBot's greeting with in-memory fakes (the real call is covered by test/e2e/bot-calls and
 * console-history): the opening prompt, personal ("Hello {name}") and synthesized for this call
 * only, is requested while the phone rings, so it plays at the answer without another synthesis,
 * and it stays out of the shared caches.
 */
import { describe, expect, it } from 'vitest';

import { CompiledFlow, validateFlow } from '../dialog/index.js';
import { silentLogger } from '../log.js';
import type { SpeechWorkerPool } from '../speech/index.js';
import { useTempDirs } from '../store/testing/temp.js';
import type { Store } from '../store/types.js';
import type { CallSession } from '../telephony/index.js';
import { CallBot } from './call-bot.js';
import { PromptRenderer } from './prompts.js';

const greetingFlow = (greeting: string): CompiledFlow =>
  new CompiledFlow(
    validateFlow({
      id: 'greet',
      name: 'Greet',
      language: 'en',
      start: 'hi',
      nodes: {
        hi: { kind: 'say', text: greeting, next: 'bye' },
        bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'completed' },
      },
    }),
    1,
  );

/** What happened, in order: syntheses requested and finished, the answer, prompts played. */
type Log = string[];

/** A speech pool whose syntheses finish only when the test says so (a slow, loaded machine). */
function slowPool(log: Log) {
  const waiting: Array<() => void> = [];
  const pool = {
    open: () => ({
      push() {},
      onEvent: () => () => undefined,
      onWindow: () => () => undefined,
      onShed: () => () => undefined,
      onError: () => () => undefined,
      close: () => Promise.resolve(),
    }),
    warm: () => Promise.resolve(),
    synthesize: (text: string) => {
      log.push(`synthesize ${text}`);
      return new Promise<{ samples: Int16Array; durationMs: number }>((resolve) => {
        waiting.push(() => {
          log.push(`synthesized ${text}`);
          // One 20 ms frame per character: the log shows which prompt played.
          resolve({
            samples: new Int16Array(320 * text.length).fill(100),
            durationMs: 20 * text.length,
          });
        });
      });
    },
  };
  return {
    // Only the members above are used by CallBot and the renderer.
    pool: pool as unknown as SpeechWorkerPool,
    /** Finishes the syntheses requested so far. */
    finish: () => waiting.splice(0).forEach((done) => done()),
    /** Finishes the oldest synthesis still running. */
    finishOne: () => waiting.shift()?.(),
    pending: () => waiting.length,
  };
}

/** A call that rings until `answer()`; plays at once; records its notes. */
function ringingCall(log: Log) {
  let ended: () => void = () => undefined;
  const whenEnded = new Promise<void>((resolve) => (ended = resolve));
  let answered: (up: boolean) => void = () => undefined;
  const whenAnswered = new Promise<boolean>((resolve) => (answered = resolve));
  void whenEnded.then(() => answered(false));
  const notes: Array<{ type: string; data: Record<string, unknown> }> = [];
  /** The next prompt played is cut after 3 frames (barge-in). */
  let cutNext = false;
  const session = {
    callId: 'call-1',
    state: 'ringing',
    answeredAt: null as number | null,
    isUp: false,
    isPlaying: false,
    whenEnded: () => whenEnded,
    whenAnswered: () => whenAnswered,
    onAudio: () => () => undefined,
    onDtmf: () => () => undefined,
    onSupervisorTakeover: () => () => undefined,
    enterPhase(state: string) {
      session.state = state;
    },
    setFlow: () => Promise.resolve(),
    setDisposition: () => Promise.resolve(),
    note: (type: string, data: Record<string, unknown>) => notes.push({ type, data }),
    play: (frames: Int16Array[]) => {
      const cut = cutNext;
      cutNext = false;
      log.push(`play ${frames.length} frames${cut ? ' (cut)' : ''}`);
      return Promise.resolve({ completed: !cut, playedFrames: cut ? 3 : frames.length });
    },
    stopPlayback() {},
    hangup: () => {
      session.isUp = false;
      session.state = 'done';
      ended();
      return Promise.resolve();
    },
  };
  return {
    // CallBot only uses the members above.
    session: session as unknown as CallSession,
    notes,
    cutNextPlay() {
      cutNext = true;
    },
    answer() {
      log.push('answer');
      session.isUp = true;
      session.state = 'answered';
      session.answeredAt = Date.now();
      answered(true);
    },
  };
}

const store = {
  calls: { update: () => Promise.resolve(), addUtterance: () => Promise.resolve() },
  dispositions: { list: () => Promise.resolve([]), upsert: () => Promise.resolve() },
} as unknown as Store; // only these are used here

const tempDir = useTempDirs();

const tick = (ms = 30): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function startBot(log: Log, flow = greetingFlow('Hello {name}.')) {
  const speech = slowPool(log);
  const call = ringingCall(log);
  const prompts = new PromptRenderer(() => speech.pool, await tempDir());
  const bot = new CallBot(
    call.session,
    { pool: speech.pool, prompts, store, log: silentLogger, onUtterance: () => undefined },
    {
      flow,
      flowRef: null,
      models: new Map(),
      contact: { fields: { name: 'Robin', parcel: 'AB12' }, timeZone: 'UTC' },
    },
  );
  return { speech, call, prompts, run: bot.run() };
}

describe('CallBot greeting', () => {
  it('synthesizes the personal greeting while the phone rings and plays it at the answer', async () => {
    const log: Log = [];
    const { speech, call, prompts, run } = await startBot(log);
    await tick();
    expect(log).toEqual(['synthesize Hello Robin.', 'synthesize Goodbye.']); // before any answer
    speech.finish();
    await tick();
    call.answer();
    await tick();
    // Played right after the answer; nothing more was synthesized for it.
    expect(log.slice(0, 6)).toEqual([
      'synthesize Hello Robin.',
      'synthesize Goodbye.',
      'synthesized Hello Robin.',
      'synthesized Goodbye.',
      'answer',
      'play 12 frames',
    ]);
    const greeting = call.notes.find((n) => n.type === 'bot_prompt');
    expect(greeting?.data).toMatchObject({ nodeId: 'hi', source: 'synthesized', prefetched: true });
    expect(typeof greeting?.data.sinceAnswerMs).toBe('number');
    const outcome = await run;
    expect(outcome?.disposition).toBe('completed');
    expect(log.filter((l) => l.startsWith('synthesize '))).toHaveLength(2);
    expect(log.filter((l) => l.startsWith('play'))).toHaveLength(2);
    // The personal greeting never reached the shared layer: another call would synthesize it.
    const again = prompts.render('Hello Robin.', {
      language: 'en',
      voice: 'en-us',
      rate: 1,
      pitch: 50,
    });
    await tick();
    expect(speech.pending()).toBe(1);
    speech.finish();
    expect((await again).source).toBe('synthesized');
  });

  it('an answer before the synthesis finished plays the greeting when it is ready, synthesized once', async () => {
    const log: Log = [];
    const { speech, call, run } = await startBot(log);
    await tick();
    call.answer();
    await tick();
    expect(log).toEqual(['synthesize Hello Robin.', 'synthesize Goodbye.', 'answer']);
    speech.finish();
    await tick();
    expect(log.slice(3, 6)).toEqual([
      'synthesized Hello Robin.',
      'synthesized Goodbye.',
      'play 12 frames',
    ]);
    await run;
    expect(log.filter((l) => l.startsWith('synthesize '))).toHaveLength(2);
  });

  it('an unanswered call drops its prefetched greeting', async () => {
    const log: Log = [];
    const { speech, call, run } = await startBot(log);
    await tick();
    await call.session.hangup('no answer', 'dialer');
    expect(await run).toBeNull();
    speech.finish();
    await tick(); // the static "Goodbye." still goes to the shared disk cache
    expect(log.some((l) => l.startsWith('play'))).toBe(false);
  });
});

describe('CallBot personal prompt in sentences', () => {
  const flow = greetingFlow('Hello {name}. Your parcel {parcel} is on its way.');

  it('plays the first sentence while the next is still being synthesized', async () => {
    const log: Log = [];
    const { speech, call, run } = await startBot(log, flow);
    await tick();
    call.answer();
    await tick();
    expect(log).toEqual([
      'synthesize Hello Robin.',
      'synthesize Your parcel AB12 is on its way.',
      'synthesize Goodbye.',
      'answer',
    ]);
    speech.finishOne();
    await tick();
    expect(log.slice(4)).toEqual(['synthesized Hello Robin.', 'play 12 frames']);
    speech.finish();
    await tick();
    expect(log.slice(6, 9)).toEqual([
      'synthesized Your parcel AB12 is on its way.',
      'synthesized Goodbye.',
      'play 31 frames',
    ]);
    const greeting = call.notes.find((n) => n.type === 'bot_prompt');
    expect(greeting?.data).toMatchObject({ parts: 2, prefetched: true });
    expect((await run)?.disposition).toBe('completed');
  });

  it('says no later sentence once the customer cut the prompt', async () => {
    const log: Log = [];
    const { speech, call, run } = await startBot(log, flow);
    call.cutNextPlay();
    call.answer();
    await tick();
    speech.finishOne(); // "Hello Robin." plays and is cut
    await tick();
    speech.finish();
    await run;
    // "Your parcel AB12 is on its way." (31 frames) was never played; "Goodbye." (8) ends the call.
    expect(log.filter((l) => l.startsWith('play'))).toEqual([
      'play 12 frames (cut)',
      'play 8 frames',
    ]);
  });

  it('a sentence without contact data goes through the shared cache; the personal one does not', async () => {
    const log: Log = [];
    const { speech, call, prompts, run } = await startBot(
      log,
      greetingFlow('Hello {name}. Thank you for your order.'),
    );
    // Both prefetches reach the synthesizer (after a disk cache look-up: slower on a loaded machine).
    while (speech.pending() < 3) await tick();
    speech.finish();
    await tick();
    call.answer();
    await run;
    const voice = { language: 'en' as const, voice: 'en-us', rate: 1, pitch: 50 };
    expect((await prompts.render('Thank you for your order.', voice)).source).toBe('memory');
    const again = prompts.render('Hello Robin.', voice);
    await tick();
    speech.finish();
    expect((await again).source).toBe('synthesized');
  });
});
