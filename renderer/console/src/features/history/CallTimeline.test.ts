/** The call timeline with its state changes among the events, rendered to HTML under Node. */
import i18next from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { describe, expect, it } from 'vitest';

import { en } from '../../i18n/locales/en.js';
import { CallTimeline, timelineEntries } from './CallTimeline.js';

const events = [
  { at: 1_000, type: 'created', data: { state: 'dialing' } },
  { at: 3_000, type: 'answered', data: {} },
];
const transitions = [
  { from: null, to: 'dialing' as const, at: 1_000, reason: null },
  { from: 'ringing' as const, to: 'answered' as const, at: 3_000, reason: '200 OK' },
];

describe('CallTimeline', () => {
  it('puts state changes among the events by time, the change first at the same instant', () => {
    expect(
      timelineEntries(events, transitions).map((e) =>
        e.kind === 'event' ? e.event.type : `${e.transition.from}→${e.transition.to}`,
      ),
    ).toEqual(['null→dialing', 'created', 'ringing→answered', 'answered']);
  });

  it('names the states in the UI language, with the reason', async () => {
    const i18n = i18next.createInstance();
    await i18n.use(initReactI18next).init({
      lng: 'en',
      resources: { en: { translation: en } },
      interpolation: { escapeValue: false },
    });
    const html = renderToStaticMarkup(
      createElement(
        I18nextProvider,
        { i18n },
        createElement(CallTimeline, { startedAt: 1_000, events, transitions }),
      ),
    );
    expect(html.match(/data-testid="call-transition"/g)).toHaveLength(2);
    expect(html).toContain(`State ${en.callState.dialing}`);
    expect(html).toContain(`State ${en.callState.ringing} → ${en.callState.answered}`);
    expect(html).toContain('200 OK');
  });
});
