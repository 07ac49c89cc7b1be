import { describe, expect, it } from 'vitest';

import { CompiledFlow, CompiledFlowCache } from './compile.js';
import { DialogRuntime } from './runtime.js';
import { APPOINTMENT_EN, BILL_REMINDER_ZH } from './samples/index.js';
import { DEFAULT_DISCLOSURE_TEXT, DISCLOSURE_NODE_ID, type Flow } from './schema.js';
import { type ScriptedAnswer, ScriptedChannel } from './testing/scripted-channel.js';
import type { DialogChannel, DialogEvent, SayOptions } from './types.js';
import { validateFlow } from './validate.js';

const zh = new CompiledFlow(validateFlow(BILL_REMINDER_ZH), 1);
const en = new CompiledFlow(validateFlow(APPOINTMENT_EN), 1);

/** Friday 27 Nov 2026, 09:00 in Shanghai. */
const SHANGHAI_NOW = new Date('2026-11-27T01:00:00Z');
/** Friday 27 Nov 2026, 09:00 in New York. */
const NEW_YORK_NOW = new Date('2026-11-27T14:00:00Z');

const ZH_CONTACT = {
  fields: { name: '张先生', amount: 1280.5, due_date: '12月5日' },
  timeZone: 'Asia/Shanghai',
};
const EN_CONTACT = {
  fields: { name: 'Ann', appointment_date: 'December 2', appointment_time: '9:30 AM' },
  timeZone: 'America/New_York',
};

async function chat(
  flow: CompiledFlow,
  script: ScriptedAnswer[],
  who: 'zh' | 'en' = 'zh',
  fields?: Record<string, string | number>,
) {
  const channel = new ScriptedChannel(script);
  const base = who === 'zh' ? ZH_CONTACT : EN_CONTACT;
  const runtime = new DialogRuntime({
    flow,
    channel,
    contact: { ...base, fields: fields ?? base.fields },
    now: () => (who === 'zh' ? SHANGHAI_NOW : NEW_YORK_NOW),
  });
  const events: DialogEvent[] = [];
  runtime.on((e) => events.push(e));
  const outcome = await runtime.run();
  const answers = events.flatMap((e) => (e.type === 'answer' ? [e.intent] : []));
  return { outcome, channel, events, answers };
}

