/**
 * Every call event the engine writes has a name in both languages, and the timeline shows names,
 * never the codes. The engine's sources are read (import.meta.glob, raw) for the event types it
 * writes, so an event added there without a name here fails this test.
 */
import i18next from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { describe, expect, it } from 'vitest';

import { en } from '../../i18n/locales/en.js';
import { zhCN } from '../../i18n/locales/zh-CN.js';
import { CALL_EVENT_TYPES, isCallEventType } from './callEvents.js';
import { CallTimeline } from './CallTimeline.js';

const engineSources = import.meta.glob<string>('../../../../../electron/engine/**/*.ts', {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** Event types the engine writes as literals: note('x'), event('x'), eventAt(at, 'x'), `type: 'x'` rows, state_<phase>, and the media host's milestones. */
function engineEventTypes(): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /\bnote\(\s*'([a-z_]+)'/g,
    /\bthis\.event\(\s*'([a-z_]+)'/g,
    /\bthis\.eventAt\(\s*[\w.]+,\s*'([a-z_]+)'/g,
    /\bevent\(\s*muted \? '([a-z_]+)' : '([a-z_]+)'/g,
  ];
  for (const [path, source] of Object.entries(engineSources)) {
    if (path.endsWith('.test.ts') || path.includes('/testing/')) continue;
    for (const pattern of patterns)
      for (const match of source.matchAll(pattern))
        for (const type of match.slice(1)) if (type) found.add(type);
    // Rows written straight into call_events (the store's 'created', routing's 'wrap_up', recovery's).
    if (/call_events|appendEvent|calls\.(finish|update)\(/.test(source))
      for (const match of source.matchAll(/\btype: '([a-z_]+)',\s*\n?\s*data:/g))
        found.add(match[1]!);
  }
  const milestones = /CALL_MILESTONES = \[([\s\S]*?)\] as const/.exec(
    engineSources['../../../../../electron/engine/api/media-host.ts'] ?? '',
  );
  expect(milestones, 'CALL_MILESTONES in api/media-host.ts').not.toBeNull();
  // The session stores a failed or ended milestone as sip_failed / sip_ended.
  for (const match of milestones![1]!.matchAll(/'([a-z_]+)'/g))
    found.add(match[1] === 'failed' || match[1] === 'ended' ? `sip_${match[1]}` : match[1]!);
  for (const phase of ['bot', 'transferring']) found.add(`state_${phase}`);
  return found;
}

describe('call event names', () => {
  it('name every event type the engine writes', () => {
    const written = engineEventTypes();
    expect(written.size).toBeGreaterThan(40);
    expect([...written].filter((type) => !isCallEventType(type)).sort()).toEqual([]);
    // And no name for an event nothing writes any more (a dynamic note(event.type) is listed by hand).
    const dynamic = new Set(['no_input', 'no_match', 'closed_after_crash', 'wrap_up']);
    expect(CALL_EVENT_TYPES.filter((type) => !written.has(type) && !dynamic.has(type))).toEqual([]);
  });

  it('are Chinese in zh-CN', () => {
    const notChinese = CALL_EVENT_TYPES.filter(
      (type) => !/\p{Script=Han}/u.test(zhCN.callEvent[type]),
    );
    expect(notChinese).toEqual([]);
    const dispositions = Object.entries(zhCN.disposition).filter(
      ([, label]) => !/\p{Script=Han}/u.test(label),
    );
    expect(dispositions).toEqual([]);
  });

  it('show in the timeline instead of the codes, in Chinese', async () => {
    const i18n = i18next.createInstance();
    await i18n.use(initReactI18next).init({
      lng: 'zh-CN',
      resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
      interpolation: { escapeValue: false },
    });
    const events = CALL_EVENT_TYPES.map((type, i) => ({ at: 1_000 + i, type, data: {} }));
    const html = renderToStaticMarkup(
      createElement(
        I18nextProvider,
        { i18n },
        createElement(CallTimeline, { startedAt: 1_000, events }),
      ),
    );
    const shown = [...html.matchAll(/<span class="timeline-type"[^>]*>([^<]*)<\/span>/g)].map(
      (m) => m[1]!,
    );
    expect(shown).toHaveLength(CALL_EVENT_TYPES.length);
    expect(shown.filter((text) => /^[a-z_]+$/.test(text))).toEqual([]);
    expect(shown).toContain(zhCN.callEvent.sending);
    expect(shown).toContain(zhCN.callEvent.ice);
  });
});
