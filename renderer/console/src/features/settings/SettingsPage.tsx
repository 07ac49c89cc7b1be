import { useTranslation } from 'react-i18next';

import { useCommand, useEvent } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { useAuth } from '../auth/context.js';
import { AboutPanel } from './AboutPanel.js';
import { PrivacySection } from './PrivacySection.js';
import { SeatSection } from './SeatSection.js';
import { SettingsForm } from './SettingsForm.js';
import { TrunksSection } from './TrunksSection.js';

export function SettingsPage() {
  const { t } = useTranslation();
  const settings = useCommand('settings.get', {});
  const isAdmin = useAuth().user?.role === 'admin';
  useEvent('settings.changed', (next) => settings.setData(() => next));

  return (
    <Page name="settings" title={t('settings.title')} description={t('settings.description')}>
      <div className="split split-settings">
        <div className="split-main">
          {settings.error ? <ErrorNotice error={settings.error} onRetry={settings.reload} /> : null}
          {settings.data ? (
            <SettingsForm saved={settings.data} onSaved={(next) => settings.setData(() => next)} />
          ) : settings.error ? null : (
            <Loading />
          )}
        </div>
        <aside className="split-side">
          <AboutPanel />
        </aside>
      </div>
      <TrunksSection />
      {isAdmin && settings.data ? (
        <PrivacySection saved={settings.data} onSaved={(next) => settings.setData(() => next)} />
      ) : null}
      {isAdmin ? <SeatSection /> : null}
    </Page>
  );
}
