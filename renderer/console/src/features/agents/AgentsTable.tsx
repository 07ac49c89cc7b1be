import { useTranslation } from 'react-i18next';
import type { Agent } from '../../api/contract.js';
import { Badge } from '../../ui/Badge.js';
import { DataTable, type Column } from '../../ui/DataTable.js';
import { agentStatusTone } from '../../ui/tones.js';

export function AgentsTable({ agents }: { agents: readonly Agent[] }) {
  const { t } = useTranslation();
  const columns: Column<Agent>[] = [
    { id: 'name', header: t('agents.columns.name'), cell: (a) => <strong>{a.displayName}</strong> },
    { id: 'username', header: t('agents.columns.username'), cell: (a) => <span className="mono">{a.username}</span> },
    { id: 'role', header: t('agents.columns.role'), cell: (a) => t(`agentRole.${a.role}`) },
    {
      id: 'skills',
      header: t('agents.columns.skills'),
      cell: (a) =>
        a.skills.length === 0 ? (
          <span className="muted">{t('agents.noSkills')}</span>
        ) : (
          <ul className="tag-list">
            {a.skills.map((skill) => (
              <li key={skill} className="tag">
                {skill}
              </li>
            ))}
          </ul>
        ),
    },
    {
      id: 'status',
      header: t('agents.columns.status'),
      cell: (a) => <Badge tone={agentStatusTone[a.status]}>{t(`agentStatus.${a.status}`)}</Badge>,
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
