/**
 * A disposition in words, wherever the console shows one (a call's summary, History's list and
 * filter, a campaign's contacts and counts, the "why not called" panel, the test chat): the
 * engine's stored label in the UI language, else the console's translation of a built-in code,
 * else the code made readable. Never the bare code.
 */
import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

import { useCommand } from '../api/hooks.js';
import { en } from './locales/en.js';

/** `early_media` → `Early media`: the last resort for a code nothing names. */
export function prettifyCode(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words === '' ? code : words.charAt(0).toUpperCase() + words.slice(1);
}

/** Codes the console translates itself (system, flow runtime, sample flows). */
export type BuiltInDisposition = keyof typeof en.disposition;

/** A disposition as dispositions.list stores it (the engine's labels in both languages). */
export interface StoredDisposition {
  code: string;
  labelEn: string;
  labelZh: string;
}

/** A flow's own labels (its `dispositions`): code → a string, or one per language. */
export type FlowDispositionLabels = Record<string, unknown>;

/** The flow's label for a code in the UI language (its other language, else its one string), if it gives one. */
function flowLabel(
  labels: FlowDispositionLabels | undefined,
  code: string,
  language: string,
): string | null {
  const label = labels && Object.hasOwn(labels, code) ? labels[code] : undefined;
  if (typeof label === 'string' && label !== '') return label;
  if (typeof label !== 'object' || label === null) return null;
  const byLanguage = label as Record<string, unknown>;
  const pick = [byLanguage[language], byLanguage['en'], byLanguage['zh-CN']].find(
    (text): text is string => typeof text === 'string' && text !== '',
  );
  return pick ?? null;
}

/**
 * A disposition's label: the flow's own (when the page knows the flow, e.g. its test chat), else
 * the stored one in the UI language when it is a real label (system and agent dispositions, and a
 * flow's code once a call ended with it; without a flow label it is stored as the code), else the
 * console's translation of a built-in code, else the code made readable.
 */
export function dispositionLabel(
  code: string,
  language: string,
  stored: readonly StoredDisposition[] | undefined,
  t: TFunction,
  flowLabels?: FlowDispositionLabels,
): string {
  const own = flowLabel(flowLabels, code, language);
  if (own !== null) return own;
  const record = stored?.find((d) => d.code === code);
  const label = record ? (language === 'zh-CN' ? record.labelZh : record.labelEn) : undefined;
  if (label !== undefined && label !== '' && label !== code) return label;
  if (Object.hasOwn(en.disposition, code)) return t(`disposition.${code as BuiltInDisposition}`);
  return prettifyCode(code);
}

/** `(code) => label` in the UI language; reads dispositions.list once per component. */
export function useDispositionLabel(flowLabels?: FlowDispositionLabels): (code: string) => string {
  const { t, i18n } = useTranslation();
  const stored = useCommand('dispositions.list', {}).data?.dispositions;
  const language = i18n.language;
  return useCallback(
    (code: string) => dispositionLabel(code, language, stored, t, flowLabels),
    [language, stored, t, flowLabels],
  );
}
