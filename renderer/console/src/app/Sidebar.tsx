import { useTranslation } from 'react-i18next';

import { useAuth } from '../features/auth/context.js';
import { pageIcons } from '../ui/icons.js';
import { pagesFor } from './pageAccess.js';
import { hrefFor, type PageName } from './routes.js';

export function Sidebar({ current }: { current: PageName }) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const pages = pagesFor(user?.role);
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
