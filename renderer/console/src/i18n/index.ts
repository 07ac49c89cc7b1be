/**
 * i18next set-up. Both languages ship inside the bundle (the app is offline), so initialisation is
 * synchronous and nothing suspends. The stored `language` setting decides the language (see
 * app/language.tsx); until it arrives the last language used on this machine is shown, else zh-CN.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

import { type Language, LANGUAGES } from '../api/contract.js';
import { en } from './locales/en.js';
import { zhCN } from './locales/zh-CN.js';

export const DEFAULT_LANGUAGE: Language = 'zh-CN';
const CACHE_KEY = 'outbound.console.language';

export const resources = {
  'zh-CN': { translation: zhCN },
  en: { translation: en },
} as const;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function cachedLanguage(): Language {
  try {
    const value = localStorage.getItem(CACHE_KEY);
    return isLanguage(value) ? value : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE; // Storage disabled: fall back to the default.
  }
}

function reflectLanguage(language: string): void {
  document.documentElement.lang = language;
  try {
    localStorage.setItem(CACHE_KEY, language);
  } catch {
    // Only a cache for the next start; nothing to do when storage is unavailable.
  }
}

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : DEFAULT_LANGUAGE;
}

/** Switches the UI language at once (no-op when it is already current). */
export async function applyLanguage(language: Language): Promise<void> {
  if (i18n.language !== language) await i18n.changeLanguage(language);
}

export function initI18n(): typeof i18n {
  i18n.on('languageChanged', reflectLanguage);
  void i18n.use(initReactI18next).init({
    resources,
    lng: cachedLanguage(),
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    load: 'currentOnly',
    initAsync: false,
    interpolation: { escapeValue: false }, // React escapes text itself.
    returnNull: false,
    react: { useSuspense: false },
  });
  reflectLanguage(i18n.language);
  return i18n;
}

export { i18n };
