import { useId } from 'react';
import { useTranslation } from 'react-i18next';

import { CALL_OUTCOMES, type CallOutcome } from '../../api/contract.js';
import { useCommand } from '../../api/hooks.js';
import { dispositionLabel } from '../../i18n/dispositions.js';
import type { HistoryFilters } from './historyFilters.js';

interface HistoryToolbarProps {
  filters: HistoryFilters;
  onFilters: (next: HistoryFilters) => void;
  onClear: () => void;
  onRefresh: () => void;
  refreshing: boolean;
  onExport: () => void;
  exporting: boolean;
}

function isOutcome(value: string): value is CallOutcome {
  return (CALL_OUTCOMES as readonly string[]).includes(value);
}

/** Search, outcome, campaign, disposition and a date range; refresh and CSV export. */
export function HistoryToolbar({
  filters,
  onFilters,
  onClear,
  onRefresh,
  refreshing,
  onExport,
  exporting,
}: HistoryToolbarProps) {
  const { t, i18n } = useTranslation();
  const ids = {
    search: useId(),
    outcome: useId(),
    campaign: useId(),
    disposition: useId(),
    dispositions: useId(),
    from: useId(),
    to: useId(),
  };
  const campaigns = useCommand('campaigns.list', {});
  // The codes for the disposition field's suggestions; the field still takes any code if this fails.
  const dispositions = useCommand('dispositions.list', {});
  const set = (patch: Partial<HistoryFilters>) => onFilters({ ...filters, ...patch });

  return (
    <div className="toolbar toolbar-wrap" role="search">
      <div className="toolbar-field toolbar-grow">
        <label htmlFor={ids.search}>{t('history.search.label')}</label>
        <input
          id={ids.search}
          type="search"
          className="input"
          value={filters.search}
          onChange={(event) => set({ search: event.target.value })}
          placeholder={t('history.search.placeholder')}
          maxLength={200}
          autoComplete="off"
          data-testid="history-search"
        />
      </div>
      <div className="toolbar-field">
        <label htmlFor={ids.outcome}>{t('history.outcomeFilter.label')}</label>
        <select
          id={ids.outcome}
          className="input"
          value={filters.outcome ?? ''}
          onChange={(event) =>
            set({ outcome: isOutcome(event.target.value) ? event.target.value : null })
          }
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
      <div className="toolbar-field">
        <label htmlFor={ids.campaign}>{t('historyFilters.campaign')}</label>
        <select
          id={ids.campaign}
          className="input"
          value={filters.campaignId ?? ''}
          onChange={(event) =>
            set({ campaignId: event.target.value === '' ? null : Number(event.target.value) })
          }
          data-testid="history-campaign"
        >
          <option value="">{t('historyFilters.allCampaigns')}</option>
          {(campaigns.data?.campaigns ?? []).map((campaign) => (
            <option key={campaign.id} value={campaign.id}>
              {campaign.name}
            </option>
          ))}
        </select>
      </div>
      <div className="toolbar-field">
        <label htmlFor={ids.disposition}>{t('historyFilters.disposition')}</label>
        <input
          id={ids.disposition}
          className="input input-narrow"
          list={ids.dispositions}
          value={filters.disposition}
          onChange={(event) => set({ disposition: event.target.value })}
          placeholder={t('historyFilters.dispositionPlaceholder')}
          maxLength={64}
          autoComplete="off"
          data-testid="history-disposition"
        />
        <datalist id={ids.dispositions}>
          {(dispositions.data?.dispositions ?? []).map((d) => (
            <option key={d.code} value={d.code}>
              {dispositionLabel(d.code, i18n.language, dispositions.data?.dispositions, t)}
            </option>
          ))}
        </datalist>
      </div>
      <div className="toolbar-field">
        <label htmlFor={ids.from}>{t('historyFilters.from')}</label>
        <input
          id={ids.from}
          type="date"
          className="input"
          value={filters.fromDate}
          onChange={(event) => set({ fromDate: event.target.value })}
          data-testid="history-from"
        />
      </div>
      <div className="toolbar-field">
        <label htmlFor={ids.to}>{t('historyFilters.to')}</label>
        <input
          id={ids.to}
          type="date"
          className="input"
          value={filters.toDate}
          onChange={(event) => set({ toDate: event.target.value })}
          data-testid="history-to"
        />
      </div>
      <div className="toolbar-actions">
        <button
          type="button"
          className="button button-ghost"
          onClick={onClear}
          data-testid="history-clear"
        >
          {t('historyFilters.clear')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={onRefresh}
          disabled={refreshing}
          data-testid="history-refresh"
        >
          {t('common.refresh')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={onExport}
          disabled={exporting}
          data-testid="history-export"
        >
          {t('historyFilters.export')}
        </button>
      </div>
    </div>
  );
}
