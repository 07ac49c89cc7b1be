import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallOutcome, CommandParams } from '../../api/contract.js';
import { useCommand } from '../../api/hooks.js';
import { navigate } from '../../app/useRoute.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { Pager } from '../../ui/Pager.js';
import { useDebouncedValue } from '../../ui/hooks.js';
import { pageIcons } from '../../ui/icons.js';
import { CallDetailPanel } from './CallDetailPanel.js';
import { HistoryTable } from './HistoryTable.js';
import { HistoryToolbar } from './HistoryToolbar.js';

export const HISTORY_PAGE_SIZE = 25;
const SEARCH_DEBOUNCE_MS = 300;

/** Call history: search, outcome filter, paging; `callId` (from #/history/<id>) opens the detail panel. */
export function HistoryPage({ callId }: { callId: string | null }) {
  const { t } = useTranslation();
  const [searchText, setSearchText] = useState('');
  const [outcome, setOutcome] = useState<CallOutcome | null>(null);
  const search = useDebouncedValue(searchText.trim(), SEARCH_DEBOUNCE_MS);

  // The page offset belongs to one set of filters: changing a filter starts again at the first page.
  const filterKey = JSON.stringify([search, outcome]);
  const [paging, setPaging] = useState({ filterKey, offset: 0 });
  const offset = paging.filterKey === filterKey ? paging.offset : 0;

  const params: CommandParams<'calls.list'> = { limit: HISTORY_PAGE_SIZE, offset };
  if (outcome) params.outcome = outcome;
  if (search) params.search = search;
  const calls = useCommand('calls.list', params);
  const filtered = search !== '' || outcome !== null;

  const clearFilters = () => {
    setSearchText('');
    setOutcome(null);
  };

  return (
    <Page name="history" title={t('history.title')} description={t('history.description')}>
      <HistoryToolbar
        searchText={searchText}
        onSearchText={setSearchText}
        outcome={outcome}
        onOutcome={setOutcome}
        onRefresh={calls.reload}
        refreshing={calls.loading && calls.data !== undefined}
      />
      {calls.error ? <ErrorNotice error={calls.error} onRetry={calls.reload} /> : null}
      {!calls.data ? (
        calls.error ? null : <Loading />
      ) : calls.data.total === 0 && !filtered ? (
        <EmptyState testId="empty-history" icon={pageIcons.history} title={t('history.empty.title')} body={t('history.empty.body')} />
      ) : calls.data.calls.length === 0 ? (
        <EmptyState
          testId="empty-history-filtered"
          title={t('history.emptyFiltered.title')}
          body={t('history.emptyFiltered.body')}
          action={
            <button type="button" className="button button-secondary" onClick={clearFilters} data-testid="history-clear-filters">
              {t('history.emptyFiltered.clear')}
            </button>
          }
        />
      ) : (
        <>
          <HistoryTable calls={calls.data.calls} selectedId={callId} onOpen={(id) => navigate('history', id)} />
          <Pager
            offset={calls.dataParams?.offset ?? 0}
            limit={HISTORY_PAGE_SIZE}
            total={calls.data.total}
            onChange={(next) => setPaging({ filterKey, offset: next })}
            testIdPrefix="history-pager"
          />
        </>
      )}
      {callId ? <CallDetailPanel key={callId} callId={callId} onClose={() => navigate('history')} /> : null}
    </Page>
  );
}
