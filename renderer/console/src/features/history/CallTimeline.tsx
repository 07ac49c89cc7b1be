/** A call's timeline: its events (by their names in the UI language) and state changes, in time order. */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

import type { CallEvent, CallTransition } from '../../api/contract.js';
import { useFormat } from '../../i18n/format.js';
import { callEventName } from './callEvents.js';

interface CallTimelineProps {
  startedAt: number;
  events: readonly CallEvent[];
  /** The call's validated state changes (calls.get), shown among the events at their times. */
  transitions?: readonly CallTransition[];
}

type Entry =
  | { kind: 'event'; at: number; event: CallEvent }
  | { kind: 'transition'; at: number; transition: CallTransition };

/** Events and state changes in time order; at the same instant the state change comes first. */
export function timelineEntries(
  events: readonly CallEvent[],
  transitions: readonly CallTransition[],
): Entry[] {
  const entries: Entry[] = [
    ...transitions.map((transition): Entry => ({
      kind: 'transition',
      at: transition.at,
      transition,
    })),
    ...events.map((event): Entry => ({ kind: 'event', at: event.at, event })),
  ];
  // Stable sort: ties keep transitions (listed first) before events.
  return entries.sort((a, b) => a.at - b.at);
}

/** The call's recorded events and state changes in order: wall-clock time, offset from the start, what happened. */
export function CallTimeline({ startedAt, events, transitions = [] }: CallTimelineProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const entries = timelineEntries(events, transitions);
  return (
    <section className="drawer-section">
      <h3>{t('callDetail.events')}</h3>
      {entries.length === 0 ? (
        <p className="muted" data-testid="call-events-empty">
          {t('callDetail.noEvents')}
        </p>
      ) : (
        <ol
          className="timeline"
          aria-label={t('callDetail.eventsCaption')}
          data-testid="call-events"
        >
          {entries.map((entry, index) => (
            <li
              key={`${entry.kind}-${entry.at}-${index}`}
              className={
                entry.kind === 'transition' ? 'timeline-item timeline-transition' : 'timeline-item'
              }
              data-testid={entry.kind === 'transition' ? 'call-transition' : 'call-event'}
            >
              <time className="timeline-time mono" dateTime={new Date(entry.at).toISOString()}>
                {format.time(entry.at)}
              </time>
              <span className="timeline-offset mono">
                {t('callDetail.offset', { time: format.clock(entry.at - startedAt) })}
              </span>
              {entry.kind === 'event' ? (
                <>
                  <span className="timeline-type" data-event-type={entry.event.type}>
                    {callEventName(entry.event.type, t)}
                  </span>
                  {entry.event.type === 'line_status' && heardAnnouncement(entry.event.data) ? (
                    <span className="timeline-data" data-testid="line-status">
                      {describeAnnouncement(heardAnnouncement(entry.event.data)!, t)}
                    </span>
                  ) : Object.keys(entry.event.data).length > 0 ? (
                    <code className="timeline-data">{describeData(entry.event.data)}</code>
                  ) : null}
                </>
              ) : (
                <>
                  <span className="timeline-type">
                    {entry.transition.from === null
                      ? t('callPage.transitionFirst', { to: t(`callState.${entry.transition.to}`) })
                      : t('callPage.transition', {
                          from: t(`callState.${entry.transition.from}`),
                          to: t(`callState.${entry.transition.to}`),
                        })}
                  </span>
                  {entry.transition.reason ? (
                    <code className="timeline-data">{entry.transition.reason}</code>
                  ) : null}
                </>
              )}
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

const LINE_STATUS_NAMES = [
  'empty_number',
  'powered_off',
  'suspended',
  'busy',
  'unreachable',
  'barred',
] as const;

/** A `line_status` event's data (an operator announcement heard while ringing), or null if it is not one. */
export function heardAnnouncement(
  data: Record<string, unknown>,
): { status: (typeof LINE_STATUS_NAMES)[number]; phrase: string; heardMs: number } | null {
  const { status, phrase, heardMs } = data;
  if (
    typeof status !== 'string' ||
    !(LINE_STATUS_NAMES as readonly string[]).includes(status) ||
    typeof phrase !== 'string' ||
    typeof heardMs !== 'number'
  )
    return null;
  return { status: status as (typeof LINE_STATUS_NAMES)[number], phrase, heardMs };
}

/** "Powered off: “您拨打的电话已关机”, recognized after 2.6 s of early media". */
function describeAnnouncement(
  heard: NonNullable<ReturnType<typeof heardAnnouncement>>,
  t: TFunction,
): string {
  return t('lineStatus.heard', {
    status: t(`lineStatus.${heard.status}`),
    phrase: heard.phrase,
    seconds: (heard.heardMs / 1000).toFixed(1),
  });
}
