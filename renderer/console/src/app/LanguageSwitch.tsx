import { useTranslation } from 'react-i18next';

import { LANGUAGES } from '../api/contract.js';
import { useLanguage } from './language.js';

/** 中文 / English in the header: switches at once and stores the choice. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const { language, switchLanguage } = useLanguage();
  return (
    <div
      className="segmented"
      role="group"
      aria-label={t('languageSwitch.label')}
      data-testid="lang-switch"
    >
      {LANGUAGES.map((option) => (
        <button
          key={option}
          type="button"
          lang={option}
          className="segmented-option"
          aria-pressed={option === language}
          onClick={() => switchLanguage(option)}
          data-testid={`lang-${option}`}
        >
          {t(`languageNames.${option}`)}
        </button>
      ))}
    </div>
  );
}

/** Tells the user when a language switch could not be stored. */
export function LanguageSaveError() {
  const { t } = useTranslation();
  const { saveError, dismissSaveError } = useLanguage();
  if (!saveError) return null;
  return (
    <div className="banner banner-warning" role="alert" data-testid="lang-save-error">
      <span>{t('languageSwitch.saveFailed', { message: saveError.message })}</span>
      <button type="button" className="button button-ghost" onClick={dismissSaveError}>
        {t('languageSwitch.dismiss')}
      </button>
    </div>
  );
}
