import { describe, expect, it } from 'vitest';

import {
  DEFAULT_DISCLOSURE_TEXT,
  disclosureText,
  validateFlow,
} from '../../../../../electron/engine/dialog/index.js';
import {
  DISCLOSURE_TEXT,
  disclosureOf,
  lineOf,
  newFlowTemplate,
  nodeOffset,
  parseFlowText,
  trainingFraction,
  withDisclosure,
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

  it('starts a new flow from a template that the engine accepts, with the AI disclosure on', () => {
    for (const language of ['en', 'zh-CN'] as const) {
      const parsed = parseFlowText(newFlowTemplate(language));
      expect(parsed).toMatchObject({ ok: true, value: { id: 'new-flow', language } });
      const flow = validateFlow((parsed as { value: unknown }).value);
      expect(disclosureText(flow)).toBe(DEFAULT_DISCLOSURE_TEXT[language]);
      expect(DISCLOSURE_TEXT[language]).toBe(DEFAULT_DISCLOSURE_TEXT[language]);
    }
  });

  it('turns the disclosure on and off in the text, adding it after "start" when missing', () => {
    const bare = JSON.stringify({ id: 'f', language: 'zh-CN', start: 'a', nodes: [] });
    expect(disclosureOf(bare)).toEqual({ enabled: false, text: null });
    const on = withDisclosure(bare, true);
    expect(Object.keys(JSON.parse(on) as object)).toEqual([
      'id',
      'language',
      'start',
      'disclosure',
      'nodes',
    ]);
    expect(disclosureOf(on)).toEqual({ enabled: true, text: DISCLOSURE_TEXT['zh-CN'] });
    const off = withDisclosure(on, false);
    expect(disclosureOf(off)).toEqual({ enabled: false, text: DISCLOSURE_TEXT['zh-CN'] });
    expect(JSON.parse(off)).toMatchObject({
      disclosure: { enabled: false, text: DISCLOSURE_TEXT['zh-CN'] },
    });
    expect(withDisclosure('{ nope', true)).toBe('{ nope');
    expect(disclosureOf('[1]')).toBeNull();
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
