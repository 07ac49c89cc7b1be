import { useTranslation } from 'react-i18next';

import { pageIcons } from '../ui/icons.js';
import { hrefFor, type PageName, PAGES } from './routes.js';

export function Sidebar({ current }: { current: PageName }) {
  const { t } = useTranslation();
  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <ul>
        {PAGES.map((page) => (
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
