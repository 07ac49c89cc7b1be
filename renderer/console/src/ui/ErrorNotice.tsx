import { useTranslation } from 'react-i18next';

import type { ApiError } from '../api/contract.js';

interface ErrorNoticeProps {
  error: ApiError;
  /** The headline; defaults to "could not load". */
  title?: string;
  onRetry?: () => void;
  testId?: string;
}

/** An API error: what it means (by code, translated) and the engine's own words. */
export function ErrorNotice({ error, title, onRetry, testId = 'error-notice' }: ErrorNoticeProps) {
  const { t } = useTranslation();
  return (
    <div className="notice notice-error" role="alert" data-testid={testId} data-code={error.code}>
      <div className="notice-text">
        <strong>{title ?? t('errors.loadFailed')}</strong>
        <span>{t(`errors.code.${error.code}`)}</span>
        <code className="notice-detail">{error.message}</code>
      </div>
      {onRetry ? (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}
