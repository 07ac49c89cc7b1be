import { useTranslation } from 'react-i18next';
import { useCommand, useEvent } from '../../api/hooks.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { pageIcons } from '../../ui/icons.js';
import { AddAgentForm } from './AddAgentForm.js';
import { AgentsTable } from './AgentsTable.js';

export function AgentsPage() {
  const { t } = useTranslation();
  const agents = useCommand('agents.list', {});
  useEvent('agents.changed', (data) => agents.setData(() => data));
  const rows = agents.data?.agents ?? [];

  return (
    <Page name="agents" title={t('agents.title')} description={t('agents.description')}>
      <div className="split">
        <div className="split-main">
          {agents.error ? <ErrorNotice error={agents.error} onRetry={agents.reload} /> : null}
          {!agents.data ? (
            agents.error ? null : <Loading />
          ) : rows.length === 0 ? (
            <EmptyState testId="empty-agents" icon={pageIcons.agents} title={t('agents.empty.title')} body={t('agents.empty.body')} />
          ) : (
            <AgentsTable agents={rows} />
          )}
        </div>
        <aside className="split-side">
          <AddAgentForm onCreated={agents.reload} />
        </aside>
      </div>
    </Page>
  );
}
