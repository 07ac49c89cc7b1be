import { useTranslation } from 'react-i18next';

import type { ConnectionStatus as Status } from '../api/engine.js';
import { useConnection } from '../api/hooks.js';

const tone: Record<Status, 'ok' | 'pending' | 'bad'> = {
  connecting: 'pending',
  connected: 'ok',
  reconnecting: 'pending',
  refused: 'bad',
  'no-token': 'bad',
  'no-engine': 'bad',
};

/** The pill in the header: is the console talking to the engine? */
export function ConnectionStatus() {
  const { t } = useTranslation();
  const { status } = useConnection();
  return (
    <div
      className={`connection connection-${tone[status]}`}
      role="status"
      data-testid="connection-status"
      data-state={status}
      title={t(`connection.help.${status}`)}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="sr-only">{t('connection.label')}</span>
      <span>{t(`connection.status.${status}`)}</span>
    </div>
  );
}

/** Under the header, when the connection needs attention: what happened and what to do. */
export function ConnectionBanner() {
  const { t } = useTranslation();
  const { status } = useConnection();
  if (status === 'connected' || status === 'connecting') return null;
  const severe = status !== 'reconnecting';
  return (
    <div
      className={severe ? 'banner banner-error' : 'banner banner-warning'}
      role="alert"
      data-testid="connection-help"
      data-state={status}
    >
      <strong>{t(`connection.status.${status}`)}</strong>
      <span>{t(`connection.help.${status}`)}</span>
    </div>
  );
}
