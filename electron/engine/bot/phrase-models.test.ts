import { describe, expect, it } from 'vitest';
import { APPOINTMENT_EN, BILL_REMINDER_ZH, validateFlow, type NodeOf } from '../dialog/index.js';
import { askQuestion, questionKey, staticPrompts } from './phrase-models.js';

describe('the phrase questions of a flow', () => {
  it('takes each ask node\'s example phrases in the flow\'s language, once each, with their intents', () => {
    const flow = validateFlow(BILL_REMINDER_ZH);
    const question = askQuestion(flow.nodes.ask_pay as NodeOf<'ask'>, flow.language);
    expect(question?.language).toBe('zh-CN');
    expect(question?.phrases).toContainEqual({ text: '明天还', intent: 'tomorrow' });
    expect(question?.phrases).toContainEqual({ text: '转人工', intent: 'agent' });
    expect(new Set(question?.phrases.map((p) => p.text)).size).toBe(question?.phrases.length);
  });

  it('splits a mixed example list by script, and gives no question when nothing is left', () => {
    const node = {
      id: 'q',
      kind: 'ask',
      prompt: 'x',
      intents: [
        { name: 'yes', examples: ['yes', '是的', 'Yes '], next: 'q' },
        { name: 'time', entity: 'datetime', next: 'q' },
      ],
    } as unknown as NodeOf<'ask'>;
    expect(askQuestion(node, 'en')?.phrases).toEqual([{ text: 'yes', intent: 'yes' }]);
    expect(askQuestion(node, 'zh-CN')?.phrases).toEqual([{ text: '是的', intent: 'yes' }]);
    const none = { ...node, intents: [{ name: 'time', entity: 'datetime', next: 'q' }] } as unknown as NodeOf<'ask'>;
    expect(askQuestion(none, 'en')).toBeNull();
  });

  it('keys a question by its content, so the same phrases share one trained model', () => {
    const a = { language: 'en' as const, phrases: [{ text: 'yes', intent: 'y' }] };
    expect(questionKey(a)).toBe(questionKey({ language: 'en', phrases: [{ text: 'yes', intent: 'y' }] }));
    expect(questionKey(a)).not.toBe(questionKey({ language: 'en', phrases: [{ text: 'yes', intent: 'ok' }] }));
  });

  it('lists the prompts without {variables} for rendering once per version', () => {
    const flow = validateFlow(APPOINTMENT_EN);
    const prompts = staticPrompts(flow);
    expect(prompts).toContain('No problem. When is a good time to call you back?');
    expect(prompts.some((p) => p.includes('{'))).toBe(false);
    expect(prompts.some((p) => p.startsWith('Hello'))).toBe(false); // the greeting has {name}
  });
});
