import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import type { CallDetail } from '../../api/contract.js';
import { useDispositionLabel } from '../../i18n/dispositions.js';
import { useFormat } from '../../i18n/format.js';
import { CallOutcomeBadge } from './CallOutcomeBadge.js';
import { MaskedValue } from './MaskedValue.js';

/**
 * A call's summary as label/value rows (contact, campaign, outcome, disposition, SIP code, times,
 * duration), shared by the History call page and the Live side panel; `extra` rows go after the
 * outcome's neighbours at the end.
 */
export function CallSummary({
  call,
  withState = false,
  extra = [],
  className = 'details',
}: {
  call: CallDetail['call'];
  withState?: boolean;
  extra?: [string, ReactNode][];
  className?: string;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const none = t('common.none');
  const dispositionLabel = useDispositionLabel();
  const time = (ms: number | null) => (ms === null ? none : format.dateTime(ms));
  const rows: [string, ReactNode][] = [
    // Masked by the engine for most roles; a supervisor or admin may show one (audited).
    [
      t('masking.number'),
      <MaskedValue callId={call.id} field="number" value={call.number} testId="call-number" />,
    ],
    [
      t('callDetail.fields.contact'),
      call.contactName === null ? (
        none
      ) : (
        <MaskedValue
          callId={call.id}
          field="contactName"
          value={call.contactName}
          testId="call-contact"
        />
      ),
    ],
    [t('callDetail.fields.campaign'), call.campaignName ?? none],
    [t('callDetail.fields.outcome'), <CallOutcomeBadge call={call} />],
    ...(withState
      ? [[t('callDetail.fields.state'), t(`callState.${call.state}`)] as [string, ReactNode]]
      : []),
    [
      t('callDetail.fields.disposition'),
      call.disposition === null ? (
        none
      ) : (
        <span data-testid="call-disposition" data-disposition={call.disposition}>
          {dispositionLabel(call.disposition)}
        </span>
      ),
    ],
    [t('callDetail.fields.sipCode'), call.sipCode ?? none],
    [t('callDetail.fields.startedAt'), time(call.startedAt)],
    [t('callDetail.fields.answeredAt'), time(call.answeredAt)],
    [t('callDetail.fields.endedAt'), time(call.endedAt)],
    [
      t('callDetail.fields.duration'),
      call.durationMs === null ? none : format.duration(call.durationMs),
    ],
    ...extra,
  ];
  return (
    <dl className={className}>
      {rows.map(([label, value]) => (
        <div key={label} className="details-row">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