describe('DialogRuntime — Mandarin bill reminder', () => {
  it('明天还 → a callback tomorrow 10:00 in Asia/Shanghai, promise to pay', async () => {
    const { outcome, channel, answers } = await chat(zh, ['明天还']);
    expect(answers).toEqual(['tomorrow']);
    expect(outcome).toMatchObject({ reason: 'hangup', disposition: 'promise_to_pay' });
    expect(outcome.callbackAt?.toISOString()).toBe('2026-11-28T02:00:00.000Z'); // 10:00 +08:00
    expect(outcome.variables['callback_at']).toBe('2026-11-28T10:00:00+08:00');
    expect(channel.actions.filter((a) => a.type === 'callback')).toHaveLength(1);
    expect(channel.said.at(-1)).toBe('好的，我们会在明天10:00再联系您，请记得按时还款。再见。');
    expect(channel.actions.at(-1)).toEqual({ type: 'hangup', disposition: 'promise_to_pay' });
  });

  it('a stated time is kept: DTMF 2, then 明天下午三点 → callback tomorrow 15:00', async () => {
    const { outcome, answers, events } = await chat(zh, [{ dtmf: '2' }, '明天下午三点吧']);
    expect(answers).toEqual(['tomorrow', 'time']);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'callback_unavailable', reason: 'no_datetime' }),
    );
    expect(outcome.callbackAt?.toISOString()).toBe('2026-11-28T07:00:00.000Z');
    expect(outcome.disposition).toBe('promise_to_pay');
  });

  it('转人工 → transfer to collections', async () => {
    const { outcome, channel } = await chat(zh, ['转人工']);
    expect(outcome).toMatchObject({
      reason: 'transfer',
      disposition: 'transferred',
      transfer: { queue: 'collections', reason: '客户要求人工服务' },
    });
    expect(channel.actions.at(-1)).toEqual({
      type: 'transfer',
      queue: 'collections',
      reason: '客户要求人工服务',
    });
  });

  it('你是谁 → says who is calling and asks again; 已经还了 → paid_claimed with the variable set', async () => {
    const { outcome, channel, answers, events } = await chat(zh, ['你是谁', '我已经还了']);
    expect(answers).toEqual(['who', 'paid']);
    expect(channel.said).toContain(
      '我们是星河银行信用卡中心的智能客服，今天来电是提醒您本期账单的还款。',
    );
    expect(outcome.disposition).toBe('paid_claimed');
    expect(outcome.variables).toMatchObject({ payment_status: 'paid_claimed', answer: 'paid' });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'variable_set',
        nodeId: 'mark_paid',
        name: 'payment_status',
      }),
    );
  });

  it('不需要 → refused', async () => {
    expect((await chat(zh, ['不需要'])).outcome.disposition).toBe('refused');
  });

  it('no input twice → the exhausted branch (no_response), re-prompting once in between', async () => {
    const { outcome, channel, events } = await chat(zh, [{ silence: true }, { silence: true }]);
    expect(
      events.filter((e) => e.type === 'no_input').map((e) => e.type === 'no_input' && e.exhausted),
    ).toEqual([false, true]);
    expect(channel.said).toContain('您好，请问您还在吗？请问您今天方便还款吗？');
    expect(outcome.disposition).toBe('no_response');
    expect(outcome.path).toEqual(['greet', 'check_amount', 'disclosure', 'ask_pay', 'no_response']);
  });

  it('unrelated answers twice → no_match exhausted → transfer for an unclear intent', async () => {
    const { outcome, events } = await chat(zh, ['今天天气不错', '哈哈哈哈']);
    expect(events.filter((e) => e.type === 'no_match')).toHaveLength(2);
    expect(outcome.transfer).toEqual({ queue: 'collections', reason: '未能识别客户意图' });
  });

  it('DTMF 1 → paid; an unknown key is a no_match', async () => {
    const { outcome, events } = await chat(zh, [{ dtmf: '7' }, { dtmf: '1' }]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'no_match', input: 'dtmf', digits: '7', exhausted: false }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'answer',
        input: 'dtmf',
        digits: '1',
        intent: 'paid',
        confidence: 1,
        matchedBy: 'dtmf',
      }),
    );
    expect(outcome.disposition).toBe('paid_claimed');
  });

  it('substitutes contact fields and flow defaults; the disclosure cannot be barged in', async () => {
    const { channel } = await chat(zh, ['不需要']);
    expect(channel.actions.slice(0, 3)).toEqual([
      { type: 'say', text: '您好，本次通话由AI智能助理拨打，并将录音。', bargeIn: false },
      { type: 'say', text: '张先生您好，这里是星河银行信用卡中心。', bargeIn: true },
      {
        type: 'say',
        text: '温馨提示：您本期账单应还1280.5元，最后还款日是12月5日。',
        bargeIn: false,
      },
    ]);
  });

  it('branches on a contact field: nothing due → hang up without asking', async () => {
    const { outcome, channel } = await chat(zh, [], 'zh', { name: '李女士', amount: '0' });
    expect(outcome.disposition).toBe('nothing_due');
    expect(channel.actions.some((a) => a.type === 'listen')).toBe(false);
  });

  it('emits the transcript events in order', async () => {
    const { events } = await chat(zh, ['转人工']);
    expect(events.map((e) => e.type)).toEqual([
      'prompt', // the disclosure, before the start node
      'node_entered',
      'prompt',
      'node_entered',
      'node_entered',
      'prompt',
      'node_entered',
      'prompt',
      'answer',
      'node_entered',
      'prompt',
      'transfer',
      'ended',
    ]);
    const answer = events.find((e) => e.type === 'answer');
    expect(answer).toMatchObject({
      nodeId: 'ask_pay',
      text: '转人工',
      intent: 'agent',
      matchedBy: 'classifier',
    });
    expect(answer?.type === 'answer' && answer.confidence).toBeGreaterThan(0.5);
    expect(events.at(-1)).toEqual({
      type: 'ended',
      reason: 'transfer',
      disposition: 'transferred',
      nodeId: 'to_agent',
      atMs: SHANGHAI_NOW.getTime(),
    });
  });
});

