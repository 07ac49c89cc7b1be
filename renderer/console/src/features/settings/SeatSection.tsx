/**
 * The Settings page's Seat section (admins; issue 16): this seat's id, the database in use and
 * where that choice came from, the shared database's connection string saved for the next start
 * (seat.json: the store opens before settings can be read, so it cannot live in the store), and
 * the recordings share History reads other seats' recordings from. The connection string is
 * never shown with its password: the box starts empty and shows the saved string, redacted, below
 * it; saving a new one says a restart applies it (seat.get's restartNeeded).
 */
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { errorField, fieldMessage } from '../../api/errors.js';
import { useCommand, useMutation } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Field, fieldAria } from '../../ui/Field.js';
import { Loading } from '../../ui/Loading.js';

export function SeatSection() {
  const { t } = useTranslation();
  const headingId = useId();
  const idPrefix = useId();
  const seat = useCommand('seat.get', {});
  const update = useMutation('seat.update');
  // The typed connection string (never filled from the engine: it would carry no password).
  const [database, setDatabase] = useState('');
  const [clearDatabase, setClearDatabase] = useState(false);
  const [share, setShare] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const apiField = update.error ? errorField(update.error) : undefined;
  const errorFor = (key: 'database' | 'recordingsShare') =>
    apiField === key && update.error ? fieldMessage(update.error) : null;

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(false);
    const changes: { database?: string; recordingsShare?: string } = {};
    if (clearDatabase) changes.database = '';
    else if (database.trim() !== '') changes.database = database.trim();
    if (share !== null && share.trim() !== seat.data?.recordingsShare)
      changes.recordingsShare = share.trim();
    if (Object.keys(changes).length === 0) return;
    const result = await update.run(changes);
    if (!result) return;
    seat.setData(() => result);
    setDatabase('');
    setClearDatabase(false);
    setShare(null);
    setSaved(true);
  };

  const info = seat.data;
  const databaseId = `${idPrefix}-database`;
  const shareId = `${idPrefix}-share`;
  return (
    <section className="section" aria-labelledby={headingId} data-testid="seat">
      <header>
        <h2 id={headingId} className="section-title">
          {t('seat.title')}
        </h2>
        <p className="page-description">{t('seat.description')}</p>
      </header>
      {seat.error ? <ErrorNotice error={seat.error} onRetry={seat.reload} /> : null}
      {info ? (
        <form className="card form" onSubmit={save} noValidate data-testid="seat-form">
          <dl className="details details-stacked">
            <div>
              <dt>{t('seat.seatId')}</dt>
              <dd className="mono" data-testid="seat-id">
                {info.seatId}
              </dd>
            </div>
            <div>
              <dt>{t('seat.inUse')}</dt>
              <dd data-testid="seat-database-in-use">
                <span className="mono">
                  {info.database === '' ? t('seat.sqlite') : info.database}
                </span>{' '}
                <span className="muted">({t(`seat.sources.${info.databaseSource}`)})</span>
              </dd>
            </div>
          </dl>
          <div className="form-grid">
            <Field
              htmlFor={databaseId}
              label={t('seat.database.label')}
              help={t('seat.database.help')}
              error={errorFor('database')}
              errorTestId="seat-error-database"
            >
              <input
                className="input mono"
                type="password"
                autoComplete="off"
                spellCheck={false}
                placeholder={t('seat.database.placeholder')}
                value={database}
                disabled={clearDatabase}
                onChange={(e) => {
                  setDatabase(e.target.value);
                  setSaved(false);
                  update.reset();
                }}
                id={databaseId}
                data-testid="seat-database"
                {...fieldAria(databaseId, true, errorFor('database'))}
              />
            </Field>
            <p className="muted" data-testid="seat-database-saved">
              {info.savedDatabase === ''
                ? t('seat.database.savedSqlite')
                : t('seat.database.saved', { url: info.savedDatabase })}
            </p>
            {info.savedDatabase !== '' ? (
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={clearDatabase}
                  onChange={(e) => {
                    setClearDatabase(e.target.checked);
                    setSaved(false);
                  }}
                  data-testid="seat-database-clear"
                />{' '}
                {t('seat.database.clear')}
              </label>
            ) : null}
            <Field
              htmlFor={shareId}
              label={t('seat.recordingsShare.label')}
              help={t('seat.recordingsShare.help')}
              error={errorFor('recordingsShare')}
              errorTestId="seat-error-recordingsShare"
            >
              <input
                className="input mono"
                type="text"
                spellCheck={false}
                value={share ?? info.recordingsShare}
                onChange={(e) => {
                  setShare(e.target.value);
                  setSaved(false);
                  update.reset();
                }}
                id={shareId}
                data-testid="seat-recordingsShare"
                {...fieldAria(shareId, true, errorFor('recordingsShare'))}
              />
            </Field>
          </div>
          {update.error && !apiField ? <ErrorNotice error={update.error} /> : null}
          <div className="form-actions">
            <button
              type="submit"
              className="button"
              disabled={update.pending}
              data-testid="seat-save"
            >
              {t('seat.save')}
            </button>
            {saved ? (
              <span role="status" className="muted" data-testid="seat-saved">
                {t('seat.saved')}
              </span>
            ) : null}
          </div>
          {info.restartNeeded ? (
            <p role="status" className="notice" data-testid="seat-restart">
              {t('seat.restart')}
            </p>
          ) : null}
        </form>
      ) : seat.error ? null : (
        <Loading />
      )}
    </section>
  );
}
