import { useTranslation } from 'react-i18next';

import type { Agent } from '../../api/contract.js';
import { Badge } from '../../ui/Badge.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { agentStatusTone } from '../../ui/tones.js';
import { AgentSkillsCell } from './AgentSkillsCell.js';

/** Agents with their live status (since when, from agent.state) for the supervisor. */
export function AgentsTable({
  agents,
  since = {},
}: {
  agents: readonly Agent[];
  since?: Readonly<Record<number, number | null>>;
}) {
  const { t, i18n } = useTranslation();
  const time = (at: number) =>
    new Date(at).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' });
  const columns: Column<Agent>[] = [
    { id: 'name', header: t('agents.columns.name'), cell: (a) => <strong>{a.displayName}</strong> },
    {
      id: 'username',
      header: t('agents.columns.username'),
      cell: (a) => <span className="mono">{a.username}</span>,
    },
    { id: 'role', header: t('agents.columns.role'), cell: (a) => t(`agentRole.${a.role}`) },
    {
      id: 'skills',
      header: t('agents.columns.skills'),
      cell: (a) => <AgentSkillsCell agentId={a.id} name={a.displayName} skills={a.skills} />,
    },
    {
      id: 'status',
      header: t('agents.columns.status'),
      cell: (a) => (
        <span data-testid="agent-row-status">
          <Badge tone={agentStatusTone[a.status]}>{t(`agentStatus.${a.status}`)}</Badge>{' '}
          {since[a.id] ? (
            <span className="muted">
              {t('agentDesk.supervisor.since', { time: time(since[a.id] as number) })}
            </span>
          ) : null}
        </span>
      ),
    },
  ];
  return (
    <DataTable
      caption={t('agents.tableCaption')}
      columns={columns}
      rows={agents}
      rowKey={(a) => a.id}
      rowTestId="agent-row"
      rowData={(a) => ({ 'data-username': a.username })}
      testId="agents-table"
    />
  );
}
