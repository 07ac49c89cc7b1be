import { describe, expect, it } from 'vitest';

import { NO_MATCH } from '../nlu/index.js';
import { CompiledFlow } from './compile.js';
import { APPOINTMENT_EN, BILL_REMINDER_ZH } from './samples/index.js';
import type { Flow, NodeOf } from './schema.js';
import { validateFlow } from './validate.js';

function askNode(flow: Flow, id: string): NodeOf<'ask'> {
  const nodes = Array.isArray(flow.nodes) ? flow.nodes : Object.values(flow.nodes);
  const node = nodes.find((n) => n.id === id);
  if (node?.kind !== 'ask') throw new Error(`no ask node ${id}`);
  return node;
}

const appointment = validateFlow(APPOINTMENT_EN);
const bill = validateFlow(BILL_REMINDER_ZH);

describe('CompiledFlow.classifier', () => {
  it("trains a question's `use` intents with the library: the issue's failed answers now match", () => {
    const confirm = new CompiledFlow(appointment).classifier(askNode(appointment, 'confirm'));
    for (const text of [
      'Yes, someone will be there.',
      'Sure thing.',
      'yeah go for it',
      'absolutely',
    ]) {
      const r = confirm?.classify(text);
      expect(r?.intent, text).toBe('confirm');
      expect(r?.uncertain, text).toBe(false);
    }
    const pay = new CompiledFlow(bill).classifier(askNode(bill, 'ask_pay'));
    expect(pay?.classify('钱早就付过了').intent).toBe('paid');
    expect(pay?.classify('你们是什么单位').intent).toBe('who');
  });

  it('rejects off-topic lines through the off-topic class', () => {
    const confirm = new CompiledFlow(appointment).classifier(askNode(appointment, 'confirm'));
    const pay = new CompiledFlow(bill).classifier(askNode(bill, 'ask_pay'));
    for (const text of ['the kettle is boiling', 'my sister lives in Leeds'])
      expect(confirm?.classify(text).intent, text).toBe(NO_MATCH);
    for (const text of ['今天的面条有点咸', '我姐姐住在杭州'])
      expect(pay?.classify(text).intent, text).toBe(NO_MATCH);
  });

  it.each([
    ['confirm', "I'm not going to be home"],
    ['confirm', "no… I won't be home"],
    ['confirm', "I can't make it"],
    ['confirm', "that doesn't work for me"],
    ['confirm', "no I'm not coming"],
    ['confirm', 'not really'],
    ['confirm', 'never mind, I will not be able to come'],
    ['confirm', "I'm not sure I can make it"],
    ['agent', "I don't want to talk to a person"],
    ['agent', 'no need for an operator'],
    ['call_later', "I'm not busy"],
    ['reschedule', "I don't want to move it"],
  ])('appointment: never %s for "%s"', (forbidden, text) => {
    const confirm = new CompiledFlow(appointment).classifier(askNode(appointment, 'confirm'));
    expect(confirm?.classify(text).intent).not.toBe(forbidden);
  });

  it.each([
    ['paid', '我还没还'],
    ['paid', '没还呢'],
    ['paid', '还没有还款'],
    ['paid', '钱还没打过去'],
    ['paid', '还没弄好'],
    ['tomorrow', '明天还不了'],
    ['tomorrow', '明天不还'],
    ['tomorrow', '明天没法还'],
    ['tomorrow', '过两天也还不上'],
    ['agent', '我不找人工'],
  ])('bill reminder: never %s for "%s"', (forbidden, text) => {
    const pay = new CompiledFlow(bill).classifier(askNode(bill, 'ask_pay'));
    expect(pay?.classify(text).intent).not.toBe(forbidden);
  });
});
