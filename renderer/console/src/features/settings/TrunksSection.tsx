import { useId } from 'react';
import { useTranslation } from 'react-i18next';

import { useCommand, useEvent } from '../../api/hooks.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { AddTrunkForm } from './AddTrunkForm.js';
import { TrunksTable } from './TrunksTable.js';

/** SIP trunks on the Settings page: the list (live: trunks.changed and trunk.health) and the add form. */
export function TrunksSection() {
  const { t } = useTranslation();
  const headingId = useId();
  const trunks = useCommand('trunks.list', {});
  useEvent('trunks.changed', (data) => trunks.setData(() => data));
  useEvent('trunk.health', ({ trunkId, health }) =>
    trunks.setData(
      (previous) =>
        previous && {
          ...previous,
          trunks: previous.trunks.map((trunk) =>
            trunk.id === trunkId ? { ...trunk, health } : trunk,
          ),
        },
    ),
  );
  const rows = trunks.data?.trunks ?? [];

  return (
    <section className="section" aria-labelledby={headingId} data-testid="trunks">
      <header>
        <h2 id={headingId} className="section-title">
          {t('settings.trunks.title')}
        </h2>
        <p className="page-description">{t('settings.trunks.description')}</p>
      </header>
      {trunks.error ? <ErrorNotice error={trunks.error} onRetry={trunks.reload} /> : null}
      {!trunks.data ? (
        trunks.error ? null : (
          <Loading />
        )
      ) : rows.length === 0 ? (
        <EmptyState
          testId="trunks-empty"
          title={t('settings.trunks.empty.title')}
          body={t('settings.trunks.empty.body')}
        />
      ) : (
        <TrunksTable trunks={rows} />
      )}
      {trunks.data ? (
        <p
          className="muted"
          data-testid="trunk-secret-storage"
          data-kind={trunks.data.secretStorage}
        >
          {t(`settings.trunks.secretStorage.${trunks.data.secretStorage}`)}
        </p>
      ) : null}
      <AddTrunkForm onCreated={trunks.reload} />
    </section>
  );
}
