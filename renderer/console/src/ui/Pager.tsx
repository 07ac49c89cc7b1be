import { useTranslation } from 'react-i18next';

import { useFormat } from '../i18n/format.js';

interface PagerProps {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
  testIdPrefix: string;
}

export function Pager({ offset, limit, total, onChange, testIdPrefix }: PagerProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label={t('history.pager.label')}>
      <span className="pager-range" data-testid={`${testIdPrefix}-range`} aria-live="polite">
        {t('history.pager.range', {
          from: format.number(from),
          to: format.number(to),
          total: format.number(total),
        })}
      </span>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => onChange(Math.max(0, offset - limit))}
        disabled={offset === 0}
        data-testid={`${testIdPrefix}-prev`}
      >
        {t('history.pager.previous')}
      </button>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => onChange(offset + limit)}
        disabled={offset + limit >= total}
        data-testid={`${testIdPrefix}-next`}
      >
        {t('history.pager.next')}
      </button>
    </nav>
  );
}
