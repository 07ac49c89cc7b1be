import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';

import { APPOINTMENT_EN, BILL_REMINDER_ZH } from './samples/index.js';
import { flowJsonSchema, NODE_KINDS } from './schema.js';
import { checkFlow, FlowValidationError, validateFlow } from './validate.js';

/** A small valid flow to break in each test. */
function base(): Record<string, unknown> & { nodes: Record<string, Record<string, unknown>> } {
  return {
    id: 't',
    name: 'test',
    language: 'en',
    start: 'greet',
    nodes: {
      greet: { kind: 'say', text: 'Hi {name}', next: 'confirm' },
      confirm: {
        kind: 'ask',
        prompt: 'Yes or no?',
        intents: [
          { name: 'yes', examples: ['yes'], dtmf: '1', next: 'bye' },
          { name: 'no', examples: ['no'], dtmf: '2', next: 'bye' },
        ],
        noInput: { next: 'bye' },
        noMatch: { next: 'bye' },
      },
      bye: { kind: 'hangup', disposition: 'done' },
    },
  };
}

function errorTexts(input: unknown): string[] {
  try {
    validateFlow(input);
  } catch (e) {
    expect(e).toBeInstanceOf(FlowValidationError);
    return (e as FlowValidationError).issues.map((i) => i.text);
  }
  throw new Error('expected the flow to be refused');
}

