/**
 * openingPrompts: what the bot renders while the phone rings must be exactly what the dialog then
 * says first (text and personal mark), for the sample flows and for a chain of says.
 */
import { describe, expect, it } from 'vitest';

import { CompiledFlow } from './compile.js';
import { openingPrompts } from './opening.js';
import { DialogRuntime } from './runtime.js';
import { APPOINTMENT_EN, BILL_REMINDER_ZH } from './samples/index.js';
import { type PromptPart, promptParts } from './template.js';
import { ScriptedChannel } from './testing/scripted-channel.js';
import type { DialogContact, SayOptions } from './types.js';
import { validateFlow } from './validate.js';

class RecordingChannel extends ScriptedChannel {
  readonly says: Array<{ text: string; personal: boolean; parts?: PromptPart[] }> = [];
  override say(text: string, options: SayOptions): Promise<{ completed: boolean }> {
    const { personal = false, parts } = options;
    this.says.push({ text, personal, ...(parts ? { parts } : {}) });
    return super.say(text, options);
  }
}

/** The says of a run whose customer never answers (the first question is asked, then re-asked). */
async function firstSays(compiled: CompiledFlow, contact: DialogContact, count: number) {
  const channel = new RecordingChannel([]);
  await new DialogRuntime({ flow: compiled, channel, contact }).run();
  return channel.says.slice(0, count);
}

describe('openingPrompts', () => {
  it('is what the dialog says first, filled in for the contact', async () => {
    const cases: Array<[CompiledFlow, DialogContact]> = [
      [
        new CompiledFlow(validateFlow(BILL_REMINDER_ZH), 1),
        {
          fields: { name: '张先生', amount: 1280.5, due_date: '12月5日' },
          timeZone: 'Asia/Shanghai',
        },
      ],
      [
        new CompiledFlow(validateFlow(APPOINTMENT_EN), 1),
        {
          fields: { name: 'Ann', appointment_date: 'December 2', appointment_time: '9:30 AM' },
          timeZone: 'America/New_York',
        },
      ],
    ];
    for (const [compiled, contact] of cases) {
      const opening = openingPrompts(compiled, contact);
      expect(opening.length).toBeGreaterThan(0);
      expect(opening.some((p) => p.personal)).toBe(true);
      expect(await firstSays(compiled, contact, opening.length)).toEqual(opening);
    }
  });

  it('follows says to the first question, with flow defaults under contact fields; stops at a branch', async () => {
    const flow = validateFlow({
      id: 'opening',
      name: 'Opening',
      language: 'en',
      start: 'hi',
      variables: { company: 'Acme', name: 'customer' },
      nodes: {
        hi: {
          kind: 'say',
          text: 'Hello {name}, this is {company}. We are calling about your order. It ships {day}.',
          next: 'note',
        },
        note: { kind: 'say', text: 'This call is recorded.', next: 'q' },
        q: {
          kind: 'ask',
          prompt: 'Is now a good time?',
          intents: [{ name: 'yes', examples: ['yes'], next: 'b' }],
          noInput: { maxAttempts: 1, next: 'bye' },
          noMatch: { maxAttempts: 1, next: 'bye' },
        },
        b: { kind: 'branch', conditions: [], else: 'bye' },
        bye: { kind: 'hangup', say: 'Goodbye {name}.', disposition: 'completed' },
      },
    });
    const compiled = new CompiledFlow(flow, 1);
    const contact = { fields: { name: 'Robin', day: 'on Monday' }, timeZone: 'UTC' };
    const opening = openingPrompts(compiled, contact);
    expect(opening).toEqual([
      {
        text: 'Hello Robin, this is Acme. We are calling about your order. It ships on Monday.',
        personal: true,
        // Said sentence by sentence: the one without contact data through the shared cache.
        parts: [
          { text: 'Hello Robin, this is Acme.', personal: true },
          { text: 'We are calling about your order.', personal: false },
          { text: 'It ships on Monday.', personal: true },
        ],
      },
      { text: 'This call is recorded.', personal: false },
      { text: 'Is now a good time?', personal: false },
    ]);
    expect(await firstSays(compiled, contact, 3)).toEqual(opening);

    const branching = validateFlow({ ...flow, start: 'b' });
    expect(openingPrompts(new CompiledFlow(branching, 1), contact)).toEqual([]);

    // The disclosure comes first, a static prompt (the shared prompt cache holds it).
    const disclosed = new CompiledFlow(validateFlow({ ...flow, disclosure: {} }), 1);
    const withDisclosure = openingPrompts(disclosed, contact);
    expect(withDisclosure).toEqual([
      { text: 'This call is from an automated AI assistant and is recorded.', personal: false },
      ...opening,
    ]);
    expect(await firstSays(disclosed, contact, 4)).toEqual(withDisclosure);
  });
});

describe('promptParts', () => {
  const lookup = (name: string) =>
    ({ name: 'Robin', amount: 1280.5, bank: '招商银行' })[name as 'name' | 'amount' | 'bank'];
  it('splits a personal prompt into sentences, static neighbours together', () => {
    expect(
      promptParts('Hello {name}. Can you confirm your order? Please say yes or no.', lookup),
    ).toEqual([
      { text: 'Hello Robin.', personal: true },
      { text: 'Can you confirm your order? Please say yes or no.', personal: false },
    ]);
    expect(promptParts('{name}您好。您本期账单{amount}元。请问您什么时候还款？', lookup)).toEqual([
      { text: 'Robin您好。', personal: true },
      { text: '您本期账单1280.5元。', personal: true },
      { text: '请问您什么时候还款？', personal: false },
    ]);
  });
  it('keeps abbreviations, decimals and a missing variable whole', () => {
    expect(promptParts('Hello Mr. {name}, you owe {amount}. Thanks.', lookup)).toEqual([
      { text: 'Hello Mr. Robin, you owe 1280.5.', personal: true },
      { text: 'Thanks.', personal: false },
    ]);
    expect(promptParts('{missing}. Hello.', lookup)).toEqual([{ text: 'Hello.', personal: false }]);
  });
});
