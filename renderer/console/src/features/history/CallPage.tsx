import { useCallback, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { CallDetail } from '../../api/contract.js';
import { useCommand, useMedia, useMutation } from '../../api/hooks.js';
import { hrefFor } from '../../app/routes.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { useUtteranceLabelling } from '../labelling/UtteranceLabelButtons.js';
import { CallSummary } from './CallSummary.js';
import { CallTimeline } from './CallTimeline.js';
import { CallTranscript } from './CallTranscript.js';
import { MaskedLine } from './MaskedValue.js';
import { RecordingPlayer, type RecordingPlayerHandle } from './RecordingPlayer.js';
import type { TranscriptLine } from './transcriptLines.js';
import { currentLineIndex } from './transcriptSync.js';

interface CallPageProps {
  callId: string;
  onBack: () => void;
}

/**
 * One call in History (#/history/<id>): its summary, the stereo recording with the waveform and a
 * region per utterance, the transcript that follows playback (click a line to play from it), the
 * timeline of events and state changes, and "Add to do-not-call" for its number.
 */
export function CallPage({ callId, onBack }: CallPageProps) {
  const { t } = useTranslation();
  const detail = useCommand('calls.get', { id: callId });
  const number = detail.data?.call.number ?? '';
  return (
    <Page
      name="history"
      title={detail.data ? t('callPage.title', { number }) : t('common.loading')}
      description=""
      actions={detail.data ? <AddToDnc callId={callId} number={number} /> : null}
    >
      <p className="call-page-back">
        <a
          href={hrefFor('history')}
          onClick={(event) => {
            event.preventDefault();
            onBack();
          }}
          data-testid="call-page-back"
        >
          ← {t('callPage.back')}
        </a>
      </p>
      {detail.error ? <ErrorNotice error={detail.error} onRetry={detail.reload} /> : null}
      {detail.data ? <CallPageBody detail={detail.data} /> : detail.error ? null : <Loading />}
    </Page>
  );
}

function CallPageBody({ detail }: { detail: CallDetail }) {
  const { t } = useTranslation();
  const { mediaUrl } = useMedia();
  const { call } = detail;
  const hasRecording = detail.recording !== null;
  const recording = useCommand('calls.recording', { id: call.id }, { enabled: hasRecording });
  // The media path holds a grant for the signed-in user (the route checks it, not the console).
  const url = recording.data ? mediaUrl(recording.data.mediaPath) : null;
  const player = useRef<RecordingPlayerHandle>(null);
  const [timeMs, setTimeMs] = useState(-1);
  const lines: TranscriptLine[] = useMemo(
    () => [...detail.utterances].sort((a, b) => a.startMs - b.startMs),
    [detail.utterances],
  );
  const active = timeMs < 0 ? -1 : currentLineIndex(lines, timeMs);
  const seek = useCallback((ms: number) => player.current?.seekMs(ms), []);
  const canPlay = hasRecording && recording.data !== undefined && url !== null;
  const labelling = useUtteranceLabelling(call.id, hasRecording && call.state === 'done');

  return (
    <div className="call-page" data-testid="call-page" data-call-id={call.id}>
      <section className="card call-page-summary" aria-label={t('callDetail.summary')}>
        <CallSummary call={call} className="details details-columns" />
      </section>
      <section className="card call-page-recording" aria-label={t('callPage.recording')}>
        <h2 className="card-title">{t('callPage.recording')}</h2>
        {!hasRecording ? (
          <p className="muted" data-testid="call-page-no-recording">
            {t('callPage.noRecording')}
          </p>
        ) : recording.error?.details?.recordingKey ? (
          <p className="muted" data-testid="call-page-recording-encrypted">
            {t('callPage.recordingEncrypted')}
          </p>
        ) : recording.error ? (
          <ErrorNotice error={recording.error} onRetry={recording.reload} />
        ) : canPlay ? (
          <RecordingPlayer
            ref={player}
            info={recording.data!}
            url={url!}
            lines={lines}
            onTimeMs={setTimeMs}
          />
        ) : (
          <p className="muted">{t('callPage.loadingRecording')}</p>
        )}
      </section>
      <div className="call-page-columns">
        <div className="card call-page-transcript">
          <CallTranscript
            utterances={lines}
            activeIndex={active}
            {...(canPlay ? { onSeek: seek } : {})}
            lineExtra={(line) => (
              <>
                {labelling?.(line)}
                <MaskedLine
                  callId={call.id}
                  index={detail.utterances.indexOf(line)}
                  text={line.text}
                />
              </>
            )}
          />
        </div>
        <div className="card call-page-timeline">
          <CallTimeline
            startedAt={call.startedAt}
            events={detail.events}
            transitions={detail.transitions}
          />
        </div>
      </div>
    </div>
  );
}

/** Puts the call's number on the DNC list (source agent, this call named in the audit), after a confirm. */
function AddToDnc({ callId, number }: { callId: string; number: string }) {
  const { t } = useTranslation();
  const add = useMutation('dnc.add');
  const [result, setResult] = useState<{ added: boolean } | null>(null);
  const onClick = async () => {
    if (!window.confirm(t('callPage.dncConfirm', { number }))) return;
    const reply = await add.run({
      numbers: [number],
      source: 'agent',
      callId,
      reason: `History, call ${callId}`,
    });
    if (reply) setResult({ added: reply.added > 0 });
  };
  return (
    <div className="call-page-dnc">
      {result ? (
        <span className="tag" role="status" data-testid="call-page-dnc-status">
          {result.added ? t('callPage.dncAdded', { number }) : t('callPage.dncAlready', { number })}
        </span>
      ) : null}
      {add.error ? <ErrorNotice error={add.error} testId="call-page-dnc-error" /> : null}
      <button
        type="button"
        className="button button-secondary"
        onClick={() => void onClick()}
        disabled={add.pending || result !== null}
        data-testid="call-page-dnc"
      >
        {add.pending ? t('callPage.addingDnc') : t('callPage.addDnc')}
      </button>
    </div>
  );
}
