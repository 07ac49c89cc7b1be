import { useTranslation } from 'react-i18next';

import { ConnectionStatus } from './ConnectionStatus.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export function Header() {
  const { t } = useTranslation();
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
      </div>
    </header>
  );
}
