/**
 * The bot's reply latency reaches the store (bot/testing/call-harness.ts, fake clock): a prompt
 * that answers the customer stores, on its transcript line, the time from the end of their speech
 * to the prompt going out, the same figure as its bot_prompt event's sinceSpeechEndMs (the
 * wallboard's percentiles read the stored one); a prompt that answers nobody stores none.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

import { botHarness } from './testing/call-harness.js';

const QUESTION = 'Is this a good time?';
const THANKS = 'Thank you.';

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

it('stores the reply latency on the prompt that answered, and none on the others', async () => {
  const h = botHarness({
    flow: {
      id: 'latency',
      name: 'Latency',
      language: 'en',
      start: 'ask',
      nodes: {
        ask: {
          kind: 'ask',
          prompt: QUESTION,
          timeoutMs: 3000,
          intents: [{ name: 'yes', examples: ['yes'], next: 'ok' }],
          noInput: { maxAttempts: 1, next: 'ok' },
          noMatch: { maxAttempts: 1, next: 'ok' },
        },
        ok: { kind: 'hangup', say: THANKS, disposition: 'completed' },
      },
    },
  });
  const run = h.run();
  await h.customer.answer();
  await h.customer.silent(QUESTION.length * 20 + 300);
  await h.customer.says(500, { intent: 'yes' });
  await h.customer.silentUntilEnd();
  await run;
  const answered = h.of('bot_prompt').find((e) => typeof e.data.sinceSpeechEndMs === 'number');
  expect(answered).toBeDefined();
  const latency = answered?.data.sinceSpeechEndMs as number;
  expect(latency).toBeGreaterThan(0);
  const bot = h.stored.filter((line) => line.speaker === 'bot');
  expect(bot.map((line) => [line.text, line.replyLatencyMs])).toEqual([
    [QUESTION, null],
    [THANKS, latency],
  ]);
});
