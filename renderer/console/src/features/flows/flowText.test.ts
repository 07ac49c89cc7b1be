import { describe, expect, it } from 'vitest';

import {
  lineOf,
  newFlowTemplate,
  nodeOffset,
  parseFlowText,
  trainingFraction,
} from './flowText.js';

describe('flow text helpers', () => {
  it('finds a node written as an array element or as a key, and a flow-level field', () => {
    const list = '{\n  "start": "a",\n  "nodes": [\n    { "id": "greet", "kind": "say" }\n  ]\n}';
    expect(lineOf(list, nodeOffset(list, 'greet'))).toBe(3);
    expect(lineOf(list, nodeOffset(list, null, 'start'))).toBe(1);
    const byKey = '{ "nodes": { "greet": { "kind": "say" } } }';
    expect(nodeOffset(byKey, 'greet')).toBe(byKey.indexOf('"greet"'));
    expect(nodeOffset(byKey, 'nope')).toBe(-1);
  });

  it('reads JSON or says why not', () => {
    expect(parseFlowText('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseFlowText('{ nope')).toMatchObject({ ok: false });
  });

  it('starts a new flow from a template that parses', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const parsed = parseFlowText(newFlowTemplate(language));
      expect(parsed).toMatchObject({ ok: true, value: { id: 'new-flow', language } });
    }
  });

  it('turns training progress into a fraction across nodes', () => {
    const base = { flow: 'f', version: 1, at: 0 };
    expect(trainingFraction(null)).toBeNull();
    expect(trainingFraction({ ...base, state: 'queued' })).toBeNull();
    expect(trainingFraction({ ...base, state: 'ready' })).toBe(1);
    expect(
      trainingFraction({
        ...base,
        state: 'training',
        progress: { nodeId: 'b', nodesDone: 1, nodes: 2, stage: 'embed', done: 5, total: 10 },
      }),
    ).toBe(0.75);
  });
});
