import { useTranslation } from 'react-i18next';
import type { CallEvent } from '../../api/contract.js';
import { useFormat } from '../../i18n/format.js';

interface CallTimelineProps {
  startedAt: number;
  events: readonly CallEvent[];
}

/** The call's recorded events in order: wall-clock time, offset from the start, type and data. */
export function CallTimeline({ startedAt, events }: CallTimelineProps) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <section className="drawer-section">
      <h3>{t('callDetail.events')}</h3>
      {events.length === 0 ? (
        <p className="muted" data-testid="call-events-empty">
          {t('callDetail.noEvents')}
        </p>
      ) : (
        <ol className="timeline" aria-label={t('callDetail.eventsCaption')} data-testid="call-events">
          {events.map((event, index) => (
            <li key={`${event.at}-${index}`} className="timeline-item" data-testid="call-event">
              <time className="timeline-time mono" dateTime={new Date(event.at).toISOString()}>
                {format.time(event.at)}
              </time>
              <span className="timeline-offset mono">{t('callDetail.offset', { time: format.clock(event.at - startedAt) })}</span>
              <span className="timeline-type">{event.type}</span>
              {Object.keys(event.data).length > 0 ? <code className="timeline-data">{describeData(event.data)}</code> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** `{from: 'ringing', to: 'answered'}` → `from=ringing to=answered`: compact and language-neutral. */
function describeData(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}