describe('DialogRuntime — English appointment confirmation', () => {
  it('yes → confirmed', async () => {
    const { outcome, channel } = await chat(en, ['yes, I will be there'], 'en');
    expect(outcome).toMatchObject({
      reason: 'hangup',
      disposition: 'confirmed',
      variables: { appointment_status: 'confirmed' },
    });
    expect(channel.said.slice(0, 2)).toEqual([
      'This call is from an automated AI assistant and is recorded.',
      'Hello Ann, this is Riverside Clinic calling about your appointment on December 2 at 9:30 AM.',
    ]);
  });

  it('call me later + tomorrow at 3 pm → callback at 15:00 New York time', async () => {
    const { outcome, channel } = await chat(
      en,
      ['can you call me back later', 'tomorrow at 3 pm'],
      'en',
    );
    expect(outcome.disposition).toBe('callback_scheduled');
    expect(outcome.callbackAt?.toISOString()).toBe('2026-11-28T20:00:00.000Z');
    expect(channel.said.at(-1)).toBe("Thanks, we'll call you back tomorrow at 3:00 PM. Goodbye.");
  });

  it('a callback time that has passed is refused and asked again', async () => {
    const { outcome, events } = await chat(
      en,
      ['call me later', 'today at 8 am', 'next Tuesday at 10 am'],
      'en',
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'callback_unavailable', reason: 'too_soon' }),
    );
    expect(outcome.variables['callback_at']).toBe('2026-12-01T10:00:00-05:00');
  });

  it('reschedule → new time → transfer to scheduling with the time kept', async () => {
    const { outcome } = await chat(en, ['I need to reschedule', 'next Tuesday at 3 pm'], 'en');
    expect(outcome).toMatchObject({
      reason: 'transfer',
      disposition: 'reschedule_requested',
      transfer: { queue: 'scheduling' },
    });
    expect(outcome.variables['requested_time']).toBe(Date.parse('2026-12-01T15:00:00-05:00'));
  });

  it('talk to a person → front desk', async () => {
    const { outcome } = await chat(en, ['can I talk to a real person'], 'en');
    expect(outcome.transfer?.queue).toBe('front_desk');
  });

  it('opt-out by voice and by key 9', async () => {
    expect((await chat(en, ['please stop calling me'], 'en')).outcome.disposition).toBe('opt_out');
    expect((await chat(en, [{ dtmf: '9' }], 'en')).outcome.disposition).toBe('opt_out');
  });

  it('no appointment on the contact → data_error', async () => {
    expect((await chat(en, [], 'en', { name: 'Bob' })).outcome.disposition).toBe('data_error');
  });
});

describe('DialogRuntime — control', () => {
  it('cancel() mid-listen stops the run at once and touches the channel no more', async () => {
    const channel = new ScriptedChannel([{ hang: true }]);
    const runtime = new DialogRuntime({
      flow: zh,
      channel,
      contact: ZH_CONTACT,
      now: () => SHANGHAI_NOW,
    });
    const events: DialogEvent[] = [];
    runtime.on((e) => events.push(e));
    const done = runtime.run();
    await new Promise((r) => setTimeout(r, 10));
    expect(runtime.nodeId).toBe('ask_pay');
    runtime.cancel();
    const outcome = await done;
    expect(outcome).toMatchObject({ reason: 'cancelled', disposition: 'cancelled' });
    expect(events.at(-1)).toMatchObject({ type: 'ended', reason: 'cancelled', nodeId: 'ask_pay' });
    expect(channel.actions.at(-1)?.type).toBe('listen');
    expect(runtime.nodeId).toBeNull();
  });

  it('cancel() during a prompt aborts the signal the channel was given', async () => {
    let seen: AbortSignal | undefined;
    const channel: DialogChannel = {
      say: (_t, o) => {
        seen = o.signal;
        return new Promise(() => undefined);
      },
      listen: () => Promise.resolve({ kind: 'no_input' }),
      transfer: () => Promise.resolve(),
      scheduleCallback: () => Promise.resolve(),
      hangup: () => Promise.resolve(),
    };
    const runtime = new DialogRuntime({ flow: zh, channel, contact: ZH_CONTACT });
    const done = runtime.run();
    runtime.cancel();
    expect((await done).reason).toBe('cancelled');
    expect(seen?.aborted).toBe(true);
  });

  it('a channel failure ends the dialog with an error outcome, not a rejection', async () => {
    const channel = new ScriptedChannel([]);
    channel.say = () => Promise.reject(new Error('media host gone'));
    const outcome = await new DialogRuntime({ flow: zh, channel, contact: ZH_CONTACT }).run();
    expect(outcome).toMatchObject({
      reason: 'error',
      disposition: 'dialog_error',
      error: 'media host gone',
    });
  });

  it('a flow that loops without end is stopped', async () => {
    const loop: Flow = validateFlow({
      id: 'loop',
      name: 'loop',
      language: 'en',
      start: 'a',
      nodes: {
        a: { kind: 'set', assign: { x: { value: 1 } }, next: 'b' },
        b: { kind: 'branch', conditions: [], else: 'a' },
      },
    });
    const outcome = await new DialogRuntime({
      flow: loop,
      channel: new ScriptedChannel([]),
      contact: EN_CONTACT,
      maxSteps: 50,
    }).run();
    expect(outcome).toMatchObject({ reason: 'error', disposition: 'dialog_error' });
    expect(outcome.path).toHaveLength(50);
  });

  it('caches one compiled flow (and its classifiers) per flow version', () => {
    const cache = new CompiledFlowCache(2);
    const flow = validateFlow(BILL_REMINDER_ZH);
    const v1 = cache.get(flow, 1);
    expect(cache.get(flow, 1)).toBe(v1);
    const ask = flow.nodes['ask_pay'];
    if (ask?.kind !== 'ask') throw new Error('sample changed');
    expect(v1.classifier(ask)).toBe(v1.classifier(ask));
    expect(cache.get(flow, 2)).not.toBe(v1);
    cache.get(flow, 3);
    expect(cache.size).toBe(2);
    expect(cache.get(flow, 1)).not.toBe(v1); // evicted, rebuilt
  });

  it('marks prompts filled in from {variables} as personal, so no channel caches them on disk', async () => {
    class RecordingChannel extends ScriptedChannel {
      readonly personal: Array<[string, boolean | undefined]> = [];
      override say(text: string, options: SayOptions): Promise<{ completed: boolean }> {
        this.personal.push([text, options.personal]);
        return super.say(text, options);
      }
    }
    const channel = new RecordingChannel(['yes']);
    await new DialogRuntime({
      flow: en,
      channel,
      contact: EN_CONTACT,
      now: () => NEW_YORK_NOW,
    }).run();
    const [disclosure, greeting, ...rest] = channel.personal;
    // The disclosure is a fixed text: the shared prompt cache holds it.
    expect(disclosure).toEqual([
      'This call is from an automated AI assistant and is recorded.',
      false,
    ]);
    expect(greeting?.[0]).toContain('Hello Ann');
    expect(greeting?.[1]).toBe(true);
    expect(rest.length).toBeGreaterThan(0);
    for (const [text, personal] of rest)
      expect(personal, text).toBe(/Ann|December 2|9:30/.test(text));
    expect(rest.some(([, personal]) => personal === false)).toBe(true);
  });
});

