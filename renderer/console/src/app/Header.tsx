import { useTranslation } from 'react-i18next';

import { useAuth } from '../features/auth/context.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export function Header() {
  const { t } = useTranslation();
  const { user, signOut } = useAuth();
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name" data-testid="app-name">
          {t('app.name')}
        </span>
      </div>
      <div className="header-tools">
        <ConnectionStatus />
        <LanguageSwitch />
        {user ? (
          <>
            <span className="header-user" data-testid="signed-in-user">
              {t('auth.signedInAs', { name: user.displayName, role: t(`agentRole.${user.role}`) })}
            </span>
            <button
              type="button"
              className="button button-small button-secondary"
              onClick={() => void signOut()}
              data-testid="sign-out"
            >
              {t('auth.signOut')}
            </button>
          </>
        ) : null}
      </div>
    </header>
  );
}