describe('validateFlow', () => {
  it('accepts a small flow, applying defaults and filling in node ids', () => {
    const flow = validateFlow(base());
    const ask = flow.nodes['confirm'];
    expect(ask?.kind).toBe('ask');
    if (ask?.kind !== 'ask') return;
    expect(ask.id).toBe('confirm');
    expect(ask.bargeIn).toBe(true);
    expect(ask.noInput.maxAttempts).toBe(2);
    expect(ask.timeoutMs).toBe(6000);
  });

  it('names the node and field of a dangling next', () => {
    const f = base();
    f.nodes['greet'] = { kind: 'say', text: 'Hi', next: 'confrim' };
    expect(errorTexts(f)).toEqual(['node "greet": next: no node "confrim"']);
  });

  it('names dangling targets inside intents, re-prompts and branches', () => {
    const f = base();
    const ask = f.nodes['confirm'] as {
      intents: Array<{ next: string }>;
      noMatch: { next: string };
    };
    ask.intents[1]!.next = 'nowhere';
    ask.noMatch.next = 'gone';
    f.nodes['route'] = {
      kind: 'branch',
      conditions: [{ when: { source: 'intent', op: 'equals', value: 'yes' }, next: 'bye' }],
      else: 'lost',
    };
    expect(errorTexts(f)).toEqual([
      'node "confirm": intents[1].next: no node "nowhere"',
      'node "confirm": noMatch.next: no node "gone"',
      'node "route": else: no node "lost"',
    ]);
  });

  it('refuses a missing start', () => {
    expect(errorTexts({ ...base(), start: 'begin' })).toEqual(['flow: start: no node "begin"']);
  });

  it('refuses an ask without intents', () => {
    const f = base();
    (f.nodes['confirm'] as { intents: unknown[] }).intents = [];
    expect(errorTexts(f)).toEqual(['node "confirm": intents: an ask needs at least one intent']);
  });

  it('refuses an intent with no examples, key or entity, and duplicate keys', () => {
    const f = base();
    (f.nodes['confirm'] as { intents: unknown[] }).intents = [
      { name: 'yes', dtmf: '1', next: 'bye' },
      { name: 'no', examples: [], dtmf: '1', next: 'bye' },
      { name: 'maybe', next: 'bye' },
    ];
    expect(errorTexts(f)).toEqual([
      'node "confirm": intents[1].dtmf: key "1" is already used by intent "yes"',
      'node "confirm": intents[2].examples: intent "maybe" has no examples, "use" (a common answer), dtmf key or entity',
    ]);
  });

  it('takes a common answer with "use" (no examples needed), confirm and confirmPrompt', () => {
    const f = base();
    f.nodes['confirm'] = {
      ...f.nodes['confirm'],
      confirm: 'always',
      intents: [
        { name: 'yes', use: 'affirm', next: 'bye' },
        {
          name: 'no',
          use: 'deny',
          examples: ['not today'],
          confirmPrompt: "you can't make it",
          next: 'bye',
        },
      ],
    };
    const ask = validateFlow(f).nodes['confirm'];
    if (ask?.kind !== 'ask') throw new Error('not an ask');
    expect(ask.confirm).toBe('always');
    expect(ask.intents.map((i) => i.use)).toEqual(['affirm', 'deny']);
    expect(validateFlow(base()).nodes['confirm']).toMatchObject({ confirm: 'auto' });
  });

  it('names the node and intent of an unknown common answer, a bad confirm mode and a confirmPrompt in another language', () => {
    const f = base();
    const ask = f.nodes['confirm'] as { intents: Array<Record<string, unknown>> };
    ask.intents[1] = { name: 'no', use: 'nope', next: 'bye' };
    f.nodes['confirm'] = { ...f.nodes['confirm'], confirm: 'sometimes' };
    const texts = errorTexts(f);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^node "confirm": confirm: /);
    expect(texts[1]).toMatch(/^node "confirm": intents\[1\]\.use: intent "no": .*"affirm"/);
    const g = base();
    (g.nodes['confirm'] as { intents: Array<Record<string, unknown>> }).intents[0]![
      'confirmPrompt'
    ] = { 'zh-CN': '可以' };
    expect(errorTexts(g)).toEqual([
      'node "confirm": intents[0].confirmPrompt: intent "yes": no text in the flow\'s language "en"',
    ]);
  });

  it('names an unknown node kind', () => {
    const f = base();
    f.nodes['bye'] = { kind: 'play', file: 'x.wav' };
    expect(errorTexts(f)).toEqual([
      `node "bye": kind: unknown kind "play" (expected one of ${NODE_KINDS.join(', ')})`,
    ]);
  });

  it('names misspelt and missing fields', () => {
    const f = base();
    f.nodes['greet'] = { kind: 'say', text: 'Hi', nxt: 'confirm' };
    expect(errorTexts(f).sort()).toEqual([
      'node "greet": next: required',
      'node "greet": unknown field "nxt"',
    ]);
  });

  it('holds transfer and hangup dispositions to the same snake_case rule, naming node and field', () => {
    const f = base();
    (f.nodes['confirm'] as { noMatch: { next: string } }).noMatch.next = 'agent';
    f.nodes['agent'] = {
      kind: 'transfer',
      queue: 'sales',
      reason: 'asked for a person',
      disposition: '=HYPERLINK("http://evil.example")',
    };
    f.nodes['bye'] = { kind: 'hangup', disposition: 'Done Now' };
    expect(errorTexts(f).sort()).toEqual([
      'node "agent": disposition: a disposition code is snake_case (e.g. promise_to_pay)',
      'node "bye": disposition: a disposition code is snake_case (e.g. promise_to_pay)',
    ]);
    f.nodes['agent'] = { kind: 'transfer', queue: 'sales', reason: 'r', disposition: '' };
    f.nodes['bye'] = { kind: 'hangup', disposition: 'done' };
    expect(errorTexts(f)).toEqual([
      'node "agent": disposition: a disposition code is snake_case (e.g. promise_to_pay)',
    ]);
    f.nodes['agent'] = { kind: 'transfer', queue: 'sales', reason: 'r', disposition: 'to_agent_2' };
    expect(validateFlow(f).nodes['agent']).toMatchObject({ disposition: 'to_agent_2' });
    delete (f.nodes['agent'] as { disposition?: string }).disposition;
    expect(validateFlow(f).nodes['agent']).toMatchObject({ disposition: 'transferred' });
  });

  it('keeps labels for its disposition codes, each code snake_case', () => {
    const f = base();
    f.dispositions = { done: { en: 'Done', 'zh-CN': '已完成' }, other: 'Other' };
    expect(validateFlow(f).dispositions).toEqual({
      done: { en: 'Done', 'zh-CN': '已完成' },
      other: 'Other',
    });
    f.dispositions = { 'Not Snake': 'x' };
    expect(errorTexts(f)).toEqual([
      'flow: dispositions.Not Snake: a disposition code is snake_case (e.g. promise_to_pay)',
    ]);
  });

  it('refuses a prompt missing in the flow language', () => {
    const f = base();
    f.language = 'zh-CN';
    f.nodes['greet'] = { kind: 'say', text: { en: 'Hello' }, next: 'confirm' };
    expect(errorTexts(f)).toEqual([`node "greet": text: no text in the flow's language "zh-CN"`]);
  });

  it('checks conditions field by field', () => {
    const f = base();
    f.nodes['greet'] = {
      kind: 'branch',
      conditions: [
        { when: { source: 'contact', key: 'amount', op: 'gt', value: 'lots' }, next: 'bye' },
        { when: { source: 'variable', op: 'exists' }, next: 'bye' },
        { when: { source: 'entity', key: 'colour', op: 'exists' }, next: 'bye' },
      ],
      else: 'confirm',
    };
    expect(errorTexts(f)).toEqual([
      'node "greet": conditions[0].when.value: op "gt" needs a number',
      'node "greet": conditions[1].when.key: source "variable" needs a key',
      'node "greet": conditions[2].when.key: unknown entity "colour" (expected one of datetime, money, number, yesno, phone)',
    ]);
  });

  it('uses the id of an array node in its errors and requires ids in the array form', () => {
    const f = base();
    const nodes: Array<Record<string, unknown>> = Object.entries(f.nodes).map(([id, n]) => ({
      id,
      ...n,
    }));
    nodes[0] = { id: 'greet', kind: 'say', text: 'Hi', next: 'confrim' };
    expect(errorTexts({ ...f, nodes })).toEqual(['node "greet": next: no node "confrim"']);
    const { id: _dropped, ...noId } = nodes[2]!;
    expect(errorTexts({ ...f, nodes: [nodes[0]!, nodes[1]!, noId] })).toContain(
      'node "#2": id: required when nodes is an array',
    );
    expect(
      errorTexts({
        ...f,
        nodes: [{ ...nodes[0]!, next: 'confirm', bargeIn: 1 }, nodes[1]!, nodes[2]!],
      }),
    ).toEqual(['node "greet": bargeIn: Invalid input: expected boolean, received number']);
  });

  it('warns about unreachable nodes without refusing the flow', () => {
    const f = base();
    f.nodes['orphan'] = { kind: 'hangup', disposition: 'x' };
    const check = checkFlow(f);
    expect(check.errors).toEqual([]);
    expect(check.flow).not.toBeNull();
    expect(check.warnings.map((w) => w.text)).toEqual([
      'node "orphan": unreachable from start "greet"',
    ]);
    expect(check.warnings[0]).toMatchObject({ severity: 'warning', nodeId: 'orphan', field: '' });
  });

  it('checks the disclosure: in the flow language, no {variables}; off is a warning', () => {
    const f = base();
    expect(
      errorTexts({ ...f, language: 'zh-CN', disclosure: { text: { en: 'A robot calls.' } } }),
    ).toContain('flow: disclosure.text: no text in the flow\'s language "zh-CN"');
    expect(errorTexts({ ...f, disclosure: { text: 'Hi {name}, a robot calls.' } })).toEqual([
      'flow: disclosure.text: a fixed text without {variables} (found {name})',
    ]);
    expect(errorTexts({ ...f, disclosure: { enabled: 'yes' } })).toEqual([
      'flow: disclosure.enabled: Invalid input: expected boolean, received string',
    ]);
    const off = checkFlow({ ...f, disclosure: { enabled: false } });
    expect(off.errors).toEqual([]);
    expect(off.flow?.disclosure).toEqual({ enabled: false });
    expect(off.warnings.map((w) => w.text)).toEqual([
      'flow: disclosure.enabled: off: calls do not say that the caller is an AI assistant and the call is recorded',
    ]);
    // On by default once the field is there; a flow without it has none (older flows).
    expect(validateFlow({ ...f, disclosure: {} }).disclosure).toEqual({ enabled: true });
    expect(validateFlow(f).disclosure).toBeUndefined();
  });

  it('reports every error at once, with node id and field as data', () => {
    const f = base();
    f.start = 'nope';
    f.nodes['greet'] = { kind: 'say', text: 'Hi', next: 'confrim' };
    const err = (() => {
      try {
        validateFlow(f);
      } catch (e) {
        return e as FlowValidationError;
      }
      throw new Error('expected an error');
    })();
    expect(err.issues).toHaveLength(2);
    expect(err.issues).toContainEqual(
      expect.objectContaining({ nodeId: 'greet', field: 'next', severity: 'error' }),
    );
    expect(err.message).toContain('node "greet": next: no node "confrim"');
  });

  it('refuses what is not a flow at all', () => {
    expect(errorTexts('hello')[0]).toMatch(/^flow: /);
    expect(errorTexts({ id: 'x' })).toEqual([
      'flow: name: required',
      'flow: language: required',
      'flow: start: required',
      'flow: nodes: required',
    ]);
  });
});

