import './live.css';

import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

import { navigate } from '../../app/useRoute.js';
import { useFormat } from '../../i18n/format.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { pageIcons } from '../../ui/icons.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { CallDetailPanel } from '../history/CallDetailPanel.js';
import { LiveTable } from './LiveTable.js';
import { SuperviseControls } from './SuperviseControls.js';
import { useLiveCalls } from './useLiveCalls.js';

/**
 * The live wall: every call in progress with its state, a ticking duration, campaign, contact, the
 * last words said, the bot's reply latency and the agent who has it, updated from `call.updated`
 * (batched per frame); `callId` (from #/live/<id>) opens a call's detail with its live transcript.
 * A supervisor listens, whispers or barges from a row's buttons or from the open call's panel.
 */
export function LivePage({ callId = null }: { callId?: string | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  // live.list comes oldest first and the batched updates keep that order.
  const live = useLiveCalls();
  const calls = live.data?.calls ?? [];
  // Stable, so the memoized rows are not all re-rendered by each batch of updates.
  const openCall = useCallback((id: string) => navigate('live', id), []);
  const selected = callId ? (calls.find((c) => c.id === callId) ?? null) : null;

  return (
    <Page
      name="live"
      title={t('live.title')}
      description={t('live.description')}
      actions={
        live.data ? (
          <span className="counter" data-testid="live-count" aria-live="polite">
            {t('live.count', { total: format.number(calls.length) })}
          </span>
        ) : null
      }
    >
      {live.error ? <ErrorNotice error={live.error} onRetry={live.reload} /> : null}
      {!live.data ? (
        live.error ? null : (
          <Loading />
        )
      ) : calls.length === 0 ? (
        <EmptyState
          testId="empty-live"
          icon={pageIcons.live}
          title={t('live.empty.title')}
          body={t('live.empty.body')}
        />
      ) : (
        <LiveTable calls={calls} selectedId={callId} onOpen={openCall} />
      )}
      {selected ? (
        <section
          className="card live-supervise-panel"
          aria-label={t('supervise.label')}
          data-testid="live-supervise-panel"
        >
          <h2 className="card-title">{t('supervise.title')}</h2>
          <p className="muted">{t('supervise.description')}</p>
          <SuperviseControls call={selected} />
        </section>
      ) : null}
      {callId ? <CallDetailPanel callId={callId} onClose={() => navigate('live')} /> : null}
    </Page>
  );
}
