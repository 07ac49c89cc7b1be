import { useTranslation } from 'react-i18next';
import { useCommand, useEvent } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { pageIcons } from '../../ui/icons.js';
import { navigate } from '../../app/useRoute.js';
import { CallDetailPanel } from '../history/CallDetailPanel.js';
import { applyCallUpdate, sortLive } from './liveCalls.js';
import { LiveTable } from './LiveTable.js';

/** The calls in progress; `callId` (from #/live/<id>) opens a call's detail with its live transcript. */
export function LivePage({ callId = null }: { callId?: string | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const live = useCommand('live.list', {});
  useEvent('call.updated', (call) => {
    live.setData((previous) => (previous ? { calls: applyCallUpdate(previous.calls, call) } : previous));
  });
  const calls = live.data ? sortLive(live.data.calls) : [];

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
        live.error ? null : <Loading />
      ) : calls.length === 0 ? (
        <EmptyState testId="empty-live" icon={pageIcons.live} title={t('live.empty.title')} body={t('live.empty.body')} />
      ) : (
        <LiveTable calls={calls} selectedId={callId} onOpen={(id) => navigate('live', id)} />
      )}
      {callId ? <CallDetailPanel callId={callId} onClose={() => navigate('live')} /> : null}
    </Page>
  );
}
