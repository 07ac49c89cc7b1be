import { useTranslation } from 'react-i18next';
import type { CampaignSummary } from '../../api/contract.js';
import { useCommand } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { Badge } from '../../ui/Badge.js';
import { DataTable, type Column } from '../../ui/DataTable.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { pageIcons } from '../../ui/icons.js';
import { campaignTone } from '../../ui/tones.js';

export function CampaignsPage() {
  const { t } = useTranslation();
  const campaigns = useCommand('campaigns.list', {});
  const rows = campaigns.data?.campaigns ?? [];

  return (
    <Page name="campaigns" title={t('campaigns.title')} description={t('campaigns.description')}>
      {campaigns.error ? <ErrorNotice error={campaigns.error} onRetry={campaigns.reload} /> : null}
      {!campaigns.data ? (
        campaigns.error ? null : <Loading />
      ) : rows.length === 0 ? (
        <EmptyState
          testId="empty-campaigns"
          icon={pageIcons.campaigns}
          title={t('campaigns.empty.title')}
          body={t('campaigns.empty.body')}
        />
      ) : (
        <CampaignsTable campaigns={rows} />
      )}
    </Page>
  );
}

function CampaignsTable({ campaigns }: { campaigns: readonly CampaignSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const none = t('common.none');
  const columns: Column<CampaignSummary>[] = [
    { id: 'name', header: t('campaigns.columns.name'), cell: (c) => <strong>{c.name}</strong> },
    {
      id: 'status',
      header: t('campaigns.columns.status'),
      cell: (c) => <Badge tone={campaignTone[c.status]}>{t(`campaignStatus.${c.status}`)}</Badge>,
    },
    { id: 'mode', header: t('campaigns.columns.mode'), cell: (c) => t(`dialingMode.${c.dialingMode}`) },
    { id: 'list', header: t('campaigns.columns.list'), cell: (c) => c.listName ?? none },
    { id: 'flow', header: t('campaigns.columns.flow'), cell: (c) => c.flowName ?? none },
    { id: 'created', header: t('campaigns.columns.created'), cell: (c) => format.dateTimeShort(c.createdAt) },
  ];
  return (
    <DataTable
      caption={t('campaigns.tableCaption')}
      columns={columns}
      rows={campaigns}
      rowKey={(c) => c.id}
      rowTestId="campaign-row"
      testId="campaigns-table"
    />
  );
}
