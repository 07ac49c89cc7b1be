/**
 * The ask node's confirmation (issue 12, item 4) over a scripted customer: an unsure answer (the
 * classifier's or the recognizer's `uncertain`) is confirmed before it is acted on; yes takes it,
 * no re-asks the question; `confirm: always` / `never`; the events and the bot lines a transcript shows.
 */
import { describe, expect, it } from 'vitest';

import { extractEntities } from '../../nlu/entities.js';
import { IntentClassifier, type IntentResult, NO_MATCH } from '../../nlu/intents.js';
import { CompiledFlow } from '../compile.js';
import { confirmationQuestion, confirmationReply } from '../confirm.js';
import { DialogRuntime } from '../runtime.js';
import { APPOINTMENT_EN } from '../samples/index.js';
import type { NodeOf } from '../schema.js';
import { type ScriptedAnswer, ScriptedChannel } from '../testing/scripted-channel.js';
import type { DialogEvent } from '../types.js';
import { validateFlow } from '../validate.js';
import { recognizeText } from './ask.js';

type Confirm = 'auto' | 'always' | 'never';

function flowFile(confirm?: Confirm, language: 'en' | 'zh-CN' = 'en'): unknown {
  return {
    id: 'delivery',
    name: 'delivery',
    language,
    start: 'ask',
    nodes: {
      ask: {
        kind: 'ask',
        prompt: language === 'en' ? 'Will someone be home tomorrow?' : '明天家里有人吗？',
        ...(confirm ? { confirm } : {}),
        intents: [
          {
            name: 'home',
            use: 'affirm',
            examples:
              language === 'en'
                ? ['someone will be there', 'I will be home']
                : ['家里有人', '有人在'],
            dtmf: '1',
            next: 'booked',
          },
          {
            name: 'away',
            use: 'deny',
            examples:
              language === 'en' ? ["I won't be home", 'nobody will be there'] : ['家里没人'],
            confirmPrompt: language === 'en' ? "you won't be home" : '明天家里没人',
            dtmf: '2',
            next: 'moved',
          },
        ],
        noInput: { prompt: 'Are you there?', maxAttempts: 2, next: 'no_response' },
        noMatch: { prompt: 'Sorry, I did not catch that.', maxAttempts: 2, next: 'unclear' },
      },
      booked: { kind: 'hangup', disposition: 'booked' },
      moved: { kind: 'hangup', disposition: 'moved' },
      no_response: { kind: 'hangup', disposition: 'no_response' },
      unclear: { kind: 'hangup', disposition: 'unclear' },
    },
  };
}

/**
 * A compiled flow whose classifier says every answer is unsure about its real best intent (what
 * the text NLU does between its accept and reject thresholds), or certain when `sure` is set.
 */
class BandedFlow extends CompiledFlow {
  constructor(
    confirm: Confirm | undefined,
    private readonly sure = false,
    language: 'en' | 'zh-CN' = 'en',
  ) {
    super(validateFlow(flowFile(confirm, language)), 1);
  }
  override classifier(node: NodeOf<'ask'>): IntentClassifier | null {
    const real = super.classifier(node);
    if (!real) return null;
    const sure = this.sure;
    return new (class extends IntentClassifier {
      override classify(text: string): IntentResult & { uncertain?: boolean } {
        const r = real.classify(text);
        return sure ? r : { ...r, confidence: 0.4, uncertain: true };
      }
    })({ x: ['x'] });
  }
}

async function run(flow: CompiledFlow, script: ScriptedAnswer[]) {
  const channel = new ScriptedChannel(script);
  const runtime = new DialogRuntime({
    flow,
    channel,
    contact: { fields: {}, timeZone: 'UTC' },
    now: () => new Date('2026-12-01T10:00:00Z'),
  });
  const events: DialogEvent[] = [];
  runtime.on((e) => events.push(e));
  const outcome = await runtime.run();
  const confirmations = events.flatMap((e) => (e.type === 'confirmation' ? [e] : []));
  const answers = events.flatMap((e) => (e.type === 'answer' ? [e] : []));
  return { outcome, channel, events, confirmations, answers };
}

