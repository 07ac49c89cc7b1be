/** A disposition shows by its label: stored, else built-in, else the code made readable. */
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';

import { dispositionLabel, prettifyCode } from './dispositions.js';
import { en } from './locales/en.js';
import { zhCN } from './locales/zh-CN.js';

const stored = [
  { code: 'resolved', labelEn: 'Resolved', labelZh: '已解决' },
  // A flow's own code, registered at its first call with the code as its label.
  { code: 'confirmed', labelEn: 'confirmed', labelZh: 'confirmed' },
  { code: 'reminded', labelEn: 'reminded', labelZh: 'reminded' },
];

describe('dispositionLabel', () => {
  it('prefers the stored label, then the built-in translation, then the readable code', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({
      lng: 'zh-CN',
      resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    });
    const zh = (code: string) => dispositionLabel(code, 'zh-CN', stored, i18n.t);
    expect(zh('resolved')).toBe('已解决');
    expect(zh('confirmed')).toBe(zhCN.disposition.confirmed);
    expect(zh('callback_scheduled')).toBe(zhCN.disposition.callback_scheduled);
    expect(zh('reminded')).toBe('Reminded');
    // Before dispositions.list answers, built-in codes are already in words.
    expect(dispositionLabel('opt_out', 'zh-CN', undefined, i18n.t)).toBe(zhCN.disposition.opt_out);
    await i18n.changeLanguage('en');
    expect(dispositionLabel('resolved', 'en', stored, i18n.t)).toBe('Resolved');
    expect(dispositionLabel('confirmed', 'en', stored, i18n.t)).toBe('Confirmed');
  });

  it('puts the flow’s own label first when the page knows the flow', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ lng: 'zh-CN', resources: { 'zh-CN': { translation: zhCN } } });
    const labels = { reminded: { en: 'Reminded', 'zh-CN': '已提醒' }, confirmed: 'Booked' };
    expect(dispositionLabel('reminded', 'zh-CN', stored, i18n.t, labels)).toBe('已提醒');
    expect(dispositionLabel('reminded', 'en', stored, i18n.t, labels)).toBe('Reminded');
    expect(dispositionLabel('confirmed', 'zh-CN', stored, i18n.t, labels)).toBe('Booked');
    expect(dispositionLabel('resolved', 'zh-CN', stored, i18n.t, labels)).toBe('已解决');
  });

  it('makes a code readable', () => {
    expect(prettifyCode('reschedule_requested')).toBe('Reschedule requested');
    expect(prettifyCode('x')).toBe('X');
  });
});
