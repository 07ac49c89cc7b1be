/**
 * The collect node over a scripted customer: digits keyed one at a time (a call) or at once (a
 * typed chat), the terminator, max digits and pauses; Luhn and 身份证 checks with re-prompts; and a
 * sensitive node's privacy: its span around prompt and input, only masked digits in events,
 * prompts and the outcome, the raw value only in its variable. Also a sensitive ask node.
 */
import { describe, expect, it } from 'vitest';

import { DialogRuntime } from '../runtime.js';
import {
  type ChannelAction,
  type ScriptedAnswer,
  ScriptedChannel,
} from '../testing/scripted-channel.js';
import type { DialogEvent } from '../types.js';
import { checkFlow, validateFlow } from '../validate.js';
import { digitsValid, maskDigits, normalizeDigits } from './collect.js';

/** A valid UnionPay test number (Luhn), and the same with its last digit wrong. */
const CARD = '6222021234567894';
const BAD_CARD = '6222021234567891';
/** GB 11643's own example 身份证, whose check character is X. */
const ID_CARD = '11010519491231002X';

function flowFile(collect: Record<string, unknown>): unknown {
  return {
    id: 'card',
    name: 'card',
    language: 'en',
    start: 'card',
    nodes: {
      card: {
        kind: 'collect',
        prompt: 'Please key in your card number, then the hash key.',
        variable: 'card',
        next: 'check',
        noInput: 'no_input',
        invalid: 'invalid',
        ...collect,
      },
      // The raw value is in the variable: the branch compares it with the real number.
      check: {
        kind: 'branch',
        conditions: [
          { when: { source: 'variable', key: 'card', op: 'equals', value: CARD }, next: 'thanks' },
        ],
        else: 'other',
      },
      thanks: { kind: 'say', text: 'Thank you, card {card} noted.', next: 'done' },
      other: { kind: 'hangup', disposition: 'other_value' },
      done: { kind: 'hangup', disposition: 'done' },
      no_input: { kind: 'hangup', disposition: 'no_input' },
      invalid: { kind: 'hangup', disposition: 'invalid' },
    },
  };
}

async function run(collect: Record<string, unknown>, script: ScriptedAnswer[]) {
  const flow = validateFlow(flowFile(collect));
  const channel = new ScriptedChannel(script);
  const runtime = new DialogRuntime({
    flow,
    channel,
    contact: { fields: {}, timeZone: 'Asia/Shanghai' },
  });
  const events: DialogEvent[] = [];
  runtime.on((e) => events.push(e));
  const outcome = await runtime.run();
  return { outcome, events, channel };
}

const keys = (digits: string): ScriptedAnswer[] => [...digits].map((d) => ({ dtmf: d }));

