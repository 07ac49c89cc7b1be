import { useTranslation } from 'react-i18next';

import { useConnection } from '../api/hooks.js';

/**
 * Shown until a page's first data arrives. While the connection is coming up it says it is waiting;
 * when the connection cannot come up by itself (refused, no token, no engine) it stops spinning and
 * points to the banner that says what to do.
 */
export function Loading() {
  const { t } = useTranslation();
  const { status } = useConnection();
  if (status === 'refused' || status === 'no-token' || status === 'no-engine') {
    return (
      <div className="loading" role="status" data-testid="not-connected">
        {t('common.notConnected')}
      </div>
    );
  }
  const text = status === 'connected' ? t('common.loading') : t('common.waitingForEngine');
  return (
    <div className="loading" role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {text}
    </div>
  );
}
