/**
 * The Audit page (admins): the audit trail newest first, filtered by who, kind, action, subject
 * and dates, paged, and exported as CSV (audit.export, which is itself audited). There is nothing
 * to edit or delete here: the engine has no command for it.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import {
  AUDIT_KINDS,
  type AuditEntry,
  type AuditKind,
  type CommandParams,
} from '../../api/contract.js';
import { useApi, useCommand } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { ExportNotice, useCsvExport } from '../../ui/csvExport.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { useDebouncedValue } from '../../ui/hooks.js';
import { pageIcons } from '../../ui/icons.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { Pager } from '../../ui/Pager.js';
import {
  actionsFor,
  AUDIT_EXPORT_MAX,
  auditFileName,
  auditFilterParams,
  type AuditFilters,
  detailsText,
  exportAudit,
  hasAuditFilters,
  isAuditAction,
  NO_AUDIT_FILTERS,
} from './auditFilters.js';

export const AUDIT_PAGE_SIZE = 50;
const TYPING_DEBOUNCE_MS = 300;

function isKind(value: string): value is AuditKind {
  return (AUDIT_KINDS as readonly string[]).includes(value);
}

export function AuditPage() {
  const { t } = useTranslation();
  const api = useApi();
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const applied = useDebouncedValue(filters, TYPING_DEBOUNCE_MS);
  const filter = auditFilterParams(applied);
  const filterKey = JSON.stringify(filter);
  const [paging, setPaging] = useState({ filterKey, offset: 0 });
  const offset = paging.filterKey === filterKey ? paging.offset : 0;
  const params: CommandParams<'audit.list'> = { limit: AUDIT_PAGE_SIZE, offset, ...filter };
  const entries = useCommand('audit.list', params);
  const filtered = hasAuditFilters(applied);

  const exporting = useCsvExport(async (onProgress) => {
    const result = await exportAudit(filter, (page) => api.request('audit.export', page), {
      onProgress,
    });
    entries.reload(); // the export is itself an entry
    return { ...result, file: auditFileName(applied, new Date()) };
  });

  return (
    <Page name="audit" title={t('audit.title')} description={t('audit.description')}>
      <AuditToolbar
        filters={filters}
        onFilters={setFilters}
        onRefresh={entries.reload}
        refreshing={entries.loading && entries.data !== undefined}
        onExport={() => void exporting.start()}
        exporting={exporting.state.state === 'running'}
      />
      <ExportNotice
        state={exporting.state}
        messages="audit"
        max={AUDIT_EXPORT_MAX}
        testId="audit-export-status"
      />
      {entries.error ? <ErrorNotice error={entries.error} onRetry={entries.reload} /> : null}
      {!entries.data ? (
        entries.error ? null : (
          <Loading />
        )
      ) : entries.data.total === 0 && !filtered ? (
        <EmptyState
          testId="empty-audit"
          icon={pageIcons.audit}
          title={t('audit.empty.title')}
          body={t('audit.empty.body')}
        />
      ) : entries.data.entries.length === 0 ? (
        <EmptyState
          testId="empty-audit-filtered"
          title={t('audit.emptyFiltered.title')}
          body={t('audit.emptyFiltered.body')}
          action={
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setFilters(NO_AUDIT_FILTERS)}
              data-testid="audit-clear-filters"
            >
              {t('audit.emptyFiltered.clear')}
            </button>
          }
        />
      ) : (
        <>
          <AuditTable entries={entries.data.entries} />
          <Pager
            offset={entries.dataParams?.offset ?? 0}
            limit={AUDIT_PAGE_SIZE}
            total={entries.data.total}
            onChange={(next) => setPaging({ filterKey, offset: next })}
            testIdPrefix="audit-pager"
          />
        </>
      )}
    </Page>
  );
}

function AuditToolbar({
  filters,
  onFilters,
  onRefresh,
  refreshing,
  onExport,
  exporting,
}: {
  filters: AuditFilters;
  onFilters: (next: AuditFilters) => void;
  onRefresh: () => void;
  refreshing: boolean;
  onExport: () => void;
  exporting: boolean;
}) {
  const { t } = useTranslation();
  const ids = {
    actor: useId(),
    kind: useId(),
    action: useId(),
    subject: useId(),
    from: useId(),
    to: useId(),
  };
  const set = (patch: Partial<AuditFilters>) => onFilters({ ...filters, ...patch });
  return (
    <div className="toolbar toolbar-wrap" role="search">
      <div className="toolbar-field">
        <label htmlFor={ids.actor}>{t('audit.filters.actor')}</label>
        <input
          id={ids.actor}
          className="input input-narrow"
          value={filters.actor}
          onChange={(event) => set({ actor: event.target.value })}
          placeholder={t('audit.filters.actorPlaceholder')}
          maxLength={200}
          autoComplete="off"
          data-testid="audit-actor"
        />
      </div>
      <div className="toolbar-field">
        <label htmlFor={ids.kind}>{t('audit.filters.kind')}</label>
        <select
          id={ids.kind}
          className="input"
          value={filters.kind ?? ''}
          onChange={(event) => {
            const kind = isKind(event.target.value) ? event.target.value : null;
            // An action of another kind no longer applies.
            const action =
              filters.action && kind && !actionsFor(kind).includes(filters.action)
                ? null
                : filters.action;
            set({ kind, action });
          }}
          data-testid="audit-kind"
        >
          <option value="">{t('audit.filters.allKinds')}</option>
          {AUDIT_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {t(`audit.kinds.${kind}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="toolbar-field">
        <label htmlFor={ids.action}>{t('audit.filters.action')}</label>
        <select
          id={ids.action}
          className="input"
          value={filters.action ?? ''}
          onChange={(event) =>
            set({ action: isAuditAction(event.target.value) ? event.target.value : null })
          }
          data-testid="audit-action"
        >
          <option value="">{t('audit.filters.allActions')}</option>
          {actionsFor(filters.kind).map((action) => (
            <option key={action} value={action}>
              {t(`audit.actions.${action}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="toolbar-field toolbar-grow">
        <label htmlFor={ids.subject}>{t('audit.filters.subject')}</label>
        <input
          id={ids.subject}
          className="input"
          value={filters.subject}
          onChange={(event) => set({ subject: event.target.value })}
          placeholder={t('audit.filters.subjectPlaceholder')}
          maxLength={500}
          autoComplete="off"
          data-testid="audit-subject"
        />
      </div>
      <div className="toolbar-field">
        <label htmlFor={ids.from}>{t('audit.filters.from')}</label>
        <input
          id={ids.from}
          type="date"
          className="input"
          value={filters.fromDate}
          onChange={(event) => set({ fromDate: event.target.value })}
          data-testid="audit-from"
        />
      </div>
      <div className="toolbar-field">
        <label htmlFor={ids.to}>{t('audit.filters.to')}</label>
        <input
          id={ids.to}
          type="date"
          className="input"
          value={filters.toDate}
          onChange={(event) => set({ toDate: event.target.value })}
          data-testid="audit-to"
        />
      </div>
      <div className="toolbar-actions">
        <button
          type="button"
          className="button button-ghost"
          onClick={() => onFilters(NO_AUDIT_FILTERS)}
          data-testid="audit-clear"
        >
          {t('audit.filters.clear')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={onRefresh}
          disabled={refreshing}
          data-testid="audit-refresh"
        >
          {t('audit.refresh')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={onExport}
          disabled={exporting}
          data-testid="audit-export"
        >
          {t('audit.export')}
        </button>
      </div>
    </div>
  );
}

function AuditTable({ entries }: { entries: readonly AuditEntry[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const none = t('common.none');
  const columns: Column<AuditEntry>[] = [
    {
      id: 'at',
      header: t('audit.columns.at'),
      className: 'nowrap',
      cell: (e) => format.dateTimeShort(e.at),
    },
    {
      id: 'actor',
      header: t('audit.columns.actor'),
      className: 'nowrap',
      cell: (e) =>
        e.role === null
          ? e.actor
          : t('audit.actorRole', { name: e.actor, role: t(`audit.roles.${e.role}`) }),
    },
    {
      id: 'source',
      header: t('audit.columns.source'),
      cell: (e) =>
        e.address === null
          ? t(`audit.sources.${e.source}`)
          : t('audit.sourceAddress', {
              source: t(`audit.sources.${e.source}`),
              address: e.address,
            }),
    },
    {
      id: 'action',
      header: t('audit.columns.action'),
      // A name from an older version that this one does not know is shown as stored.
      cell: (e) => (
        <span title={e.action}>
          {isAuditAction(e.action) ? t(`audit.actions.${e.action}`) : e.action}
        </span>
      ),
    },
    {
      id: 'subject',
      header: t('audit.columns.subject'),
      cell: (e) => (e.subject === null ? none : <span className="mono">{e.subject}</span>),
    },
    {
      id: 'details',
      header: t('audit.columns.details'),
      className: 'audit-details',
      cell: (e) => detailsText(e.details) || none,
    },
  ];
  return (
    <DataTable
      caption={t('audit.tableCaption')}
      columns={columns}
      rows={entries}
      rowKey={(e) => e.id}
      rowTestId="audit-row"
      rowData={(e) => ({ 'data-action': e.action, 'data-actor': e.actor })}
      testId="audit-table"
    />
  );
}
