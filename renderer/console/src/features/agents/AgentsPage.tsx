import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useCommand, useEvent } from '../../api/hooks.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { pageIcons } from '../../ui/icons.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { AddAgentForm } from './AddAgentForm.js';
import { AgentsTable } from './AgentsTable.js';

export function AgentsPage() {
  const { t } = useTranslation();
  const agents = useCommand('agents.list', {});
  useEvent('agents.changed', (data) => agents.setData(() => data));
  // Live statuses and since when (routing's agent.state), so a supervisor sees who is free.
  const states = useCommand('agents.states', {});
  const [since, setSince] = useState<Record<number, number | null>>({});
  useEffect(() => {
    if (states.data)
      setSince(Object.fromEntries(states.data.agents.map((a) => [a.id, a.statusChangedAt])));
  }, [states.data]);
  useEvent('agent.state', (s) => {
    setSince((previous) => ({ ...previous, [s.id]: s.statusChangedAt }));
    // An admin is listed only while at a desk (agents.list): one signing on or off changes the rows.
    const listed = agents.data?.agents.some((a) => a.id === s.id) ?? true;
    if (listed !== (s.role !== 'admin' || s.status !== 'offline')) agents.reload();
    agents.setData(
      (previous) =>
        previous && {
          agents: previous.agents.map((a) =>
            a.id === s.id
              ? { ...a, status: s.status, skills: s.skills, displayName: s.displayName }
              : a,
          ),
        },
    );
  });
  const rows = agents.data?.agents ?? [];

  return (
    <Page name="agents" title={t('agents.title')} description={t('agents.description')}>
      <div className="split">
        <div className="split-main">
          {agents.error ? <ErrorNotice error={agents.error} onRetry={agents.reload} /> : null}
          {!agents.data ? (
            agents.error ? null : (
              <Loading />
            )
          ) : rows.length === 0 ? (
            <EmptyState
              testId="empty-agents"
              icon={pageIcons.agents}
              title={t('agents.empty.title')}
              body={t('agents.empty.body')}
            />
          ) : (
            <AgentsTable agents={rows} since={since} />
          )}
        </div>
        <aside className="split-side">
          <AddAgentForm onCreated={agents.reload} />
        </aside>
      </div>
    </Page>
  );
}
