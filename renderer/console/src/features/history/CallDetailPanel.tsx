import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { CallDetail, LiveCall } from '../../api/contract.js';
import { useCommand, useEvent } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { CallSummary } from './CallSummary.js';
import { CallTimeline } from './CallTimeline.js';
import { CallTranscript } from './CallTranscript.js';
import { addLine, lineOfEvent, mergeLines, type TranscriptLine } from './transcriptLines.js';

interface CallDetailPanelProps {
  callId: string;
  onClose: () => void;
}

/**
 * Side panel with one call's summary, event timeline and transcript (calls.get). While the call
 * runs, its transcript grows live from `call.utterance` events; when it ends, the stored copy is
 * loaded again.
 */
export function CallDetailPanel({ callId, onClose }: CallDetailPanelProps) {
  const { t } = useTranslation();
  const detail = useCommand('calls.get', { id: callId });
  const [live, setLive] = useState<{ callId: string; lines: TranscriptLine[] }>({
    callId,
    lines: [],
  });
  const liveLines = live.callId === callId ? live.lines : [];
  useEvent('call.utterance', (utterance) => {
    if (utterance.callId !== callId) return;
    setLive((previous) => ({
      callId,
      lines: addLine(previous.callId === callId ? previous.lines : [], lineOfEvent(utterance)),
    }));
  });
  // While the call runs its summary follows `call.updated` (the store is written just after); each
  // change of state also reloads the timeline, and the end reloads everything as stored.
  const [liveCall, setLiveCall] = useState<LiveCall | null>(null);
  const lastState = useRef<string | null>(null);
  useEvent('call.updated', (call) => {
    if (call.id !== callId) return;
    setLiveCall(call.state === 'done' ? null : call);
    if (call.state === lastState.current) return;
    lastState.current = call.state;
    detail.reload();
  });
  const shown =
    detail.data && liveCall && liveCall.id === callId && detail.data.call.state !== 'done'
      ? { ...detail.data, call: { ...detail.data.call, ...withoutLiveOnly(liveCall) } }
      : detail.data;
  const headingId = useId();
  const panel = useRef<HTMLElement>(null);

  useEffect(() => {
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      // Back to the row the panel was opened from, so keyboard users keep their place.
      document.querySelector<HTMLElement>(`tr[data-call-id="${CSS.escape(callId)}"] a`)?.focus();
    };
  }, [callId, onClose]);

  const number = detail.data?.call.number ?? '';
  return (
    <aside
      className="drawer"
      aria-labelledby={headingId}
      data-testid="call-detail"
      ref={panel}
      tabIndex={-1}
    >
      <header className="drawer-header">
        <h2 id={headingId}>
          {detail.data ? t('callDetail.title', { number }) : t('common.loading')}
        </h2>
        <button
          type="button"
          className="button button-ghost icon-button"
          onClick={onClose}
          aria-label={t('callDetail.close')}
          data-testid="call-detail-close"
        >
          <svg
            viewBox="0 0 24 24"
            width="18"
            height="18"
            aria-hidden="true"
            focusable="false"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
          >
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      </header>
      <div className="drawer-body">
        {detail.error ? <ErrorNotice error={detail.error} onRetry={detail.reload} /> : null}
        {shown ? (
          <CallDetailBody detail={shown} liveLines={liveLines} />
        ) : detail.error ? null : (
          <Loading />
        )}
      </div>
    </aside>
  );
}

/** A live call's summary fields (the wall's extra `lastUtterance` is not part of the detail). */
function withoutLiveOnly(call: LiveCall): CallDetail['call'] {
  const { lastUtterance: _lastUtterance, ...summary } = call;
  return summary;
}

function CallDetailBody({
  detail,
  liveLines,
}: {
  detail: CallDetail;
  liveLines: readonly TranscriptLine[];
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const { call, recording } = detail;
  const extra: [string, ReactNode][] = [
    [
      t('callDetail.fields.recording'),
      recording
        ? t('callDetail.recordingValue', {
            duration: format.duration(recording.durationMs),
            channels: format.number(recording.channels),
            rate: format.number(recording.sampleRate),
          })
        : t('callDetail.noRecording'),
    ],
  ];

  return (
    <>
      <section className="drawer-section" aria-label={t('callDetail.summary')}>
        <CallSummary call={call} withState extra={extra} />
      </section>
      <CallTranscript
        utterances={mergeLines(detail.utterances, liveLines)}
        live={call.state !== 'done'}
      />
      <CallTimeline
        startedAt={call.startedAt}
        events={detail.events}
        transitions={detail.transitions}
      />
    </>
  );
}