describe('collect: keying digits', () => {
  it('takes a card number key by key up to the terminator; the raw value reaches the variable only', async () => {
    const { outcome, events, channel } = await run(
      { check: 'luhn', digits: { min: 16, max: 19 } },
      [...keys(CARD), { dtmf: '#' }],
    );
    expect(outcome.path).toEqual(['card', 'check', 'thanks', 'done']);
    const digits = events.find((e) => e.type === 'digits');
    expect(digits).toMatchObject({
      result: 'collected',
      count: 16,
      endedBy: 'terminator',
      attempt: 1,
    });
    // Not sensitive: the value is shown as keyed.
    expect(digits).toMatchObject({ masked: CARD });
    expect(outcome.variables['card']).toBe(CARD);
    expect(channel.actions.some((a) => a.type === 'sensitive')).toBe(false);
    // Every wait is for keys.
    const listens = channel.actions.filter((a) => a.type === 'listen');
    expect(listens.every((a) => a.type === 'listen' && a.expect === 'digits')).toBe(true);
  });

  it('takes all the keys at once (a typed chat), ends at max digits, and ignores speech', async () => {
    const { outcome, events } = await run({ digits: { min: 4, max: 4, terminator: 'none' } }, [
      'I am looking for my card',
      { dtmf: '12' },
      { heard: { kind: 'no_match', confidence: 0.1 } },
      { dtmf: '3456' },
    ]);
    const digits = events.find((e) => e.type === 'digits');
    expect(digits).toMatchObject({ result: 'collected', count: 4, endedBy: 'max', masked: '1234' });
    expect(outcome.path).toEqual(['card', 'check', 'other']);
  });

  it('a pause after some keys ends the input (too short: invalid, asked again with the retry prompt)', async () => {
    const { outcome, events, channel } = await run(
      {
        check: 'luhn',
        digits: { min: 16, max: 19 },
        maxAttempts: 2,
        retryPrompt: 'That number is not valid. Please key it again.',
      },
      [...keys('6222'), { silence: true }, ...keys(BAD_CARD), { dtmf: '#' }],
    );
    const attempts = events.filter((e) => e.type === 'digits');
    expect(attempts).toMatchObject([
      { result: 'invalid', count: 4, endedBy: 'timeout', attempt: 1, exhausted: false },
      { result: 'invalid', count: 16, endedBy: 'terminator', attempt: 2, exhausted: true },
    ]);
    expect(channel.said).toEqual([
      'Please key in your card number, then the hash key.',
      'That number is not valid. Please key it again.',
    ]);
    expect(outcome.disposition).toBe('invalid');
    expect(outcome.variables['card']).toBeUndefined();
  });

  it('no key at all in every attempt goes to noInput', async () => {
    const { outcome, events } = await run({ maxAttempts: 2 }, [
      { silence: true },
      { silence: true },
    ]);
    expect(
      events.filter((e) => e.type === 'digits').map((e) => e.type === 'digits' && e.result),
    ).toEqual(['no_input', 'no_input']);
    expect(outcome.disposition).toBe('no_input');
  });

  it('listens with the first-digit timeout, then the inter-digit timeout', async () => {
    const { channel } = await run(
      { digits: { max: 2, firstDigitTimeoutMs: 9000, interDigitTimeoutMs: 3000 } },
      [{ dtmf: '1' }, { dtmf: '2' }],
    );
    const waits = channel.actions.flatMap((a) => (a.type === 'listen' ? [a.timeoutMs] : []));
    expect(waits[0]).toBe(9000);
    expect(waits[1]).toBeLessThanOrEqual(3000);
    expect(waits[1]).toBeGreaterThan(2900);
  });

  it('checks a 身份证 by its GB 11643 check character, X keyed as *', () => {
    const node = validateFlow(flowFile({ check: 'idCard', digits: { min: 18, max: 18 } })).nodes[
      'card'
    ];
    if (node?.kind !== 'collect') throw new Error('no collect node');
    const keyed = `${ID_CARD.slice(0, 17)}*`;
    expect(normalizeDigits('idCard', keyed)).toBe(ID_CARD);
    expect(digitsValid(node, normalizeDigits('idCard', keyed))).toBe(true);
    expect(digitsValid(node, `${ID_CARD.slice(0, 17)}5`)).toBe(false);
    expect(maskDigits('idCard', ID_CARD)).toBe('110105********002X');
    expect(maskDigits('luhn', CARD)).toBe('622202******7894');
    // Unchecked digits (a PIN) are not shown even in part.
    expect(maskDigits('none', '4321')).toBe('****');
    // A mistyped, short entry shows nothing of itself either.
    expect(maskDigits('luhn', '62220212')).toBe('********');
  });
});

