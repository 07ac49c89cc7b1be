/**
 * CallBot at a sensitive node, on fakes (bot/testing/call-harness.ts): a collect node takes keys
 * one by one while the customer talks (speech neither answers nor holds its timers), the session's
 * sensitive span covers the prompt and the input, only the masked digits are noted, and the
 * thank-you says them masked; a sensitive ask node's answer is stored in the transcript masked.
 * The recording's silence in the span is CallSession's (telephony/call-session.test.ts); over the
 * real SIP bed: test/e2e/sensitive-entry.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { botHarness } from './testing/call-harness.js';

const CARD = '6222021234567894';
const PROMPT = 'Key in your card number, then hash.';
const THANKS = 'Thanks, card {card} noted.';

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

const cardFlow = {
  id: 'card',
  name: 'Card',
  language: 'en',
  start: 'card',
  nodes: {
    card: {
      kind: 'collect',
      prompt: PROMPT,
      variable: 'card',
      check: 'luhn',
      digits: { min: 16, max: 19, interDigitTimeoutMs: 3000 },
      sensitive: true,
      next: 'thanks',
      noInput: 'bye',
      invalid: 'bye',
    },
    thanks: { kind: 'hangup', say: THANKS, disposition: 'card_taken' },
    bye: { kind: 'hangup', disposition: 'no_card' },
  },
};

describe('CallBot at a sensitive collect node', () => {
  it('takes keys while the customer talks, inside one sensitive span; notes and says only the masked number', async () => {
    const h = botHarness({ flow: cardFlow });
    const run = h.run();
    await h.customer.answer();
    await h.customer.silent(PROMPT.length * 20 + 200);
    // Talking over the keys: speech neither answers a collect node nor holds its timers.
    await h.customer.says(800, { intent: 'anything', phrase: 'six two two two' });
    for (const key of CARD) {
      h.customer.press(key);
      await h.customer.silent(100);
    }
    await h.customer.says(600);
    h.customer.press('#');
    await h.customer.silentUntilEnd(10_000);
    const outcome = await run;
    expect(outcome?.path).toEqual(['card', 'thanks']);
    expect(h.disposition).toBe('card_taken');
    const types = h.events.map((e) => e.type);
    const start = types.indexOf('sensitive_started');
    const end = types.indexOf('sensitive_ended');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    // The card prompt went out inside the span, the thank-you after it.
    const prompts = h.events.filter((e) => e.type === 'bot_prompt');
    expect(prompts.map((e) => e.data.nodeId)).toEqual(['card', 'thanks']);
    expect(prompts[0]!.at).toBeGreaterThanOrEqual(h.events[start]!.at);
    expect(prompts[1]!.at).toBeGreaterThanOrEqual(h.events[end]!.at);
    expect(h.of('digits_collected').map((e) => e.data)).toEqual([
      {
        nodeId: 'card',
        result: 'collected',
        masked: '622202******7894',
        count: 16,
        endedBy: 'terminator',
        attempt: 1,
      },
    ]);
    expect(h.utterances.find((u) => u.speaker === 'bot' && u.nodeId === 'thanks')?.text).toBe(
      'Thanks, card 622202******7894 noted.',
    );
    expect(JSON.stringify([h.events, h.utterances, h.stored, outcome])).not.toContain(CARD);
  });

  it('a pause longer than interDigitTimeoutMs ends the input even while the customer talks', async () => {
    const h = botHarness({ flow: cardFlow });
    const run = h.run();
    await h.customer.answer();
    await h.customer.silent(PROMPT.length * 20 + 200);
    for (const key of '6222') {
      h.customer.press(key);
      await h.customer.silent(100);
    }
    // 3.4 s of talk and no key: the input ends at the inter-digit timeout, too short (invalid).
    await h.customer.says(3400);
    await h.customer.silentUntilEnd(60_000);
    await run;
    expect(h.of('digits_collected')[0]?.data).toMatchObject({
      result: 'invalid',
      count: 4,
      endedBy: 'timeout',
      masked: '****',
    });
  });
});

describe('CallBot at a sensitive ask node', () => {
  it("stores the customer's answer masked in the transcript", async () => {
    const h = botHarness({
      flow: {
        id: 'phone',
        name: 'Phone',
        language: 'en',
        start: 'ask',
        nodes: {
          ask: {
            kind: 'ask',
            prompt: 'Which number can we reach you on?',
            sensitive: true,
            timeoutMs: 2000,
            intents: [{ name: 'gave', examples: ['my number is'], next: 'bye' }],
            noInput: { maxAttempts: 1, next: 'bye' },
            noMatch: { maxAttempts: 1, next: 'bye' },
          },
          bye: { kind: 'hangup', say: 'Thank you.', disposition: 'completed' },
        },
      },
    });
    const run = h.run();
    await h.customer.answer();
    await h.customer.silent(34 * 20 + 300);
    await h.customer.says(1200, { intent: 'gave', phrase: 'my number is 13812345678' });
    await h.customer.silentUntilEnd(10_000);
    await run;
    const customer = h.stored.filter((u) => u.speaker === 'customer');
    expect(customer.map((u) => u.text)).toEqual(['my number is 138****5678']);
    expect(JSON.stringify([h.events, h.stored, h.utterances])).not.toContain('13812345678');
    expect(h.of('sensitive_started')).toHaveLength(1);
    expect(h.of('sensitive_ended')).toHaveLength(1);
  });
});
