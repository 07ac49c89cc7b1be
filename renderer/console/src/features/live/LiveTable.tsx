import { useTranslation } from 'react-i18next';
import type { LiveCall } from '../../api/contract.js';
import { hrefFor } from '../../app/routes.js';
import { useFormat } from '../../i18n/format.js';
import { Badge } from '../../ui/Badge.js';
import { DataTable, type Column } from '../../ui/DataTable.js';
import { useNow } from '../../ui/hooks.js';
import { callStateTone } from '../../ui/tones.js';
import { liveDurationMs } from './liveCalls.js';

interface LiveTableProps {
  calls: readonly LiveCall[];
  selectedId?: string | null;
  onOpen?: (id: string) => void;
}

export function LiveTable({ calls, selectedId = null, onOpen }: LiveTableProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow(1000, calls.length > 0);
  const none = t('common.none');

  const columns: Column<LiveCall>[] = [
    {
      id: 'number',
      header: t('live.columns.number'),
      cell: (c) =>
        // The link opens the call's detail by keyboard; the row click is the mouse shortcut.
        onOpen ? (
          <a className="mono row-link" href={hrefFor('live', c.id)} aria-label={t('history.openDetails', { number: c.number })} onClick={(event) => event.stopPropagation()}>
            {c.number}
          </a>
        ) : (
          <span className="mono">{c.number}</span>
        ),
    },
    { id: 'contact', header: t('live.columns.contact'), cell: (c) => c.contactName ?? none },
    { id: 'campaign', header: t('live.columns.campaign'), cell: (c) => c.campaignName ?? none },
    {
      id: 'state',
      header: t('live.columns.state'),
      cell: (c) => <Badge tone={callStateTone[c.state]}>{t(`callState.${c.state}`)}</Badge>,
    },
    {
      id: 'duration',
      header: t('live.columns.duration'),
      numeric: true,
      cell: (c) => <span data-testid="live-duration">{format.clock(liveDurationMs(c, now))}</span>,
    },
    {
      id: 'lastUtterance',
      header: t('live.columns.lastUtterance'),
      className: 'cell-utterance',
      cell: (c) => (c.lastUtterance ? <q title={c.lastUtterance}>{c.lastUtterance}</q> : none),
    },
  ];

  return (
    <DataTable
      caption={t('live.tableCaption')}
      columns={columns}
      rows={calls}
      rowKey={(c) => c.id}
      rowTestId="live-row"
      rowData={(c) => ({ 'data-call-id': c.id })}
      {...(onOpen ? { onRowClick: (c: LiveCall) => onOpen(c.id), isSelected: (c: LiveCall) => c.id === selectedId } : {})}
      testId="live-table"
    />
  );
}