describe('collect: a sensitive node', () => {
  const sensitiveCard = { check: 'luhn', digits: { min: 16, max: 19 }, sensitive: true };

  it('is a sensitive span from its prompt until its input ends; events and prompts show only the masked form', async () => {
    const { outcome, events, channel } = await run(sensitiveCard, [
      'my card number is six two two two',
      ...keys(CARD),
      { dtmf: '#' },
    ]);
    expect(outcome.path).toEqual(['card', 'check', 'thanks', 'done']);
    const kinds = channel.actions.map((a) => a.type);
    const start = kinds.indexOf('sensitive');
    const end = kinds.lastIndexOf('sensitive');
    expect(channel.actions[start]).toEqual({ type: 'sensitive', active: true, nodeId: 'card' });
    expect(channel.actions[end]).toEqual({ type: 'sensitive', active: false, nodeId: 'card' });
    // The prompt and every key wait are inside the span; the thank-you after it is not.
    const inside = channel.actions.slice(start + 1, end);
    expect(inside[0]).toMatchObject({ type: 'say' });
    expect(inside.filter((a: ChannelAction) => a.type === 'listen')).toHaveLength(CARD.length + 2);
    expect(channel.said.at(-1)).toBe('Thank you, card 622202******7894 noted.');
    expect(events.find((e) => e.type === 'digits')).toMatchObject({ masked: '622202******7894' });
    expect(events.find((e) => e.type === 'variable_set')).toMatchObject({
      name: 'card',
      value: '622202******7894',
    });
    // Nothing any listener saw holds the raw number; the outcome dropped it.
    expect(JSON.stringify(events)).not.toContain(CARD);
    expect(JSON.stringify(channel.said)).not.toContain(CARD);
    expect(outcome.variables).not.toHaveProperty('card');
  });

  it("store: 'masked' keeps the masked form in the outcome", async () => {
    const { outcome } = await run({ ...sensitiveCard, store: 'masked' }, [
      ...keys(CARD),
      { dtmf: '#' },
    ]);
    expect(outcome.variables['card']).toBe('622202******7894');
  });

  it('ends its span when the run is cancelled mid-input', async () => {
    const flow = validateFlow(flowFile(sensitiveCard));
    const channel = new ScriptedChannel([{ dtmf: '6' }, { hang: true }]);
    const runtime = new DialogRuntime({
      flow,
      channel,
      contact: { fields: {}, timeZone: 'Asia/Shanghai' },
    });
    const running = runtime.run();
    await new Promise((r) => setTimeout(r, 20));
    runtime.cancel();
    expect((await running).reason).toBe('cancelled');
    expect(channel.actions.filter((a) => a.type === 'sensitive')).toEqual([
      { type: 'sensitive', active: true, nodeId: 'card' },
      { type: 'sensitive', active: false, nodeId: 'card' },
    ]);
  });

  it('a sensitive ask node masks the answer in its events and is a span too', async () => {
    const flow = validateFlow({
      id: 'phone',
      name: 'phone',
      language: 'en',
      start: 'ask',
      nodes: {
        ask: {
          kind: 'ask',
          prompt: 'Which number can we reach you on?',
          sensitive: true,
          intents: [{ name: 'gave', entity: 'phone', next: 'done' }],
          noInput: { next: 'done' },
          noMatch: { next: 'done' },
        },
        done: { kind: 'hangup', disposition: 'done' },
      },
    });
    const channel = new ScriptedChannel(['you can call me on 13812345678']);
    const runtime = new DialogRuntime({
      flow,
      channel,
      contact: { fields: {}, timeZone: 'Asia/Shanghai' },
    });
    const events: DialogEvent[] = [];
    runtime.on((e) => events.push(e));
    await runtime.run();
    const answer = events.find((e) => e.type === 'answer');
    expect(answer).toMatchObject({ intent: 'gave', text: 'you can call me on 138****5678' });
    expect(channel.actions.filter((a) => a.type === 'sensitive')).toHaveLength(2);
  });
});

describe('collect: validation', () => {
  it.each([
    [{ digits: { min: 8, max: 4 } }, 'node "card": digits.min: 8 is more than digits.max (4)'],
    [
      { check: 'luhn', digits: { max: 12 } },
      'node "card": digits: check "luhn" needs 16–19 digits, but digits allows 1–12',
    ],
    [{ store: 'masked' }, 'node "card": store: "masked" is for a sensitive node (sensitive: true)'],
    [{ variable: '1card' }, 'node "card": variable:'],
  ])('refuses %j', (collect, message) => {
    const check = checkFlow(flowFile(collect));
    expect(check.errors.map((e) => e.text).join('\n')).toContain(message);
  });
});
