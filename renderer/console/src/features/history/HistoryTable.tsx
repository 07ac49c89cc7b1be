import { useTranslation } from 'react-i18next';

import type { CallSummary } from '../../api/contract.js';
import { hrefFor } from '../../app/routes.js';
import { useDispositionLabel } from '../../i18n/dispositions.js';
import { useFormat } from '../../i18n/format.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { CallOutcomeBadge } from './CallOutcomeBadge.js';

interface HistoryTableProps {
  calls: readonly CallSummary[];
  selectedId: string | null;
  onOpen: (id: string) => void;
}

export function HistoryTable({ calls, selectedId, onOpen }: HistoryTableProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const none = t('common.none');
  const dispositionLabel = useDispositionLabel();
  const columns: Column<CallSummary>[] = [
    {
      id: 'startedAt',
      header: t('history.columns.startedAt'),
      className: 'nowrap',
      cell: (c) => format.dateTimeShort(c.startedAt),
    },
    {
      id: 'number',
      header: t('history.columns.number'),
      className: 'nowrap',
      cell: (c) => (
        // The link makes the detail reachable by keyboard; the row click is the mouse shortcut.
        <a
          className="mono row-link"
          href={hrefFor('history', c.id)}
          aria-label={t('history.openDetails', { number: c.number })}
          onClick={(event) => event.stopPropagation()}
        >
          {c.number}
        </a>
      ),
    },
    { id: 'contact', header: t('history.columns.contact'), cell: (c) => c.contactName ?? none },
    { id: 'campaign', header: t('history.columns.campaign'), cell: (c) => c.campaignName ?? none },
    {
      id: 'outcome',
      header: t('history.columns.outcome'),
      cell: (c) => <CallOutcomeBadge call={c} />,
    },
    {
      id: 'disposition',
      header: t('history.columns.disposition'),
      cell: (c) => (c.disposition === null ? none : dispositionLabel(c.disposition)),
    },
    {
      id: 'sipCode',
      header: t('history.columns.sipCode'),
      numeric: true,
      cell: (c) => (c.sipCode === null ? none : c.sipCode),
    },
    {
      id: 'duration',
      header: t('history.columns.duration'),
      numeric: true,
      className: 'nowrap',
      cell: (c) => (c.durationMs === null ? none : format.clock(c.durationMs)),
    },
  ];
  return (
    <DataTable
      caption={t('history.tableCaption')}
      columns={columns}
      rows={calls}
      rowKey={(c) => c.id}
      rowTestId="history-row"
      rowData={(c) => ({ 'data-call-id': c.id })}
      onRowClick={(c) => onOpen(c.id)}
      isSelected={(c) => c.id === selectedId}
      testId="history-table"
    />
  );
}
