import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

import { useCommand } from '../../api/hooks.js';
import { useDispositionLabel } from '../../i18n/dispositions.js';
import { useFormat } from '../../i18n/format.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { type ReasonFormat, reasonMessage, zoneFormatter } from './explainReason.js';

/** "Why is this contact not called now?": campaigns.explain's reasons in words, times on the contact's clock. */
export function ExplainPanel({
  campaign,
  phone,
  onClose,
}: {
  campaign: string;
  phone: string;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const dispositionLabel = useDispositionLabel();
  const explain = useCommand('campaigns.explain', { campaign, phone });
  // The key is one of a union of sentences; t's overloads cannot take a union key with values at once.
  const translate = t as unknown as (key: string, values: Record<string, string>) => string;
  const data = explain.dataParams?.phone === phone ? explain.data : undefined;
  const zone = data?.zone ?? 'UTC';
  const reasonFormat = useMemo<ReasonFormat>(
    () => ({
      inZone: zoneFormatter(i18n.language, zone),
      number: format.number,
      outcome: (code) =>
        code in OUTCOME_KEYS ? t(`outcome.${code as keyof typeof OUTCOME_KEYS}`) : code,
      weekday: (key) =>
        key in WEEKDAY_NAMES ? t(`campaignPage.weekday.${key as keyof typeof WEEKDAY_NAMES}`) : key,
      disposition: dispositionLabel,
    }),
    [i18n.language, zone, format, t, dispositionLabel],
  );
  return (
    <aside
      className="card campaign-explain"
      aria-labelledby="campaign-explain-title"
      data-testid="explain-panel"
      data-phone={phone}
    >
      <div className="import-head">
        <h2 id="campaign-explain-title" className="card-title">
          {t('campaignPage.explain.title', { phone })}
        </h2>
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={onClose}
          data-testid="explain-close"
        >
          {t('campaignPage.explain.close')}
        </button>
      </div>
      {explain.error ? (
        <ErrorNotice error={explain.error} onRetry={explain.reload} testId="explain-error" />
      ) : null}
      {!data ? (
        explain.error ? null : (
          <Loading />
        )
      ) : (
        <>
          <p
            className={data.callable ? 'notice notice-success' : 'notice explain-blocked'}
            data-testid="explain-verdict"
            data-callable={String(data.callable)}
          >
            <span className="notice-text">
              {data.callable
                ? t('campaignPage.explain.callable')
                : t('campaignPage.explain.notCallable')}
            </span>
          </p>
          <p className="muted" data-testid="explain-zone">
            {t('campaignPage.explain.zone', { zone: data.zone })}
          </p>
          {data.reasons.length > 0 ? (
            <ul className="campaign-reasons" data-testid="explain-reasons">
              {data.reasons.map((reason, i) => {
                const message = reasonMessage(reason, reasonFormat);
                return (
                  <li
                    key={`${reason.code}-${i}`}
                    data-code={reason.code}
                    title={reason.text}
                    data-testid="explain-reason"
                  >
                    {message.key === null
                      ? message.values.text
                      : translate(message.key, message.values)}
                  </li>
                );
              })}
            </ul>
          ) : null}
          {data.nextEligibleAt !== null ? (
            <p data-testid="explain-next">
              {t('campaignPage.explain.next', {
                at: reasonFormat.inZone(data.nextEligibleAt),
                zone: data.zone,
              })}
            </p>
          ) : !data.callable ? (
            <p className="muted" data-testid="explain-never">
              {t('campaignPage.explain.never')}
            </p>
          ) : null}
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={explain.reload}
            data-testid="explain-refresh"
          >
            {t('common.refresh')}
          </button>
        </>
      )}
    </aside>
  );
}

const OUTCOME_KEYS = {
  completed: 1,
  transferred: 1,
  busy: 1,
  no_answer: 1,
  failed: 1,
  machine: 1,
  abandoned: 1,
  invalid_number: 1,
} as const;
const WEEKDAY_NAMES = { sun: 1, mon: 1, tue: 1, wed: 1, thu: 1, fri: 1, sat: 1 } as const;
