import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

import { useFormat } from '../../i18n/format.js';
import type { TranscriptLine } from './transcriptLines.js';

interface CallTranscriptProps {
  /** Times are milliseconds from the answer. */
  utterances: readonly TranscriptLine[];
  /** The call is still running: lines arrive as they are said. */
  live?: boolean;
  /** The line the recording is playing (highlighted and kept in view), or -1. */
  activeIndex?: number;
  /** Set when a recording plays: clicking a line plays from its start. */
  onSeek?: (ms: number) => void;
  /** Shown under a line (History's labelling buttons). */
  lineExtra?: ((line: TranscriptLine) => ReactNode) | undefined;
}

/**
 * Who said what, with times from the answer: a bot prompt cut by barge-in shows where it was cut;
 * a customer line shows the intent and confidence it matched, and '' (nothing recognized) reads
 * "(not understood)".
 */
export function CallTranscript({
  utterances,
  live = false,
  activeIndex = -1,
  onSeek,
  lineExtra,
}: CallTranscriptProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (activeIndex < 0) return;
    // Keep the playing line in view inside the transcript's own scroll box, without moving the page.
    const item = list.current?.children[activeIndex] as HTMLElement | undefined;
    const box = list.current;
    if (!item || !box) return;
    if (
      item.offsetTop < box.scrollTop ||
      item.offsetTop + item.offsetHeight > box.scrollTop + box.clientHeight
    ) {
      box.scrollTo({ top: item.offsetTop - box.clientHeight / 3, behavior: 'smooth' });
    }
  }, [activeIndex]);
  const seconds = (ms: number) => format.number(Math.round(ms / 100) / 10);
  return (
    <section className="drawer-section" data-live={live ? 'true' : undefined}>
      <h3>
        {t('callDetail.transcript')}
        {live ? (
          <span className="tag tag-live" data-testid="call-transcript-live">
            {t('callDetail.live')}
          </span>
        ) : null}
      </h3>
      {utterances.length === 0 ? (
        <p className="muted" data-testid="call-transcript-empty">
          {t('callDetail.noTranscript')}
        </p>
      ) : (
        <ol
          className={onSeek ? 'transcript transcript-synced' : 'transcript'}
          data-testid="call-transcript"
          aria-live={live ? 'polite' : undefined}
          ref={list}
        >
          {utterances.map((u, index) => (
            <li
              key={`${u.speaker}-${u.startMs}-${index}`}
              className={`utterance utterance-${u.speaker}${index === activeIndex ? ' utterance-active' : ''}${onSeek ? ' utterance-seekable' : ''}`}
              data-testid="call-utterance"
              data-speaker={u.speaker}
              data-cut={u.cutAtMs !== null ? 'true' : undefined}
              data-active={index === activeIndex ? 'true' : undefined}
              aria-current={index === activeIndex ? 'true' : undefined}
              onClick={onSeek ? () => onSeek(u.startMs) : undefined}
            >
              <div className="utterance-meta">
                <span className="utterance-speaker">{t(`speaker.${u.speaker}`)}</span>
                {onSeek ? (
                  // The button is the keyboard way in; a click anywhere on the line does the same.
                  <button
                    type="button"
                    className="utterance-seek mono"
                    onClick={(event) => {
                      event.stopPropagation();
                      onSeek(u.startMs);
                    }}
                    aria-label={t('callPage.seekTo', { time: format.clock(u.startMs) })}
                    data-testid="utterance-seek"
                  >
                    {format.clock(u.startMs)}
                  </button>
                ) : (
                  <time className="mono">{format.clock(u.startMs)}</time>
                )}
              </div>
              {u.text === '' ? (
                <p className="utterance-text muted" data-testid="utterance-not-understood">
                  {t('callDetail.notUnderstood')}
                </p>
              ) : (
                <p className="utterance-text">{u.text}</p>
              )}
              {u.intent !== null || u.confidence !== null || u.cutAtMs !== null || u.nodeId ? (
                <div className="utterance-tags">
                  {u.intent !== null ? (
                    <span className="tag" data-testid="utterance-intent">
                      {t('callDetail.intent', { intent: u.intent })}
                    </span>
                  ) : null}
                  {u.confidence !== null ? (
                    <span className="tag" data-testid="utterance-confidence">
                      {t('callDetail.confidence', { value: format.percent(u.confidence) })}
                    </span>
                  ) : null}
                  {u.cutAtMs !== null ? (
                    <span className="tag tag-warning" data-testid="utterance-cut">
                      {t('callDetail.cutAt', { seconds: seconds(u.cutAtMs) })}
                    </span>
                  ) : null}
                  {u.nodeId ? (
                    <span className="tag tag-muted mono">
                      {t('callDetail.node', { node: u.nodeId })}
                    </span>
                  ) : null}
                </div>
              ) : null}
              {lineExtra?.(u)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