describe('DialogRuntime — AI and recording disclosure', () => {
  const small = (disclosure?: unknown): Flow =>
    validateFlow({
      id: 'small',
      name: 'Small',
      language: 'en',
      start: 'ask',
      ...(disclosure !== undefined ? { disclosure } : {}),
      nodes: {
        ask: {
          kind: 'ask',
          prompt: 'Is this {name}?',
          intents: [{ name: 'yes', use: 'affirm', dtmf: '1', next: 'bye' }],
          noInput: { next: 'bye' },
          noMatch: { next: 'bye' },
        },
        bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'done' },
      },
    });

  it('is said first, whole (no barge-in), and is a prompt event of its own id', async () => {
    const flow = new CompiledFlow(small({ text: { en: 'You are talking to a robot.' } }), 1);
    const { channel, events, outcome } = await chat(flow, [{ dtmf: '1' }], 'en');
    expect(channel.actions[0]).toEqual({
      type: 'say',
      text: 'You are talking to a robot.',
      bargeIn: false,
    });
    expect(events[0]).toMatchObject({
      type: 'prompt',
      nodeId: DISCLOSURE_NODE_ID,
      text: 'You are talking to a robot.',
      bargeIn: false,
      completed: true,
    });
    // Not a node of the flow: the path starts at the start node.
    expect(outcome.path).toEqual(['ask', 'bye']);
  });

  it('says the default text in the flow language; none when off or absent', async () => {
    const on = await chat(new CompiledFlow(small({}), 1), [{ dtmf: '1' }], 'en');
    expect(on.channel.said[0]).toBe(DEFAULT_DISCLOSURE_TEXT.en);
    for (const flow of [small({ enabled: false }), small()]) {
      const { channel } = await chat(new CompiledFlow(flow, 1), [{ dtmf: '1' }], 'en');
      expect(channel.said[0]).toBe('Is this Ann?');
    }
  });

  it('a cancel during the disclosure ends the run there', async () => {
    const never: DialogChannel = {
      say: () => new Promise(() => undefined),
      listen: () => Promise.resolve({ kind: 'no_input' }),
      transfer: () => Promise.resolve(),
      scheduleCallback: () => Promise.resolve(),
      hangup: () => Promise.resolve(),
    };
    const runtime = new DialogRuntime({
      flow: small({}),
      channel: never,
      contact: EN_CONTACT,
    });
    const run = runtime.run();
    await Promise.resolve();
    expect(runtime.nodeId).toBe(DISCLOSURE_NODE_ID);
    runtime.cancel();
    await expect(run).resolves.toMatchObject({ reason: 'cancelled', path: [] });
  });
});
