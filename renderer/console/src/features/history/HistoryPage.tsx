import './history.css';

import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { CommandParams } from '../../api/contract.js';
import { useApi, useCommand } from '../../api/hooks.js';
import { navigate } from '../../app/useRoute.js';
import { ExportNotice, useCsvExport } from '../../ui/csvExport.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { useDebouncedValue } from '../../ui/hooks.js';
import { pageIcons } from '../../ui/icons.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { Pager } from '../../ui/Pager.js';
import { useAuth } from '../auth/context.js';
import { CallPage } from './CallPage.js';
import { EXPORT_MAX_CALLS, exportCalls } from './exportCalls.js';
import {
  exportFileName,
  filterParams,
  hasFilters,
  type HistoryFilters,
  NO_FILTERS,
} from './historyFilters.js';
import { HistoryTable } from './HistoryTable.js';
import { HistoryToolbar } from './HistoryToolbar.js';

export const HISTORY_PAGE_SIZE = 25;
const TYPING_DEBOUNCE_MS = 300;

/** Call history: filters, paging and CSV export; `callId` (from #/history/<id>) shows that call's page. */
export function HistoryPage({ callId }: { callId: string | null }) {
  if (callId) return <CallPage key={callId} callId={callId} onBack={() => navigate('history')} />;
  return <HistoryList />;
}

function HistoryList() {
  const { t } = useTranslation();
  const api = useApi();
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  // Typed fields wait for a pause; selects and dates apply at once (the debounce covers both, cheaply).
  const applied = useDebouncedValue(filters, TYPING_DEBOUNCE_MS);
  const filter = filterParams(applied);

  // The page offset belongs to one set of filters: changing a filter starts again at the first page.
  const filterKey = JSON.stringify(filter);
  const [paging, setPaging] = useState({ filterKey, offset: 0 });
  const offset = paging.filterKey === filterKey ? paging.offset : 0;

  const params: CommandParams<'calls.list'> = { limit: HISTORY_PAGE_SIZE, offset, ...filter };
  const calls = useCommand('calls.list', params);
  const filtered = hasFilters(applied);

  // Exports are masked; an admin may ask for the raw values (the engine refuses others and audits it).
  const isAdmin = useAuth().user?.role === 'admin';
  const [unmasked, setUnmasked] = useState(false);
  const exporting = useCsvExport(async (onProgress) => ({
    ...(await exportCalls(
      filter,
      (page) =>
        api.request('calls.export', isAdmin && unmasked ? { ...page, unmasked: true } : page),
      { onProgress },
    )),
    file: exportFileName(applied, new Date()),
  }));

  return (
    <Page name="history" title={t('history.title')} description={t('history.description')}>
      <HistoryToolbar
        filters={filters}
        onFilters={setFilters}
        onClear={() => setFilters(NO_FILTERS)}
        onRefresh={calls.reload}
        refreshing={calls.loading && calls.data !== undefined}
        onExport={() => void exporting.start()}
        exporting={exporting.state.state === 'running'}
      />
      {isAdmin ? (
        <label className="checkbox history-export-unmasked">
          <input
            type="checkbox"
            checked={unmasked}
            onChange={(e) => setUnmasked(e.target.checked)}
            data-testid="history-export-unmasked"
          />{' '}
          {t('masking.exportUnmasked')}
        </label>
      ) : null}
      <ExportNotice
        state={exporting.state}
        messages="historyFilters"
        max={EXPORT_MAX_CALLS}
        testId="history-export-status"
      />
      {calls.error ? <ErrorNotice error={calls.error} onRetry={calls.reload} /> : null}
      {!calls.data ? (
        calls.error ? null : (
          <Loading />
        )
      ) : calls.data.total === 0 && !filtered ? (
        <EmptyState
          testId="empty-history"
          icon={pageIcons.history}
          title={t('history.empty.title')}
          body={t('history.empty.body')}
        />
      ) : calls.data.calls.length === 0 ? (
        <EmptyState
          testId="empty-history-filtered"
          title={t('history.emptyFiltered.title')}
          body={t('history.emptyFiltered.body')}
          action={
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setFilters(NO_FILTERS)}
              data-testid="history-clear-filters"
            >
              {t('history.emptyFiltered.clear')}
            </button>
          }
        />
      ) : (
        <>
          <HistoryTable
            calls={calls.data.calls}
            selectedId={null}
            onOpen={(id) => navigate('history', id)}
          />
          <Pager
            offset={calls.dataParams?.offset ?? 0}
            limit={HISTORY_PAGE_SIZE}
            total={calls.data.total}
            onChange={(next) => setPaging({ filterKey, offset: next })}
            testIdPrefix="history-pager"
          />
        </>
      )}
    </Page>
  );
}
