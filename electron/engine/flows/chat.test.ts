import { afterEach, describe, expect, it } from 'vitest';

import { APPOINTMENT_EN, validateFlow } from '../dialog/index.js';
import { FlowChats } from './chat.js';
import { parseChatLine } from './text-channel.js';

const appointment = validateFlow(APPOINTMENT_EN);
const contact = {
  fields: { name: 'Alex', appointment_date: 'Friday', appointment_time: '3 pm' },
  timeZone: 'America/New_York',
};

describe('parseChatLine', () => {
  it('reads key presses, silence and text as the CLI always did', () => {
    expect(parseChatLine('#12*')).toEqual({ kind: 'dtmf', digits: '12*' });
    expect(parseChatLine('   ')).toEqual({ kind: 'no_input' });
    expect(parseChatLine(' yes ')).toEqual({ kind: 'text', text: 'yes' });
  });
});

describe('FlowChats', () => {
  const opened: FlowChats[] = [];
  afterEach(() => opened.splice(0).forEach((c) => c.close()));
  const chats = (options?: ConstructorParameters<typeof FlowChats>[0]) => {
    const c = new FlowChats(options);
    opened.push(c);
    return c;
  };

  it('shows a confirmation: the question as a bot prompt, the reply, and why (confirm: always)', async () => {
    const definition = structuredClone(APPOINTMENT_EN) as { nodes: Array<Record<string, unknown>> };
    const ask = definition.nodes.find((n) => n['id'] === 'confirm')!;
    ask['confirm'] = 'always';
    const c = chats();
    const start = await c.start(validateFlow(definition), 1, 'appointment-confirm-en', contact);
    const asked = await c.send(start.chatId, { kind: 'text', text: 'I can make it' });
    expect(asked.turns.map((t) => [t.speaker, t.kind])).toEqual([
      ['customer', 'text'],
      ['bot', 'prompt'],
    ]);
    expect(asked.turns[1]?.text).toBe("Just to check: you'll be there, is that right?");
    const step = await c.send(start.chatId, { kind: 'text', text: 'yes' });
    expect(step.turns.slice(0, 2)).toEqual([
      expect.objectContaining({ speaker: 'customer', text: 'yes' }),
      expect.objectContaining({
        speaker: 'system',
        kind: 'confirmation',
        intent: 'confirm',
        result: 'confirmed',
      }),
    ]);
    expect(step.ended).toEqual({ reason: 'hangup', disposition: 'confirmed' });
  });

  it('runs to the first question, then turn by turn to the end with the intent and confidence', async () => {
    const c = chats();
    const start = await c.start(appointment, 1, 'appointment-confirm-en', contact);
    expect(start.ended).toBeNull();
    expect(start.turns.map((t) => [t.speaker, t.kind, t.nodeId])).toEqual([
      ['bot', 'prompt', '$disclosure'],
      ['bot', 'prompt', 'greet'],
      ['bot', 'prompt', 'confirm'],
    ]);
    expect(start.turns[0]?.text).toBe(
      'This call is from an automated AI assistant and is recorded.',
    );
    expect(start.turns[1]?.text).toBe(
      'Hello Alex, this is Riverside Clinic calling about your appointment on Friday at 3 pm.',
    );

    const step = await c.send(start.chatId, { kind: 'text', text: 'yes' });
    expect(step.turns[0]).toMatchObject({
      speaker: 'customer',
      kind: 'text',
      text: 'yes',
      nodeId: 'confirm',
      intent: 'confirm',
      matchedBy: 'classifier',
    });
    expect(step.turns[0]?.confidence).toBeGreaterThan(0.5);
    expect(step.turns.map((t) => t.kind)).toEqual(['text', 'variable_set', 'prompt', 'ended']);
    expect(step.turns[1]).toMatchObject({
      speaker: 'system',
      name: 'appointment_status',
      value: 'confirmed',
    });
    expect(step.ended).toEqual({ reason: 'hangup', disposition: 'confirmed' });
    await expect(c.send(start.chatId, { kind: 'text', text: 'hello?' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('shows silence, a no-match and a key press as turns that say why the bot went on', async () => {
    const c = chats();
    const { chatId } = await c.start(appointment, 1, 'appointment-confirm-en', contact);
    const silent = await c.send(chatId, { kind: 'no_input' });
    expect(silent.turns.map((t) => [t.speaker, t.kind])).toEqual([
      ['customer', 'silence'],
      ['system', 'no_input'],
      ['bot', 'prompt'],
    ]);
    expect(silent.turns[1]).toMatchObject({ attempt: 1, exhausted: false, nodeId: 'confirm' });
    const unclear = await c.send(chatId, { kind: 'text', text: 'purple elephants dance quietly' });
    expect(unclear.turns.map((t) => t.kind)).toEqual(['text', 'no_match', 'prompt']);
    const key = await c.send(chatId, { kind: 'dtmf', digits: '0' });
    expect(key.turns[0]).toMatchObject({
      kind: 'dtmf',
      text: '#0',
      intent: 'agent',
      confidence: 1,
      matchedBy: 'dtmf',
    });
    expect(key.turns.map((t) => t.kind)).toContain('transfer');
    expect(key.ended).toMatchObject({ reason: 'transfer', transfer: { queue: 'front_desk' } });
  });

  it('drops a chat after the idle time and says so', async () => {
    let now = 0;
    const c = chats({ idleMs: 60_000, now: () => now });
    const { chatId } = await c.start(appointment, 1, 'appointment-confirm-en', contact);
    now = 60_001;
    await expect(c.send(chatId, { kind: 'text', text: 'yes' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('1 minutes without a message'),
    });
    expect(c.size).toBe(0);
  });

  it('stops a chat (twice is fine)', async () => {
    const c = chats();
    const { chatId } = await c.start(appointment, 1, 'appointment-confirm-en', contact);
    c.stop(chatId);
    c.stop(chatId);
    await expect(c.send(chatId, { kind: 'no_input' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
