/**
 * openingPrompts: what the bot renders while the phone rings must be exactly what the dialog then
 * says first (text and personal mark), for the sample flows and for a chain of says.
 */
import { describe, expect, it } from 'vitest';

import { CompiledFlow } from './compile.js';
import { openingPrompts } from './opening.js';
import { DialogRuntime } from './runtime.js';
import { APPOINTMENT_EN, BILL_REMINDER_ZH } from './samples/index.js';
import { ScriptedChannel } from './testing/scripted-channel.js';
import type { DialogContact, SayOptions } from './types.js';
import { validateFlow } from './validate.js';

class RecordingChannel extends ScriptedChannel {
  readonly says: Array<{ text: string; personal: boolean }> = [];
  override say(text: string, options: SayOptions): Promise<{ completed: boolean }> {
    this.says.push({ text, personal: options.personal ?? false });
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
        hi: { kind: 'say', text: 'Hello {name}, this is {company}.', next: 'note' },
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
    const contact = { fields: { name: 'Robin' }, timeZone: 'UTC' };
    const opening = openingPrompts(compiled, contact);
    expect(opening).toEqual([
      { text: 'Hello Robin, this is Acme.', personal: true },
      { text: 'This call is recorded.', personal: false },
      { text: 'Is now a good time?', personal: false },
    ]);
    expect(await firstSays(compiled, contact, 3)).toEqual(opening);

    const branching = validateFlow({ ...flow, start: 'b' });
    expect(openingPrompts(new CompiledFlow(branching, 1), contact)).toEqual([]);
  });
});