const CHECK_AWAY = "Just to check: you won't be home, is that right?";

describe('ask node: confirmation when unsure', () => {
  it('uncertain → "Just to check" → yes → the intent is taken', async () => {
    const { outcome, channel, confirmations, answers, events } = await run(
      new BandedFlow(undefined),
      ["I won't be home", 'yes'],
    );
    expect(outcome.disposition).toBe('moved');
    expect(channel.said).toEqual(['Will someone be home tomorrow?', CHECK_AWAY]);
    // The confirmation is listened for as such (a speech channel uses the affirm/deny model).
    const listens = channel.actions.filter((a) => a.type === 'listen');
    expect(listens.map((a) => (a.type === 'listen' ? a.expect : null))).toEqual([
      undefined,
      'confirmation',
    ]);
    expect(confirmations).toEqual([
      expect.objectContaining({
        nodeId: 'ask',
        intent: 'away',
        prompt: CHECK_AWAY,
        text: 'yes',
        result: 'confirmed',
      }),
    ]);
    expect(answers).toEqual([
      expect.objectContaining({ intent: 'away', text: "I won't be home", matchedBy: 'classifier' }),
    ]);
    // The transcript: the confirmation is a bot prompt like any other, then the answer.
    const order = events
      .filter((e) => e.type === 'prompt' || e.type === 'confirmation' || e.type === 'answer')
      .map((e) => e.type);
    expect(order).toEqual(['prompt', 'prompt', 'confirmation', 'answer']);
  });

  it('uncertain → no → the question is asked again (a no-match attempt); then a sure yes', async () => {
    const { outcome, channel, confirmations } = await run(new BandedFlow(undefined), [
      "I won't be home",
      'no',
      { dtmf: '1' },
    ]);
    expect(outcome.disposition).toBe('booked');
    expect(channel.said).toEqual([
      'Will someone be home tomorrow?',
      CHECK_AWAY,
      'Will someone be home tomorrow?',
    ]);
    expect(confirmations).toEqual([
      expect.objectContaining({ result: 'denied', text: 'no', attempt: 1, exhausted: false }),
    ]);
  });

  it('a "no" every time ends on the no-match branch after maxAttempts', async () => {
    const { outcome, confirmations } = await run(new BandedFlow(undefined), [
      "I won't be home",
      'no',
      "I won't be home",
      'not really',
    ]);
    expect(outcome.disposition).toBe('unclear');
    expect(confirmations.map((c) => [c.result, c.attempt, c.exhausted])).toEqual([
      ['denied', 1, false],
      ['denied', 2, true],
    ]);
  });

  it('an unclear reply re-asks with the no-match prompt; silence counts as no input', async () => {
    const { outcome, channel, confirmations } = await run(new BandedFlow(undefined), [
      'someone will be there',
      'I am not sure',
      'someone will be there',
      { silence: true },
      'someone will be there',
      { silence: true },
    ]);
    expect(confirmations.map((c) => c.result)).toEqual(['unclear', 'no_input', 'no_input']);
    expect(outcome.disposition).toBe('no_response');
    expect(channel.said[2]).toBe('Sorry, I did not catch that.');
    expect(channel.said[4]).toBe('Are you there?');
  });

  it('a key pressed at the confirmation is taken as that answer', async () => {
    const { outcome, confirmations, answers } = await run(new BandedFlow(undefined), [
      "I won't be home",
      { dtmf: '1' },
    ]);
    expect(outcome.disposition).toBe('booked');
    expect(confirmations.map((c) => c.result)).toEqual(['denied']);
    expect(answers).toEqual([expect.objectContaining({ intent: 'home', matchedBy: 'dtmf' })]);
  });

  it('confirm: never acts on the unsure answer at once', async () => {
    const { outcome, channel, confirmations } = await run(new BandedFlow('never'), [
      "I won't be home",
    ]);
    expect(outcome.disposition).toBe('moved');
    expect(confirmations).toEqual([]);
    expect(channel.said).toEqual(['Will someone be home tomorrow?']);
  });

  it('confirm: always confirms a sure answer too, but never a key', async () => {
    const sure = await run(new BandedFlow('always', true), ['someone will be there', 'yes please']);
    expect(sure.outcome.disposition).toBe('booked');
    expect(sure.channel.said[1]).toBe(
      'Just to check: you said "someone will be there", is that right?',
    );
    expect(sure.confirmations.map((c) => c.result)).toEqual(['confirmed']);
    const key = await run(new BandedFlow('always', true), [{ dtmf: '2' }]);
    expect(key.outcome.disposition).toBe('moved');
    expect(key.confirmations).toEqual([]);
  });

  it('auto does not confirm a sure answer', async () => {
    const { outcome, confirmations } = await run(new BandedFlow('auto', true), ["I won't be home"]);
    expect(outcome.disposition).toBe('moved');
    expect(confirmations).toEqual([]);
  });

  it("speech: the recognizer's uncertain intent is confirmed with its affirm/deny answer", async () => {
    const flow = new CompiledFlow(validateFlow(flowFile()), 1);
    const { outcome, channel, confirmations, answers } = await run(flow, [
      {
        heard: {
          kind: 'text',
          text: 'nobody will be there',
          intent: 'away',
          confidence: 0.41,
          uncertain: true,
        },
      },
      { heard: { kind: 'text', text: 'yes', intent: 'affirm', confidence: 0.9 } },
    ]);
    expect(outcome.disposition).toBe('moved');
    expect(channel.said[1]).toBe(CHECK_AWAY);
    expect(confirmations.map((c) => c.result)).toEqual(['confirmed']);
    expect(answers).toEqual([
      expect.objectContaining({ intent: 'away', matchedBy: 'recognizer', confidence: 0.41 }),
    ]);
    // A deny from the model re-asks; a recognizer that is sure is not confirmed.
    const denied = await run(flow, [
      { heard: { kind: 'text', text: 'nobody will be there', intent: 'away', uncertain: true } },
      { heard: { kind: 'text', text: 'no', intent: 'deny' } },
      { heard: { kind: 'text', text: 'someone will be there', intent: 'home' } },
    ]);
    expect(denied.outcome.disposition).toBe('booked');
    expect(denied.confirmations.map((c) => c.result)).toEqual(['denied']);
    const noMatch = await run(flow, [
      { heard: { kind: 'text', text: 'nobody will be there', intent: 'away', uncertain: true } },
      { heard: { kind: 'no_match', confidence: 0.2 } },
      { heard: { kind: 'text', text: 'someone will be there', intent: 'home' } },
    ]);
    expect(noMatch.confirmations.map((c) => c.result)).toEqual(['unclear']);
    expect(noMatch.outcome.disposition).toBe('booked');
  });

  it('Mandarin: 您是说…，对吗？ and 不是 is a no', async () => {
    const { outcome, channel, confirmations } = await run(
      new BandedFlow(undefined, false, 'zh-CN'),
      ['家里没人', '不是', '家里没人', '对'],
    );
    expect(channel.said[1]).toBe('您是说明天家里没人，对吗？');
    expect(confirmations.map((c) => c.result)).toEqual(['denied', 'confirmed']);
    expect(outcome.disposition).toBe('moved');
  });
});

