import { type MouseEvent, useEffect } from 'react';
import { useTranslation } from 'react-i18next';

import { AgentPage } from '../features/agent/AgentPage.js';
import { AgentsPage } from '../features/agents/AgentsPage.js';
import { AuditPage } from '../features/audit/AuditPage.js';
import { useAuth } from '../features/auth/context.js';
import { CampaignsPage } from '../features/campaigns/CampaignsPage.js';
import { ContactsPage } from '../features/contacts/ContactsPage.js';
import { FlowsPage } from '../features/flows/FlowsPage.js';
import { HistoryPage } from '../features/history/HistoryPage.js';
import { LivePage } from '../features/live/LivePage.js';
import { ReportsPage } from '../features/reports/ReportsPage.js';
import { SettingsPage } from '../features/settings/SettingsPage.js';
import { UsersPage } from '../features/users/UsersPage.js';
import { WallboardPage } from '../features/wallboard/WallboardPage.js';
import { ConnectionBanner } from './ConnectionStatus.js';
import { Header } from './Header.js';
import { LanguageSaveError } from './LanguageSwitch.js';
import { pagesFor } from './pageAccess.js';
import { hrefFor, type Route } from './routes.js';
import { Sidebar } from './Sidebar.js';
import { useRoute } from './useRoute.js';

export function App() {
  const { t } = useTranslation();
  const route = useRoute();
  const { user } = useAuth();
  const allowed = pagesFor(user?.role);
  const landing = allowed.includes(route.page) ? null : (allowed[0] ?? null);

  useEffect(() => {
    // A page this role may not open (an agent's first page, an old link): go to the first it may,
    // without a history entry.
    if (landing) window.location.replace(hrefFor(landing));
  }, [landing]);

  useEffect(() => {
    document.title = t('app.pageTitle', { page: t(`nav.${route.page}`), app: t('app.name') });
  }, [t, route.page]);

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={skipToMain}>
        {t('app.skipToContent')}
      </a>
      <Header />
      <Sidebar current={route.page} />
      <main id="main" className="main" tabIndex={-1}>
        <ConnectionBanner />
        <LanguageSaveError />
        <CurrentPage route={route} />
      </main>
    </div>
  );
}

function CurrentPage({ route }: { route: Route }) {
  switch (route.page) {
    case 'live':
      return <LivePage callId={route.param} />;
    case 'campaigns':
      return <CampaignsPage campaignName={route.param} />;
    case 'contacts':
      return <ContactsPage />;
    case 'flows':
      return <FlowsPage flowName={route.param} />;
    case 'history':
      return <HistoryPage callId={route.param} />;
    case 'wallboard':
      return <WallboardPage />;
    case 'reports':
      return <ReportsPage />;
    case 'agent':
      return <AgentPage />;
    case 'agents':
      return <AgentsPage />;
    case 'settings':
      return <SettingsPage />;
    case 'users':
      return <UsersPage />;
    case 'audit':
      return <AuditPage />;
  }
}

/** "#main" would change the route; move focus instead. */
function skipToMain(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
