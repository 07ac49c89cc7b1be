import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ImportRejectedRow, ImportStatus } from '../../api/contract.js';
import { toApiError } from '../../api/errors.js';
import { useApi } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { listNameFromFile } from './importDraft.js';
import { failureKey } from './ImportWizard.js';
import { rejectMessage } from './rejectReason.js';

/** The counts, the rejected rows (row number and reason) and their download; or why nothing was imported. */
export function ImportResultView({
  status,
  onAgain,
}: {
  status: ImportStatus;
  onAgain: () => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const api = useApi();
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);
  const result = status.result;
  // The key is one of a union of sentences; t's overloads cannot take a union key with values at once.
  const translate = t as unknown as (key: string, values: Record<string, string>) => string;

  const download = async () => {
    setDownloading(true);
    setDownloadError(null);
    try {
      // The engine pages the CSV so each reply stays small; the pages join into the whole file.
      const parts: string[] = ['\uFEFF']; // A BOM, so Excel opens the UTF-8 text with Chinese intact.
      let offset: number | null = 0;
      while (offset !== null) {
        const page: { text: string; nextOffset: number | null } = await api.request(
          'imports.rejects',
          { id: status.id, offset },
        );
        parts.push(page.text);
        offset = page.nextOffset;
      }
      const url = URL.createObjectURL(new Blob(parts, { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = t('contacts.import.rejectsFileName', {
        name: listNameFromFile(status.fileName),
      });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (caught) {
      setDownloadError(toApiError(caught).message);
    } finally {
      setDownloading(false);
    }
  };

  const again = (
    <button
      type="button"
      className="button button-secondary"
      onClick={onAgain}
      data-testid="import-again"
    >
      {t('contacts.import.again')}
    </button>
  );

  if (status.state === 'failed' || !result) {
    return (
      <div className="import-result" data-testid="import-result" data-state="failed">
        <p className="notice notice-error" role="alert" data-testid="import-failed">
          <span className="notice-text">
            <strong>{t(failureKey(status.error?.code ?? ''))}</strong>
            <code className="notice-detail">{status.error?.message}</code>
          </span>
        </p>
        <div className="form-actions">{again}</div>
      </div>
    );
  }

  const reasonText = (reason: string): string => {
    const message = rejectMessage(reason);
    if (!message) return reason;
    if (message.key === 'invalidPhone')
      return t('contacts.import.rejectReason.invalidPhone', {
        value: message.values.value,
        why: t(`contacts.import.rejectReason.why.${message.why}`),
      });
    return translate(`contacts.import.rejectReason.${message.key}`, message.values);
  };
  const columns: Column<ImportRejectedRow>[] = [
    {
      id: 'row',
      header: t('contacts.import.rejects.row'),
      numeric: true,
      cell: (r) => <span data-testid="rejected-row-number">{r.row}</span>,
    },
    {
      id: 'reason',
      header: t('contacts.import.rejects.reason'),
      // Translated when the engine's wording is known; its own words stay as the tooltip (and in the CSV).
      cell: (r) => (
        <span data-testid="rejected-reason" data-reason={r.reason} title={r.reason}>
          {reasonText(r.reason)}
        </span>
      ),
    },
    {
      id: 'raw',
      header: t('contacts.import.rejects.raw'),
      cell: (r) => <code className="mono import-raw">{r.raw}</code>,
    },
  ];
  const counts: Array<['accepted' | 'inserted' | 'merged' | 'rejected', number, string]> = [
    ['accepted', result.accepted, 'success'],
    ['inserted', result.inserted, 'neutral'],
    ['merged', result.merged, 'neutral'],
    ['rejected', result.rejectedCount, result.rejectedCount > 0 ? 'danger' : 'neutral'],
  ];
  return (
    <div className="import-result" data-testid="import-result" data-state="done">
      <p className="notice notice-success" role="status">
        <span className="notice-text">
          {t(result.listCreated ? 'contacts.import.doneNew' : 'contacts.import.doneExisting', {
            file: status.fileName,
            list: result.listName,
            rows: format.number(result.rows),
            seconds: format.number(Math.max(0.1, Math.round(result.durationMs / 100) / 10)),
          })}
        </span>
      </p>
      <dl className="import-counts">
        {counts.map(([name, value, tone]) => (
          <div
            key={name}
            className={`import-count import-count-${tone}`}
            data-testid={`import-count-${name}`}
            data-value={value}
          >
            <dt>{t(`contacts.import.counts.${name}`)}</dt>
            <dd>{format.number(value)}</dd>
          </div>
        ))}
      </dl>
      {result.rejectedCount > 0 ? (
        <section className="section" aria-labelledby="import-rejects-title">
          <div className="import-head">
            <h3 id="import-rejects-title" className="section-title">
              {t('contacts.import.rejects.title')}
            </h3>
            <button
              type="button"
              className="button button-secondary"
              onClick={download}
              disabled={downloading}
              data-testid="rejects-download"
            >
              {t('contacts.import.rejects.download', { rows: format.number(result.rejectedCount) })}
            </button>
          </div>
          {downloadError ? (
            <p className="field-error" role="alert">
              {t('contacts.import.rejects.downloadFailed', { message: downloadError })}
            </p>
          ) : null}
          {result.rejected.length < result.rejectedCount ? (
            <p className="muted">
              {t('contacts.import.rejects.firstOnly', {
                shown: format.number(result.rejected.length),
                total: format.number(result.rejectedCount),
              })}
            </p>
          ) : null}
          <DataTable
            caption={t('contacts.import.rejects.title')}
            columns={columns}
            rows={result.rejected}
            rowKey={(r) => r.row}
            rowTestId="rejected-row"
            testId="rejects-table"
          />
        </section>
      ) : null}
      <div className="form-actions">{again}</div>
    </div>
  );
}
