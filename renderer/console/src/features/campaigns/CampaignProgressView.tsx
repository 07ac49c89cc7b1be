import { useTranslation } from 'react-i18next';

import type { CampaignProgress } from '../../api/contract.js';
import { useDispositionLabel } from '../../i18n/dispositions.js';
import { useFormat } from '../../i18n/format.js';

/** A thin bar for tables: finished and in-progress contacts out of all (CSS, no chart library). */
export function ProgressBar({ progress, testId }: { progress: CampaignProgress; testId?: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const total = Math.max(1, progress.contacts);
  const finished = progress.finished / total;
  // Called at least once but not finished: waiting for a retry, a callback, or on a call now.
  const working = Math.max(0, progress.contacts - progress.finished - progress.remaining) / total;
  const label = t('campaignPage.progress.bar', {
    finished: format.number(progress.finished),
    contacts: format.number(progress.contacts),
    percent: format.percent(finished),
  });
  return (
    <div
      className="campaign-bar"
      role="img"
      aria-label={label}
      title={label}
      data-testid={testId}
      data-finished={progress.finished}
      data-contacts={progress.contacts}
    >
      <span className="campaign-bar-finished" style={{ width: `${finished * 100}%` }} />
      <span className="campaign-bar-working" style={{ width: `${working * 100}%` }} />
    </div>
  );
}

/** The campaign page's live numbers: tiles, the contacts bar, and counts by outcome and disposition. */
export function CampaignProgressView({ progress }: { progress: CampaignProgress }) {
  const { t } = useTranslation();
  const format = useFormat();
  const dispositionLabel = useDispositionLabel();
  const tiles = [
    ['dialed', progress.dialed],
    ['answered', progress.answered],
    ['transferred', progress.transferred],
    ['completed', progress.completed],
    ['remaining', progress.remaining],
    ['liveCalls', progress.liveCalls],
  ] as const;
  const outcomes = Object.entries(progress.byOutcome).filter(([, n]) => (n ?? 0) > 0) as Array<
    [string, number]
  >;
  const dispositions = Object.entries(progress.byDisposition).filter(([, n]) => n > 0);
  return (
    <section
      className="card campaign-progress"
      aria-labelledby="campaign-progress-title"
      data-testid="campaign-progress"
    >
      <div className="campaign-progress-head">
        <h2 id="campaign-progress-title" className="card-title">
          {t('campaignPage.progress.title')}
        </h2>
        <span className="muted" data-testid="campaign-progress-summary">
          {t('campaignPage.progress.summary', {
            contacts: format.number(progress.contacts),
            finished: format.number(progress.finished),
            calls: format.number(progress.calls),
          })}
        </span>
      </div>
      <ProgressBar progress={progress} testId="campaign-progress-bar" />
      <p className="campaign-legend muted">
        <span className="campaign-legend-finished">
          {t('campaignPage.progress.legendFinished')}
        </span>
        <span className="campaign-legend-working">{t('campaignPage.progress.legendWorking')}</span>
        <span className="campaign-legend-remaining">
          {t('campaignPage.progress.legendRemaining')}
        </span>
      </p>
      <dl className="campaign-tiles">
        {tiles.map(([name, value]) => (
          <div
            key={name}
            className="campaign-tile"
            data-testid={`campaign-stat-${name}`}
            data-value={value}
          >
            <dt>{t(`campaignPage.progress.${name}`)}</dt>
            <dd>{format.number(value)}</dd>
          </div>
        ))}
      </dl>
      {progress.nextAttemptAt !== null ? (
        <p className="muted">
          {t('campaignPage.progress.nextAttempt', { at: format.dateTime(progress.nextAttemptAt) })}
        </p>
      ) : null}
      {progress.transferFallbacks > 0 || progress.callbacksDue > 0 ? (
        <p className="muted">
          {t('campaignPage.progress.extra', {
            fallbacks: format.number(progress.transferFallbacks),
            callbacks: format.number(progress.callbacksDue),
          })}
        </p>
      ) : null}
      <div className="campaign-breakdowns">
        <Breakdown
          title={t('campaignPage.progress.byOutcome')}
          rows={outcomes.map(([code, n]) => [t(`outcome.${code as 'busy'}`), n, code])}
          empty={t('campaignPage.progress.noCalls')}
          testId="campaign-by-outcome"
        />
        <Breakdown
          title={t('campaignPage.progress.byDisposition')}
          rows={dispositions.map(([code, n]) => [dispositionLabel(code), n, code])}
          empty={t('campaignPage.progress.noDispositions')}
          testId="campaign-by-disposition"
        />
      </div>
    </section>
  );
}

function Breakdown({
  title,
  rows,
  empty,
  testId,
}: {
  title: string;
  rows: Array<[label: string, count: number, code: string]>;
  empty: string;
  testId: string;
}) {
  const format = useFormat();
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return (
    <div className="campaign-breakdown" data-testid={testId}>
      <h3 className="section-title">{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul>
          {rows.map(([label, count, code]) => (
            <li key={code} data-code={code} data-value={count}>
              <span className="campaign-breakdown-label">{label}</span>
              <span className="campaign-breakdown-bar">
                <span style={{ width: `${(count / max) * 100}%` }} />
              </span>
              <span className="campaign-breakdown-count">{format.number(count)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
