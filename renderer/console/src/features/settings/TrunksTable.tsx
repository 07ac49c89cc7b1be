import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { TrunkView } from '../../api/contract.js';
import { useMutation } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { Badge } from '../../ui/Badge.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { trunkHealthTone } from '../../ui/tones.js';

export function TrunksTable({ trunks }: { trunks: readonly TrunkView[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  /** The trunk whose removal waits for a second click. */
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = useMutation('trunks.remove');

  const confirmRemove = async (name: string) => {
    const removed = await remove.run({ name });
    if (removed) setConfirming(null); // The row disappears with trunks.changed.
  };

  const columns: Column<TrunkView>[] = [
    {
      id: 'name',
      header: t('settings.trunks.columns.name'),
      className: 'cell-nowrap',
      cell: (trunk) => <strong>{trunk.name}</strong>,
    },
    {
      id: 'uri',
      header: t('settings.trunks.columns.uri'),
      cell: (trunk) => <span className="mono selectable">{trunk.uri}</span>,
    },
    {
      id: 'domain',
      header: t('settings.trunks.columns.domain'),
      cell: (trunk) => <span className="mono">{trunk.domain}</span>,
    },
    {
      id: 'username',
      header: t('settings.trunks.columns.username'),
      cell: (trunk) =>
        trunk.username === null ? (
          <span className="muted">{t('settings.trunks.noUser')}</span>
        ) : (
          <span className="mono">{trunk.username}</span>
        ),
    },
    {
      id: 'register',
      header: t('settings.trunks.columns.register'),
      className: 'cell-nowrap',
      cell: (trunk) => (trunk.register ? t('settings.trunks.yes') : t('settings.trunks.no')),
    },
    {
      id: 'role',
      header: t('settings.trunks.columns.role'),
      className: 'cell-nowrap',
      cell: (trunk) => t(`settings.trunks.role.${trunk.role}`),
    },
    {
      id: 'transferMode',
      header: t('settings.trunks.columns.transferMode'),
      className: 'cell-nowrap',
      cell: (trunk) => t(`settings.trunks.transferMode.${trunk.transferMode}`),
    },
    {
      id: 'maxCalls',
      header: t('settings.trunks.columns.maxCalls'),
      numeric: true,
      cell: (trunk) => format.number(trunk.maxConcurrentCalls),
    },
    {
      id: 'health',
      header: t('settings.trunks.columns.health'),
      className: 'cell-nowrap',
      cell: ({ health }) => {
        const time = format.dateTime(health.since);
        const title = health.reason
          ? t('settings.trunks.healthReason', { reason: health.reason, time })
          : t('settings.trunks.healthSince', { time });
        return (
          <span title={title} data-testid="trunk-health" data-state={health.state}>
            <Badge tone={trunkHealthTone[health.state]}>
              {t(`settings.trunks.health.${health.state}`)}
            </Badge>
            {health.reason ? <span className="sr-only">{health.reason}</span> : null}
          </span>
        );
      },
    },
    {
      id: 'actions',
      header: t('settings.trunks.columns.actions'),
      cell: (trunk) =>
        confirming === trunk.name ? (
          <span
            className="row-confirm"
            role="group"
            aria-label={t('settings.trunks.confirmRemove', { name: trunk.name })}
          >
            <span>{t('settings.trunks.confirmRemove', { name: trunk.name })}</span>
            <button
              type="button"
              className="button button-danger button-small"
              onClick={() => void confirmRemove(trunk.name)}
              disabled={remove.pending}
              data-testid="trunk-remove-confirm"
            >
              {remove.pending ? t('settings.trunks.removing') : t('settings.trunks.confirm')}
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => {
                setConfirming(null);
                remove.reset();
              }}
              disabled={remove.pending}
              autoFocus
              data-testid="trunk-remove-cancel"
            >
              {t('settings.trunks.cancel')}
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="button button-ghost button-small"
            onClick={() => {
              setConfirming(trunk.name);
              remove.reset();
            }}
            aria-label={t('settings.trunks.removeLabel', { name: trunk.name })}
            data-testid="trunk-remove"
          >
            {t('settings.trunks.remove')}
          </button>
        ),
    },
  ];

  return (
    <>
      {remove.error ? (
        <ErrorNotice
          error={remove.error}
          title={t('settings.trunks.removeFailed')}
          testId="trunk-remove-error"
        />
      ) : null}
      <DataTable
        caption={t('settings.trunks.tableCaption')}
        columns={columns}
        rows={trunks}
        rowKey={(trunk) => trunk.id}
        rowTestId="trunk-row"
        rowData={(trunk) => ({ 'data-name': trunk.name })}
        testId="trunks-table"
      />
    </>
  );
}
