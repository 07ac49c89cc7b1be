import { useTranslation } from 'react-i18next';

import { useCommand } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';

/** Version, where the data lives, and how this window talks to the engine (app.info). */
export function AboutPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const info = useCommand('app.info', {});

  return (
    <section className="card" aria-labelledby="about-title" data-testid="about">
      <h2 id="about-title" className="card-title">
        {t('settings.about.title')}
      </h2>
      {info.error ? <ErrorNotice error={info.error} onRetry={info.reload} /> : null}
      {info.data ? (
        <dl className="details details-stacked">
          <AboutRow label={t('settings.about.name')} testId="about-name" value={info.data.name} />
          <AboutRow
            label={t('settings.about.version')}
            testId="about-version"
            value={info.data.version}
            mono
          />
          <AboutRow
            label={t('settings.about.transport')}
            testId="about-transport"
            value={t(`settings.about.transports.${info.data.transport}`)}
          />
          <AboutRow
            label={t('settings.about.dataDir')}
            testId="about-dataDir"
            value={info.data.dataDir}
            mono
          />
          <AboutRow
            label={t('settings.about.databasePath')}
            testId="about-databasePath"
            value={info.data.databasePath}
            mono
          />
          <AboutRow
            label={t('settings.about.schemaVersion')}
            testId="about-schemaVersion"
            value={format.number(info.data.schemaVersion)}
            mono
          />
          <AboutRow
            label={t('settings.about.startedAt')}
            testId="about-startedAt"
            value={format.dateTime(info.data.startedAt)}
          />
        </dl>
      ) : info.error ? null : (
        <Loading />
      )}
    </section>
  );
}

function AboutRow({
  label,
  value,
  testId,
  mono,
}: {
  label: string;
  value: string;
  testId: string;
  mono?: boolean;
}) {
  return (
    <div className="details-row">
      <dt>{label}</dt>
      <dd className={mono ? 'mono selectable' : 'selectable'} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
