import { memo } from 'react';
import { useTranslation } from 'react-i18next';

import type { LiveCall } from '../../api/contract.js';
import { hrefFor } from '../../app/routes.js';
import { useFormat } from '../../i18n/format.js';
import { Badge, type Tone } from '../../ui/Badge.js';
import { callStateTone } from '../../ui/tones.js';
import { useSecondClock } from './clock.js';
import { type LatencyBand, latencyBand, liveDurationMs } from './liveCalls.js';
import { SuperviseControls } from './SuperviseControls.js';

interface LiveTableProps {
  calls: readonly LiveCall[];
  selectedId?: string | null;
  onOpen?: (id: string) => void;
}

const BAND_TONE: Record<LatencyBand, Tone> = { good: 'success', fair: 'warning', slow: 'danger' };
const AMD_TONE: Record<NonNullable<LiveCall['amd']>['result'], Tone> = {
  human: 'success',
  machine: 'warning',
  unknown: 'neutral',
};

/**
 * The wall: one row per live call. Rows are memoized on the call object (the batched update keeps
 * unchanged calls' objects), and only the duration cells tick, from one shared clock.
 */
export function LiveTable({ calls, selectedId = null, onOpen }: LiveTableProps) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap" data-testid="live-table">
      <table className={onOpen ? 'table table-clickable live-wall' : 'table live-wall'}>
        <caption className="sr-only">{t('live.tableCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('live.columns.number')}</th>
            <th scope="col">{t('live.columns.contact')}</th>
            <th scope="col">{t('live.columns.campaign')}</th>
            <th scope="col">{t('live.columns.state')}</th>
            <th scope="col" className="numeric">
              {t('live.columns.duration')}
            </th>
            <th scope="col">{t('liveWall.latency')}</th>
            <th scope="col">{t('liveWall.agent')}</th>
            <th scope="col" className="cell-utterance">
              {t('live.columns.lastUtterance')}
            </th>
            <th scope="col" className="cell-supervise">
              {t('supervise.column')}
            </th>
          </tr>
        </thead>
        <tbody>
          {calls.map((call) => (
            <LiveRow key={call.id} call={call} selected={call.id === selectedId} onOpen={onOpen} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const LiveRow = memo(function LiveRow({
  call,
  selected,
  onOpen,
}: {
  call: LiveCall;
  selected: boolean;
  onOpen: ((id: string) => void) | undefined;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const none = t('common.none');
  const latency = call.botLatencyMs ?? null;
  return (
    <tr
      data-testid="live-row"
      data-call-id={call.id}
      data-state={call.state}
      className={selected ? 'is-selected' : undefined}
      aria-selected={onOpen ? selected : undefined}
      onClick={onOpen ? () => onOpen(call.id) : undefined}
    >
      <td>
        {onOpen ? (
          // The link opens the call's detail by keyboard; the row click is the mouse shortcut.
          <a
            className="mono row-link"
            href={hrefFor('live', call.id)}
            aria-label={t('history.openDetails', { number: call.number })}
            onClick={(event) => event.stopPropagation()}
          >
            {call.number}
          </a>
        ) : (
          <span className="mono">{call.number}</span>
        )}
      </td>
      <td>{call.contactName ?? none}</td>
      <td>{call.campaignName ?? none}</td>
      <td>
        <Badge tone={callStateTone[call.state]}>{t(`callState.${call.state}`)}</Badge>
        {call.amd ? (
          <span
            data-testid="live-amd"
            data-result={call.amd.result}
            title={t('liveWall.amdTitle', { ms: format.number(call.amd.atMs) })}
          >
            {' '}
            <Badge tone={AMD_TONE[call.amd.result]}>
              {t(`liveWall.amd.${call.amd.result}`, { s: (call.amd.atMs / 1000).toFixed(1) })}
            </Badge>
          </span>
        ) : null}
      </td>
      <td className="numeric">
        <LiveDuration call={call} />
      </td>
      <td>
        {latency === null ? (
          none
        ) : (
          <span
            title={t('liveWall.latencyTitle', { ms: format.number(latency) })}
            data-testid="live-latency"
            data-band={latencyBand(latency)}
          >
            <Badge tone={BAND_TONE[latencyBand(latency)]}>
              {t('liveWall.latencyValue', { ms: format.number(latency) })}
            </Badge>
          </span>
        )}
      </td>
      <td data-testid="live-agent">{call.agentName ?? none}</td>
      <td className="cell-utterance" data-testid="live-last-utterance">
        {call.lastUtterance ? <q title={call.lastUtterance}>{call.lastUtterance}</q> : none}
      </td>
      <td className="cell-supervise">
        <SuperviseControls call={call} compact />
      </td>
    </tr>
  );
});

function LiveDuration({ call }: { call: LiveCall }) {
  const format = useFormat();
  const now = useSecondClock();
  return <span data-testid="live-duration">{format.clock(liveDurationMs(call, now))}</span>;
}
