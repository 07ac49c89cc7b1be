import { useTranslation } from 'react-i18next';
import type { FlowSummary } from '../../api/contract.js';
import { useCommand } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { DataTable, type Column } from '../../ui/DataTable.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { pageIcons } from '../../ui/icons.js';

export function FlowsPage() {
  const { t } = useTranslation();
  const flows = useCommand('flows.list', {});
  const rows = flows.data?.flows ?? [];

  return (
    <Page name="flows" title={t('flows.title')} description={t('flows.description')}>
      {flows.error ? <ErrorNotice error={flows.error} onRetry={flows.reload} /> : null}
      {!flows.data ? (
        flows.error ? null : <Loading />
      ) : rows.length === 0 ? (
        <EmptyState testId="empty-flows" icon={pageIcons.flows} title={t('flows.empty.title')} body={t('flows.empty.body')} />
      ) : (
        <FlowsTable flows={rows} />
      )}
    </Page>
  );
}

function FlowsTable({ flows }: { flows: readonly FlowSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const columns: Column<FlowSummary>[] = [
    { id: 'name', header: t('flows.columns.name'), cell: (f) => <strong>{f.name}</strong> },
    { id: 'language', header: t('flows.columns.language'), cell: (f) => <span lang={f.language}>{t(`languageNames.${f.language}`)}</span> },
    {
      id: 'version',
      header: t('flows.columns.version'),
      cell: (f) => (f.latestVersion === null ? t('flows.notPublished') : t('flows.versionValue', { version: f.latestVersion })),
    },
    { id: 'updated', header: t('flows.columns.updated'), cell: (f) => format.dateTimeShort(f.updatedAt) },
  ];
  return (
    <DataTable caption={t('flows.tableCaption')} columns={columns} rows={flows} rowKey={(f) => f.id} rowTestId="flow-row" testId="flows-table" />
  );
}