describe('confirmation texts', () => {
  const flow = validateFlow(flowFile());
  const ask = flow.nodes['ask'] as NodeOf<'ask'>;

  it('says the confirmPrompt, else the first example, else the common answer, else the name', () => {
    expect(confirmationQuestion(ask.intents[1]!, 'en')).toBe(CHECK_AWAY);
    expect(confirmationQuestion(ask.intents[0]!, 'en')).toBe(
      'Just to check: you said "someone will be there", is that right?',
    );
    const bare = { name: 'call_me_later', use: 'busy' as const, next: 'x' };
    expect(confirmationQuestion(bare, 'en')).toBe(
      'Just to check: now is not a good time, is that right?',
    );
    expect(confirmationQuestion(bare, 'zh-CN')).toBe('您是说现在不方便，对吗？');
    expect(confirmationQuestion({ name: 'call_me_later', next: 'x', dtmf: '3' }, 'en')).toBe(
      'Just to check: call me later, is that right?',
    );
  });

  it('reads yes, no (negation included) and neither', () => {
    expect(confirmationReply('yes that is right', 'en')).toBe('affirm');
    expect(confirmationReply('对的', 'zh-CN')).toBe('affirm');
    expect(confirmationReply('not really', 'en')).toBe('deny');
    expect(confirmationReply('不是', 'zh-CN')).toBe('deny');
    expect(confirmationReply('不对', 'zh-CN')).toBe('deny');
    expect(confirmationReply("I'm not sure", 'en')).toBe('unclear');
    expect(confirmationReply('what is the weather', 'en')).toBe('unclear');
    expect(confirmationReply('今天天气不错', 'zh-CN')).toBe('unclear');
  });
});

