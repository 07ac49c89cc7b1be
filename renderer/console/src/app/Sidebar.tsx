import { useTranslation } from 'react-i18next';

import { type CommandName, mayRun } from '../api/contract.js';
import { useAuth } from '../features/auth/context.js';
import { pageIcons } from '../ui/icons.js';
import { hrefFor, type PageName, PAGES } from './routes.js';

/** The command each page stands on: a page is listed only for roles the role map lets run it. */
const PAGE_COMMAND: Record<PageName, CommandName> = {
  live: 'live.list',
  campaigns: 'campaigns.list',
  contacts: 'contacts.lists',
  flows: 'flows.list',
  history: 'calls.list',
  wallboard: 'kpi.wallboard',
  reports: 'kpi.report',
  agent: 'agents.offer',
  agents: 'agents.list',
  settings: 'settings.update',
  users: 'users.list',
  audit: 'audit.list',
};

export function Sidebar({ current }: { current: PageName }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const pages = PAGES.filter((page) => !user || mayRun(user.role, PAGE_COMMAND[page]));
  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <ul>
        {pages.map((page) => (
          <li key={page}>
            <a
              href={hrefFor(page)}
              className="nav-link"
              aria-current={page === current ? 'page' : undefined}
              data-testid={`nav-${page}`}
            >
              {pageIcons[page]}
              <span>{t(`nav.${page}`)}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
