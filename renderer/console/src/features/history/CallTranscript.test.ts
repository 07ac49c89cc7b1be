/**
 * The transcript as the call detail shows it, rendered to HTML under Node (no browser): live lines
 * from `call.utterance` events merged with the stored ones, a cut prompt, intent and confidence,
 * and a line nothing was understood in.
 */
import i18next from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { describe, expect, it } from 'vitest';

import type { CallUtterance } from '../../api/contract.js';
import { en } from '../../i18n/locales/en.js';
import { zhCN } from '../../i18n/locales/zh-CN.js';
import { CallTranscript } from './CallTranscript.js';
import { addLine, lineOfEvent, mergeLines, type TranscriptLine } from './transcriptLines.js';

async function render(lines: TranscriptLine[], language: 'en' | 'zh-CN' = 'en'): Promise<string> {
  const i18n = i18next.createInstance();
  await i18n.use(initReactI18next).init({
    lng: language,
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    interpolation: { escapeValue: false },
  });
  return renderToStaticMarkup(
    createElement(
      I18nextProvider,
      { i18n },
      createElement(CallTranscript, { utterances: lines, live: true }),
    ),
  );
}

const event = (overrides: Partial<CallUtterance>): CallUtterance => ({
  callId: 'c1',
  at: 1_000,
  speaker: 'bot',
  text: 'Will you be able to make it?',
  intent: null,
  confidence: null,
  startMs: 1_000,
  endMs: 4_000,
  cutAtMs: null,
  nodeId: 'confirm',
  ...overrides,
});

describe('live transcript', () => {
  it('adds event lines in time order, once, keeping the node a stored copy lacks', () => {
    const prompt = lineOfEvent(event({ cutAtMs: 3_200 }));
    const answer = lineOfEvent(
      event({
        speaker: 'customer',
        text: 'yes',
        intent: 'confirm',
        confidence: 0.91,
        startMs: 3_300,
        endMs: 3_900,
      }),
    );
    let lines = addLine([], answer);
    lines = addLine(lines, prompt);
    lines = addLine(lines, prompt);
    expect(lines.map((l) => l.text)).toEqual(['Will you be able to make it?', 'yes']);
    const stored = [{ ...prompt, nodeId: null }];
    expect(mergeLines(stored, lines)).toHaveLength(2);
    expect(mergeLines(stored, lines)[0]?.nodeId).toBe('confirm');
  });

  it('shows where a prompt was cut, the intent and confidence, and "(not understood)"', async () => {
    const html = await render([
      lineOfEvent(event({ cutAtMs: 3_200 })),
      lineOfEvent(
        event({
          speaker: 'customer',
          text: 'yes',
          intent: 'confirm',
          confidence: 0.91,
          startMs: 3_300,
          endMs: 3_900,
        }),
      ),
      lineOfEvent(event({ speaker: 'customer', text: '', startMs: 6_000, endMs: 7_000 })),
    ]);
    expect(html).toContain('cut at 3.2 s');
    expect(html).toContain('Intent: confirm');
    expect(html).toContain('Confidence 91%');
    expect(html).toContain('(not understood)');
    expect(html).toContain('node confirm');
    expect(html).toContain('data-testid="call-transcript-live"');
    const zh = await render([lineOfEvent(event({ cutAtMs: 3_200 }))], 'zh-CN');
    expect(zh).toContain('在 3.2 秒处被打断');
  });
});
