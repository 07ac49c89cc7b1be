/**
 * The Settings page's Privacy section (admins; issue 15 §4): the retention periods, the purge (now,
 * or a dry run first) with the last report, erasure of one person's data with the number typed
 * twice, and the access export of one person's data as a zip. The engine does the work
 * (retention/); docs/PRIVACY.md is the admin's guide.
 */
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { CommandResult, Settings } from '../../api/contract.js';
import { errorField, fieldMessage, toApiError } from '../../api/errors.js';
import { useApi, useCommand, useMutation } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Field, fieldAria } from '../../ui/Field.js';
import { RETENTION_KEYS, retentionChanges, type RetentionKey } from './retentionDraft.js';

type PurgeReportView = CommandResult<'privacy.purge'>;
/** The one kind with no "keep forever" (at least 365 days). */
const AUDIT: RetentionKey = RETENTION_KEYS[4];

const KINDS = [
  'recordings',
  'recordingBytes',
  'transcripts',
  'calls',
  'contacts',
  'audit',
] as const;

function PurgeReport({ report }: { report: PurgeReportView }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table" data-testid={report.dryRun ? 'purge-preview' : 'purge-report'}>
        <thead>
          <tr>
            {KINDS.map((kind) => (
              <th key={kind} scope="col">
                {t(`privacy.purge.kinds.${kind}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {KINDS.map((kind) => (
              <td key={kind} data-testid={`purge-${kind}`}>
                {report.removed[kind]}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

export function PrivacySection({
  saved,
  onSaved,
}: {
  saved: Settings;
  onSaved: (s: Settings) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const headingId = useId();
  const idPrefix = useId();
  const status = useCommand('privacy.status', {});
  const update = useMutation('settings.update');
  const purge = useMutation('privacy.purge');
  const erase = useMutation('privacy.erase');
  const [edits, setEdits] = useState<Partial<Record<RetentionKey, string>>>({});
  const [saved1, setSaved1] = useState(false);
  const [preview, setPreview] = useState<PurgeReportView | null>(null);
  const [eraseNumber, setEraseNumber] = useState('');
  const [eraseConfirm, setEraseConfirm] = useState('');
  const [erased, setErased] = useState<string | null>(null);
  const [exportNumber, setExportNumber] = useState('');
  const [exporting, setExporting] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  const draft = Object.fromEntries(
    RETENTION_KEYS.map((key) => [
      key,
      edits[key] ?? (saved[key] === null ? '' : String(saved[key])),
    ]),
  ) as Record<RetentionKey, string>;
  const apiField = update.error ? errorField(update.error, 'changes') : undefined;
  const when = (ms: number) => new Date(ms).toLocaleString();

  const saveRetention = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved1(false);
    const { changes, invalid } = retentionChanges(draft, saved);
    if (invalid.length > 0 || Object.keys(changes).length === 0) return;
    const result = await update.run({ changes });
    if (!result) return;
    onSaved(result);
    setEdits({});
    setSaved1(true);
  };

  const runPurge = async (dryRun: boolean) => {
    const report = await purge.run({ dryRun });
    if (!report) return;
    if (dryRun) setPreview(report);
    else {
      setPreview(null);
      status.reload();
    }
  };

  const digits = (text: string) => text.replace(/\D/g, '');
  // The same digits, give or take a country code ("+86 138…" and "138…"); the engine checks the
  // two numbers exactly once they are normalised.
  const [typed, again] = [digits(eraseNumber), digits(eraseConfirm)];
  const confirmed =
    typed.length >= 5 &&
    again.length >= 5 &&
    (typed.endsWith(again) || again.endsWith(typed)) &&
    Math.abs(typed.length - again.length) <= 4;
  const runErase = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErased(null);
    const report = await erase.run({ number: eraseNumber, confirm: eraseConfirm });
    if (!report) return;
    setErased(
      t('privacy.erase.done', {
        reference: report.reference,
        contacts: report.counts.contacts,
        calls: report.counts.calls,
        recordings: report.counts.recordings,
        files: report.files.deleted,
        audit: report.counts.audit,
      }),
    );
    setEraseNumber('');
    setEraseConfirm('');
    status.reload();
  };

  const runExport = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setExporting(true);
    setExported(null);
    setExportError(null);
    try {
      const made = await api.request('privacy.export', { number: exportNumber });
      // The zip comes in base64 chunks, each reply far under the transports' message limit.
      const parts: Array<Uint8Array<ArrayBuffer>> = [];
      for (let offset = 0; ;) {
        const chunk = await api.request('privacy.exportChunk', { exportId: made.exportId, offset });
        const binary = atob(chunk.data);
        const bytes = new Uint8Array(new ArrayBuffer(binary.length));
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        parts.push(bytes);
        offset += bytes.length;
        if (chunk.done) break;
      }
      const url = URL.createObjectURL(new Blob(parts, { type: 'application/zip' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = made.fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setExported(
        t('privacy.export.done', {
          calls: made.calls,
          recordings: made.recordings,
          file: made.fileName,
        }),
      );
    } catch (caught) {
      setExportError(toApiError(caught).message);
    } finally {
      setExporting(false);
    }
  };

  const last = status.data?.lastPurge ?? null;
  return (
    <section className="section" aria-labelledby={headingId} data-testid="privacy">
      <header>
        <h2 id={headingId} className="section-title">
          {t('privacy.title')}
        </h2>
        <p className="page-description">{t('privacy.description')}</p>
      </header>

      <form className="card form" onSubmit={saveRetention} noValidate data-testid="retention-form">
        <div className="form-grid">
          {RETENTION_KEYS.map((key) => {
            const error = apiField === key && update.error ? fieldMessage(update.error) : null;
            const id = `${idPrefix}-${key}`;
            return (
              <Field
                key={key}
                htmlFor={id}
                label={t(`settings.fields.${key}.label`)}
                help={t(`settings.fields.${key}.help`)}
                error={error}
                errorTestId={`setting-error-${key}`}
                suffix={t('privacy.days')}
              >
                <input
                  className="input input-number"
                  type="number"
                  inputMode="numeric"
                  min={AUDIT === key ? 365 : 1}
                  step={1}
                  placeholder={AUDIT === key ? undefined : t('privacy.forever')}
                  value={draft[key]}
                  onChange={(e) => {
                    setEdits((previous) => ({ ...previous, [key]: e.target.value }));
                    setSaved1(false);
                    update.reset();
                  }}
                  id={id}
                  data-testid={`setting-${key}`}
                  {...fieldAria(id, true, error)}
                />
              </Field>
            );
          })}
        </div>
        {update.error && !apiField ? <ErrorNotice error={update.error} /> : null}
        <div className="form-actions">
          <button
            type="submit"
            className="button"
            disabled={update.pending}
            data-testid="retention-save"
          >
            {t('privacy.saveRetention')}
          </button>
          {saved1 ? (
            <span role="status" className="muted" data-testid="retention-saved">
              {t('privacy.retentionSaved')}
            </span>
          ) : null}
        </div>
      </form>

      <div className="card" data-testid="purge">
        <h3 className="card-title">{t('privacy.purge.title')}</h3>
        <p className="muted">{t('privacy.purge.body')}</p>
        <p data-testid="purge-last">
          {last
            ? t('privacy.purge.last', {
                at: when(last.at),
                trigger: t(`privacy.purge.triggers.${last.trigger}`),
                ms: last.durationMs,
              })
            : t('privacy.purge.never')}
        </p>
        {last ? <PurgeReport report={last} /> : null}
        {last && last.errors.length > 0 ? (
          <p className="muted">{t('privacy.purge.errors', { count: last.errors.length })}</p>
        ) : null}
        {status.data?.nextPurgeAt ? (
          <p className="muted">{t('privacy.purge.next', { at: when(status.data.nextPurgeAt) })}</p>
        ) : null}
        {status.data ? (
          <p className="muted" data-testid="erased-numbers">
            {t('privacy.erasedNumbers', { count: status.data.erasedNumbers })}
          </p>
        ) : null}
        {preview ? (
          <>
            <p>{t('privacy.purge.preview')}</p>
            <PurgeReport report={preview} />
          </>
        ) : null}
        {purge.error ? <ErrorNotice error={purge.error} /> : null}
        {status.error ? <ErrorNotice error={status.error} onRetry={status.reload} /> : null}
        <div className="form-actions">
          <button
            type="button"
            className="button button-secondary"
            disabled={purge.pending}
            onClick={() => void runPurge(true)}
            data-testid="purge-dry-run"
          >
            {t('privacy.purge.dryRun')}
          </button>
          <button
            type="button"
            className="button"
            disabled={purge.pending}
            onClick={() => void runPurge(false)}
            data-testid="purge-now"
          >
            {purge.pending ? t('privacy.purge.running') : t('privacy.purge.now')}
          </button>
        </div>
      </div>

      <form className="card form" onSubmit={runErase} noValidate data-testid="erase-form">
        <h3 className="card-title">{t('privacy.erase.title')}</h3>
        <p className="muted">{t('privacy.erase.body')}</p>
        <div className="form-grid">
          <Field htmlFor={`${idPrefix}-erase`} label={t('privacy.erase.number')}>
            <input
              className="input"
              id={`${idPrefix}-erase`}
              value={eraseNumber}
              onChange={(e) => setEraseNumber(e.target.value)}
              autoComplete="off"
              data-testid="erase-number"
            />
          </Field>
          <Field
            htmlFor={`${idPrefix}-erase-confirm`}
            label={t('privacy.erase.confirm')}
            error={eraseConfirm !== '' && !confirmed ? t('privacy.erase.mismatch') : null}
          >
            <input
              className="input"
              id={`${idPrefix}-erase-confirm`}
              value={eraseConfirm}
              onChange={(e) => setEraseConfirm(e.target.value)}
              autoComplete="off"
              data-testid="erase-confirm"
            />
          </Field>
        </div>
        {erase.error ? <ErrorNotice error={erase.error} /> : null}
        {erased ? (
          <p role="status" data-testid="erase-done">
            {erased}
          </p>
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-danger"
            disabled={!confirmed || erase.pending}
            data-testid="erase-submit"
          >
            {erase.pending ? t('privacy.erase.running') : t('privacy.erase.submit')}
          </button>
        </div>
      </form>

      <form className="card form" onSubmit={runExport} noValidate data-testid="export-form">
        <h3 className="card-title">{t('privacy.export.title')}</h3>
        <p className="muted">{t('privacy.export.body')}</p>
        <Field
          htmlFor={`${idPrefix}-export`}
          label={t('privacy.export.number')}
          error={exportError}
        >
          <input
            className="input"
            id={`${idPrefix}-export`}
            value={exportNumber}
            onChange={(e) => setExportNumber(e.target.value)}
            autoComplete="off"
            data-testid="export-number"
          />
        </Field>
        {exported ? (
          <p role="status" data-testid="export-done">
            {exported}
          </p>
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            className="button"
            disabled={exportNumber.trim() === '' || exporting}
            data-testid="export-submit"
          >
            {exporting ? t('privacy.export.running') : t('privacy.export.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
