import './campaigns.css';

import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { CampaignSummary } from '../../api/contract.js';
import { useCommand, useEvent } from '../../api/hooks.js';
import { hrefFor } from '../../app/routes.js';
import { navigate } from '../../app/useRoute.js';
import { useFormat } from '../../i18n/format.js';
import { Badge } from '../../ui/Badge.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { pageIcons } from '../../ui/icons.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { campaignTone } from '../../ui/tones.js';
import { CampaignDetailView } from './CampaignDetailView.js';
import { CampaignForm } from './CampaignForm.js';
import { ProgressBar } from './CampaignProgressView.js';

/** Campaigns: the list with live progress, the create form, and one campaign's page (#/campaigns/<name>). */
export function CampaignsPage({ campaignName = null }: { campaignName?: string | null }) {
  const { t } = useTranslation();
  const campaigns = useCommand('campaigns.list', {});
  const settings = useCommand('settings.get', {});
  const [creating, setCreating] = useState(false);
  // A status change arrives as campaign.updated; the list's summary follows it.
  useEvent('campaign.updated', (detail) =>
    campaigns.setData((previous) => {
      if (!previous) return previous;
      const known = previous.campaigns.some((c) => c.id === detail.id);
      if (!known) {
        campaigns.reload();
        return previous;
      }
      return {
        campaigns: previous.campaigns.map((c) =>
          c.id === detail.id
            ? {
                ...c,
                status: detail.status,
                dialingMode: detail.dialingMode,
                listName: detail.listName,
                flowName: detail.flowName,
              }
            : c,
        ),
      };
    }),
  );
  const rows = campaigns.data?.campaigns ?? [];

  return (
    <Page
      name="campaigns"
      title={t('campaigns.title')}
      description={t('campaigns.description')}
      actions={
        campaignName === null && !creating ? (
          <button
            type="button"
            className="button button-primary"
            onClick={() => setCreating(true)}
            data-testid="campaign-new"
          >
            {t('campaignPage.newCampaign')}
          </button>
        ) : null
      }
    >
      {campaignName !== null ? (
        <CampaignDetailView key={campaignName} name={campaignName} />
      ) : (
        <>
          {creating ? (
            <CampaignForm
              timeZone={settings.data?.timeZone ?? 'Asia/Shanghai'}
              onCancel={() => setCreating(false)}
              onCreated={(created) => {
                setCreating(false);
                campaigns.reload();
                navigate('campaigns', created.name);
              }}
            />
          ) : null}
          {campaigns.error ? (
            <ErrorNotice error={campaigns.error} onRetry={campaigns.reload} />
          ) : null}
          {!campaigns.data ? (
            campaigns.error ? null : (
              <Loading />
            )
          ) : rows.length === 0 ? (
            creating ? null : (
              <EmptyState
                testId="empty-campaigns"
                icon={pageIcons.campaigns}
                title={t('campaigns.empty.title')}
                body={t('campaigns.empty.body')}
              />
            )
          ) : (
            <CampaignsTable campaigns={rows} />
          )}
        </>
      )}
    </Page>
  );
}

function CampaignsTable({ campaigns }: { campaigns: readonly CampaignSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const none = t('common.none');
  const columns: Column<CampaignSummary>[] = [
    {
      id: 'name',
      header: t('campaigns.columns.name'),
      cell: (c) => (
        <a className="row-link" href={hrefFor('campaigns', c.name)} data-testid="campaign-link">
          <strong>{c.name}</strong>
        </a>
      ),
    },
    {
      id: 'status',
      header: t('campaigns.columns.status'),
      cell: (c) => <Badge tone={campaignTone[c.status]}>{t(`campaignStatus.${c.status}`)}</Badge>,
    },
    {
      id: 'mode',
      header: t('campaigns.columns.mode'),
      cell: (c) => t(`dialingMode.${c.dialingMode}`),
    },
    { id: 'list', header: t('campaigns.columns.list'), cell: (c) => c.listName ?? none },
    { id: 'flow', header: t('campaigns.columns.flow'), cell: (c) => c.flowName ?? none },
    {
      id: 'progress',
      header: t('campaignPage.progress.column'),
      className: 'campaign-progress-cell',
      cell: (c) => <LiveProgress name={c.name} />,
    },
    {
      id: 'created',
      header: t('campaigns.columns.created'),
      cell: (c) => format.dateTimeShort(c.createdAt),
    },
  ];
  return (
    <DataTable
      caption={t('campaigns.tableCaption')}
      columns={columns}
      rows={campaigns}
      rowKey={(c) => c.id}
      rowTestId="campaign-row"
      rowData={(c) => ({ 'data-campaign': c.name })}
      onRowClick={(c) => navigate('campaigns', c.name)}
      testId="campaigns-table"
    />
  );
}

/** One row's progress: loaded with campaigns.get, then kept current by campaign.updated. */
function LiveProgress({ name }: { name: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const detail = useCommand('campaigns.get', { name });
  useEvent('campaign.updated', (d) => {
    if (d.name === name) detail.setData(() => d);
  });
  const progress = detail.data?.progress;
  if (!progress) return <span className="muted">{t('common.none')}</span>;
  return (
    <div className="campaign-progress-inline">
      <ProgressBar progress={progress} testId="campaign-row-progress" />
      <span className="muted nowrap">
        {t('campaignPage.progress.inline', {
          dialed: format.number(progress.dialed),
          contacts: format.number(progress.contacts),
          live: format.number(progress.liveCalls),
        })}
      </span>
    </div>
  );
}
