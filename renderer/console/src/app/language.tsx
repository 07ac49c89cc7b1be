/**
 * Language: the stored `language` setting decides. On connect the console reads it with
 * settings.get; the header switch changes the UI at once and stores the choice with
 * settings.update; `settings.changed` makes every other window follow.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';

import type { ApiError, Language } from '../api/contract.js';
import { toApiError } from '../api/errors.js';
import { useApi, useCommand, useEvent } from '../api/hooks.js';
import { applyLanguage, currentLanguage } from '../i18n/index.js';

interface LanguageContextValue {
  language: Language;
  switchLanguage: (language: Language) => void;
  /** Set when the switch could not be stored (e.g. while disconnected). */
  saveError: ApiError | null;
  dismissSaveError: () => void;
}

const LanguageContext = createContext<LanguageContextValue | null>(null);

export function LanguageProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  useTranslation(); // Re-renders this provider when the language changes.
  const language = currentLanguage();
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const stored = useCommand('settings.get', {});
  const storedLanguage = stored.data?.language;

  useEffect(() => {
    if (storedLanguage) void applyLanguage(storedLanguage);
  }, [storedLanguage]);

  useEvent('settings.changed', (settings) => {
    void applyLanguage(settings.language);
  });

  const switchLanguage = useCallback(
    (next: Language) => {
      setSaveError(null);
      void applyLanguage(next);
      api.request('settings.update', { changes: { language: next } }).catch((error: unknown) => {
        setSaveError(toApiError(error));
      });
    },
    [api],
  );
  const dismissSaveError = useCallback(() => setSaveError(null), []);

  const value = useMemo(
    () => ({ language, switchLanguage, saveError, dismissSaveError }),
    [language, switchLanguage, saveError, dismissSaveError],
  );
  return <LanguageContext value={value}>{children}</LanguageContext>;
}

export function useLanguage(): LanguageContextValue {
  const value = useContext(LanguageContext);
  if (!value) throw new Error('useLanguage needs a <LanguageProvider> above it');
  return value;
}
