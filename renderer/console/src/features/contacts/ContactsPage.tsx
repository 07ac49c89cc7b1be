import './contacts.css';

import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ContactListSummary } from '../../api/contract.js';
import { useCommand } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { pageIcons } from '../../ui/icons.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { ImportWizard } from './ImportWizard.js';

/** Contact lists with their sizes, and the import of CSV / XLSX files into them. */
export function ContactsPage() {
  const { t } = useTranslation();
  const lists = useCommand('contacts.lists', {});
  const settings = useCommand('settings.get', {});
  const [importing, setImporting] = useState(false);
  const rows = lists.data?.lists ?? [];

  return (
    <Page
      name="contacts"
      title={t('contacts.title')}
      description={t('contacts.description')}
      actions={
        importing ? null : (
          <button
            type="button"
            className="button button-primary"
            onClick={() => setImporting(true)}
            data-testid="import-open"
          >
            {t('contacts.importButton')}
          </button>
        )
      }
    >
      {importing ? (
        <ImportWizard
          lists={rows}
          defaultRegion={settings.data?.defaultRegion ?? 'CN'}
          onImported={lists.reload}
          onClose={() => {
            setImporting(false);
            lists.reload();
          }}
        />
      ) : null}
      <section className="section" aria-labelledby="contact-lists-title">
        <h2 id="contact-lists-title" className="section-title">
          {t('contacts.lists.title')}
        </h2>
        {lists.error ? <ErrorNotice error={lists.error} onRetry={lists.reload} /> : null}
        {!lists.data ? (
          lists.error ? null : (
            <Loading />
          )
        ) : rows.length === 0 ? (
          <EmptyState
            testId="empty-lists"
            icon={pageIcons.contacts}
            title={t('contacts.lists.empty.title')}
            body={t('contacts.lists.empty.body')}
          />
        ) : (
          <ListsTable lists={rows} />
        )}
      </section>
    </Page>
  );
}

function ListsTable({ lists }: { lists: readonly ContactListSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const columns: Column<ContactListSummary>[] = [
    {
      id: 'name',
      header: t('contacts.lists.columns.name'),
      cell: (l) => <strong>{l.name}</strong>,
    },
    {
      id: 'contacts',
      header: t('contacts.lists.columns.contacts'),
      numeric: true,
      cell: (l) => format.number(l.contacts),
    },
    { id: 'region', header: t('contacts.lists.columns.region'), cell: (l) => l.defaultRegion },
    {
      id: 'created',
      header: t('contacts.lists.columns.created'),
      cell: (l) => format.dateTimeShort(l.createdAt),
    },
  ];
  return (
    <DataTable
      caption={t('contacts.lists.title')}
      columns={columns}
      rows={lists}
      rowKey={(l) => l.id}
      rowTestId="list-row"
      rowData={(l) => ({ 'data-list': l.name })}
      testId="lists-table"
    />
  );
}
