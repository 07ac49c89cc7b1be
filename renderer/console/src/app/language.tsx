/**
 * Language: the stored `language` setting decides. On connect the console reads it with
 * settings.get; the header switch changes the UI at once and stores the choice with
 * settings.update (again on reconnect if that failed); `settings.changed` makes every other
 * window follow. A click always wins over a settings.get answer that was on its way.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';

import type { ApiError, Language } from '../api/contract.js';
import { toApiError } from '../api/errors.js';
import { useApi, useConnection, useEvent } from '../api/hooks.js';
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
  const { status, epoch } = useConnection();
  const connected = status === 'connected';
  // A choice the user made that is not stored yet (clicked while the console was still
  // connecting, or the save failed). It is saved again when the connection (re)opens.
  const unsavedChoice = useRef<Language | null>(null);
  // Counts what the console learned about the language (a click, a settings.changed event). A
  // settings.get answer applies only when nothing newer arrived while it was on its way: a stale
  // answer would otherwise switch the console back under the user's hand.
  const generation = useRef(0);

  const save = useCallback(
    (next: Language) => {
      api.request('settings.update', { changes: { language: next } }).then(
        () => {
          if (unsavedChoice.current !== next) return;
          unsavedChoice.current = null;
          setSaveError(null);
        },
        (error: unknown) => {
          setSaveError(toApiError(error));
        },
      );
    },
    [api],
  );

  useEffect(() => {
    if (!connected) return;
    const chosen = unsavedChoice.current;
    if (chosen) {
      save(chosen);
      return;
    }
    const asked = generation.current;
    let current = true;
    api.request('settings.get').then(
      (settings) => {
        if (current && generation.current === asked) void applyLanguage(settings.language);
      },
      () => {
        // The language stays as it is; the connection banner tells the user what is wrong.
      },
    );
    return () => {
      current = false;
    };
  }, [api, connected, epoch, save]);

  useEvent('settings.changed', (settings) => {
    generation.current++;
    if (unsavedChoice.current && unsavedChoice.current !== settings.language) return;
    void applyLanguage(settings.language);
  });

  const switchLanguage = useCallback(
    (next: Language) => {
      generation.current++;
      setSaveError(null);
      unsavedChoice.current = next;
      void applyLanguage(next);
      save(next);
    },
    [save],
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
