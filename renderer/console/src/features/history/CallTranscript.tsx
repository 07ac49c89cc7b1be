import { useTranslation } from 'react-i18next';
import type { Utterance } from '../../api/contract.js';
import { useFormat } from '../../i18n/format.js';

interface CallTranscriptProps {
  /** Utterance times are milliseconds from the start of the call. */
  utterances: readonly Utterance[];
}

/** Who said what, with times from the start of the call. */
export function CallTranscript({ utterances }: CallTranscriptProps) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <section className="drawer-section">
      <h3>{t('callDetail.transcript')}</h3>
      {utterances.length === 0 ? (
        <p className="muted" data-testid="call-transcript-empty">
          {t('callDetail.noTranscript')}
        </p>
      ) : (
        <ol className="transcript" data-testid="call-transcript">
          {utterances.map((u, index) => (
            <li key={`${u.startMs}-${index}`} className={`utterance utterance-${u.speaker}`} data-testid="call-utterance">
              <div className="utterance-meta">
                <span className="utterance-speaker">{t(`speaker.${u.speaker}`)}</span>
                <time className="mono">{format.clock(u.startMs)}</time>
              </div>
              <p className="utterance-text">{u.text}</p>
              {u.intent !== null || u.confidence !== null || u.cutAtMs !== null ? (
                <div className="utterance-tags">
                  {u.intent !== null ? <span className="tag">{t('callDetail.intent', { intent: u.intent })}</span> : null}
                  {u.confidence !== null ? (
                    <span className="tag">{t('callDetail.confidence', { value: format.percent(u.confidence) })}</span>
                  ) : null}
                  {u.cutAtMs !== null ? (
                    <span className="tag tag-warning">{t('callDetail.bargeIn', { time: format.clock(u.cutAtMs) })}</span>
                  ) : null}
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
