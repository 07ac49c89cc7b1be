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

/**
 * A disposition's label: the stored one in the UI language when it is a real label (system and
 * agent dispositions; a flow's own code is stored with the code as its label), else the console's
 * translation of a built-in code, else the code made readable.
 */
export function dispositionLabel(
  code: string,
  language: string,
  stored: readonly StoredDisposition[] | undefined,
  t: TFunction,
): string {
  const record = stored?.find((d) => d.code === code);
  const label = record ? (language === 'zh-CN' ? record.labelZh : record.labelEn) : undefined;
  if (label !== undefined && label !== '' && label !== code) return label;
  if (Object.hasOwn(en.disposition, code)) return t(`disposition.${code as BuiltInDisposition}`);
  return prettifyCode(code);
}

/** `(code) => label` in the UI language; reads dispositions.list once per component. */
export function useDispositionLabel(): (code: string) => string {
  const { t, i18n } = useTranslation();
  const stored = useCommand('dispositions.list', {}).data?.dispositions;
  const language = i18n.language;
  return useCallback(
    (code: string) => dispositionLabel(code, language, stored, t),
    [language, stored, t],
  );
}
