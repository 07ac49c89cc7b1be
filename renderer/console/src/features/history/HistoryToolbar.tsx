import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { CALL_OUTCOMES, type CallOutcome } from '../../api/contract.js';

interface HistoryToolbarProps {
  searchText: string;
  onSearchText: (text: string) => void;
  outcome: CallOutcome | null;
  onOutcome: (outcome: CallOutcome | null) => void;
  onRefresh: () => void;
  refreshing: boolean;
}

function isOutcome(value: string): value is CallOutcome {
  return (CALL_OUTCOMES as readonly string[]).includes(value);
}

export function HistoryToolbar({ searchText, onSearchText, outcome, onOutcome, onRefresh, refreshing }: HistoryToolbarProps) {
  const { t } = useTranslation();
  const searchId = useId();
  const outcomeId = useId();
  return (
    <div className="toolbar" role="search">
      <div className="toolbar-field toolbar-grow">
        <label htmlFor={searchId}>{t('history.search.label')}</label>
        <input
          id={searchId}
          type="search"
          className="input"
          value={searchText}
          onChange={(event) => onSearchText(event.target.value)}
          placeholder={t('history.search.placeholder')}
          maxLength={200}
          autoComplete="off"
          data-testid="history-search"
        />
      </div>
      <div className="toolbar-field">
        <label htmlFor={outcomeId}>{t('history.outcomeFilter.label')}</label>
        <select
          id={outcomeId}
          className="input"
          value={outcome ?? ''}
          onChange={(event) => onOutcome(isOutcome(event.target.value) ? event.target.value : null)}
          data-testid="history-outcome"
        >
          <option value="">{t('history.outcomeFilter.all')}</option>
          {CALL_OUTCOMES.map((value) => (
            <option key={value} value={value}>
              {t(`outcome.${value}`)}
            </option>
          ))}
        </select>
      </div>
      <button type="button" className="button button-secondary" onClick={onRefresh} disabled={refreshing} data-testid="history-refresh">
        {t('common.refresh')}
      </button>
    </div>
  );
}
