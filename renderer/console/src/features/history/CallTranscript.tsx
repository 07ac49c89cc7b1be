import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format.js';
import type { TranscriptLine } from './transcriptLines.js';

interface CallTranscriptProps {
  /** Times are milliseconds from the answer. */
  utterances: readonly TranscriptLine[];
  /** The call is still running: lines arrive as they are said. */
  live?: boolean;
}

/**
 * Who said what, with times from the answer: a bot prompt cut by barge-in shows where it was cut;
 * a customer line shows the intent and confidence it matched, and '' (nothing recognized) reads
 * "(not understood)".
 */
export function CallTranscript({ utterances, live = false }: CallTranscriptProps) {
  const { t } = useTranslation();
  const format = useFormat();
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
        <ol className="transcript" data-testid="call-transcript" aria-live={live ? 'polite' : undefined}>
          {utterances.map((u, index) => (
            <li
              key={`${u.speaker}-${u.startMs}-${index}`}
              className={`utterance utterance-${u.speaker}`}
              data-testid="call-utterance"
              data-speaker={u.speaker}
              data-cut={u.cutAtMs !== null ? 'true' : undefined}
            >
              <div className="utterance-meta">
                <span className="utterance-speaker">{t(`speaker.${u.speaker}`)}</span>
                <time className="mono">{format.clock(u.startMs)}</time>
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
                  {u.nodeId ? <span className="tag tag-muted mono">{t('callDetail.node', { node: u.nodeId })}</span> : null}
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