describe('sample flows', () => {
  it.each([
    ['bill reminder (zh-CN)', BILL_REMINDER_ZH],
    ['appointment (en)', APPOINTMENT_EN],
  ])('%s validates with no warnings', (_, sample) => {
    const check = checkFlow(sample);
    expect(check.errors).toEqual([]);
    expect(check.warnings).toEqual([]);
    // Both open with the AI and recording disclosure.
    expect(check.flow?.disclosure?.enabled).toBe(true);
  });

  it('each sample uses every node kind but collect (and so together they do)', () => {
    // collect takes card and ID numbers: no part of a bill reminder or an appointment call
    // (dialog/nodes/collect.test.ts runs it).
    for (const sample of [BILL_REMINDER_ZH, APPOINTMENT_EN]) {
      const kinds = new Set(Object.values(validateFlow(sample).nodes).map((n) => n.kind));
      expect([...kinds].sort()).toEqual(NODE_KINDS.filter((k) => k !== 'collect').sort());
    }
  });
});

describe('docs/flow.schema.json', () => {
  const file = fileURLToPath(new URL('../../../docs/flow.schema.json', import.meta.url));

  // Compared as JSON: the file is laid out by Prettier like the rest of the tree.
  it('is up to date with schema.ts (UPDATE_FLOW_SCHEMA=1 rewrites it)', async () => {
    if (process.env['UPDATE_FLOW_SCHEMA'] === '1') {
      const options = (await resolveConfig(file)) ?? {};
      writeFileSync(
        file,
        await format(JSON.stringify(flowJsonSchema(), null, 2), { ...options, filepath: file }),
      );
    }
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(flowJsonSchema());
  });

  it('describes every node kind', () => {
    const text = readFileSync(file, 'utf8');
    for (const kind of NODE_KINDS) expect(text).toContain(`"const": "${kind}"`);
  });
});