describe('ask node: a key said aloud', () => {
  it('takes "one" or 按二 as the intent of that key, never as a classifier guess', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const compiled = new CompiledFlow(validateFlow(flowFile(undefined, language)), 1);
      const node = compiled.flow.nodes.ask as NodeOf<'ask'>;
      const noEntities = extractEntities('', { reference: new Date(0), timeZone: 'UTC' });
      const one = recognizeText(compiled, node, language === 'en' ? 'one' : '一', noEntities);
      expect(one.intent?.name).toBe('home');
      expect(one.matchedBy).toBe('dtmf');
      expect(one.uncertain).toBe(false);
      const two = recognizeText(
        compiled,
        node,
        language === 'en' ? 'press two' : '按二',
        noEntities,
      );
      expect(two.intent?.name).toBe('away');
      // A key no intent has is no answer by key.
      expect(recognizeText(compiled, node, 'seven', noEntities).matchedBy).not.toBe('dtmf');
    }
  });
});

describe('ask node: an answer inside a longer reply (the English sample flow)', () => {
  const compiled = new CompiledFlow(validateFlow(APPOINTMENT_EN), 1);
  const node = compiled.flow.nodes.confirm as NodeOf<'ask'>;
  const classifier = compiled.classifier(node)!;
  const noEntities = extractEntities('', { reference: new Date(0), timeZone: 'UTC' });
  const heard = (text: string) => recognizeText(compiled, node, text, noEntities);

  it('finds the one answer a clause holds, to be confirmed, when the whole says nothing it knows', () => {
    const text = 'sure, my daughter is driving me over';
    expect(classifier.classify(text).intent).toBe(NO_MATCH);
    const r = heard(text);
    expect(r.intent?.name).toBe('confirm');
    expect(r.uncertain).toBe(true);
  });

  it('counts only what follows a contrast word', () => {
    // Without the contrast rule the clauses disagree ("yes" against "can we move it").
    const text = "yes, but I'm stuck at my nan's in Bristol, can we move it";
    expect(classifier.classify(text).intent).toBe(NO_MATCH);
    expect(classifier.classify('yes').intent).toBe('confirm');
    expect(heard(text).intent?.name).toBe('reschedule');
  });

  it('takes no answer from a clause beside one clearly about something else', () => {
    expect(classifier.classify('yes').intent).toBe('confirm');
    expect(heard('yes, the pasta needs more salt').intent).toBeNull();
  });
});
