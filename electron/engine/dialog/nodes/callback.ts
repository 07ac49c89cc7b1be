/**
 * `callback`: schedules a new attempt at the date/time the customer said in the last answer
 * (resolved in the contact's time zone against the moment it was said). A day without a time
 * ("明天", "tomorrow") gets `defaultHour`. Sets {callback_time} (in words) and {callback_at} (ISO).
 * No usable time (none, too soon, too far) → `fallbackNext`.
 */
import { localParts, toZonedIso, zonedToInstant } from '../../nlu/index.js';
import type { DialogContext } from '../context.js';
import { type NodeExecutor, type NodeResult, raceAbort } from '../context.js';
import type { FlowLanguage, NodeOf } from '../schema.js';

const DAY_MS = 86_400_000;

/** The callback time in words for a prompt, in the flow's language and the contact's zone. */
export function spokenTime(at: Date, timeZone: string, language: FlowLanguage, now: Date): string {
  const day = (d: Date): string => {
    const p = localParts(d, timeZone);
    return `${p.year}-${p.month}-${p.day}`;
  };
  const todayParts = localParts(now, timeZone);
  const tomorrow = zonedToInstant(
    { year: todayParts.year, month: todayParts.month, day: todayParts.day, hour: 12, minute: 0 },
    timeZone,
  );
  const isToday = day(at) === day(now);
  const isTomorrow = day(at) === day(new Date(tomorrow.getTime() + DAY_MS));
  const p = localParts(at, timeZone);
  const hh = String(p.hour).padStart(2, '0');
  const mm = String(p.minute).padStart(2, '0');
  if (language === 'zh-CN') {
    const d = isToday ? '今天' : isTomorrow ? '明天' : `${p.month}月${p.day}日`;
    return `${d}${hh}:${mm}`;
  }
  const time = new Intl.DateTimeFormat('en-US', {
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
  }).format(at);
  const d = isToday
    ? 'today'
    : isTomorrow
      ? 'tomorrow'
      : new Intl.DateTimeFormat('en-US', {
          weekday: 'long',
          month: 'long',
          day: 'numeric',
          timeZone,
        }).format(at);
  return `${d} at ${time}`;
}

export class CallbackNode implements NodeExecutor {
  constructor(readonly node: NodeOf<'callback'>) {}

  async execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult> {
    const node = this.node;
    const tz = ctx.contact.timeZone;
    const when = ctx.lastAnswer?.entities.dateTimes[0];
    if (!when) {
      ctx.emit({ type: 'callback_unavailable', nodeId: node.id, reason: 'no_datetime' });
      return { next: node.fallbackNext };
    }
    let at = when.value;
    if (when.grain === 'day') {
      const p = localParts(when.value, tz);
      at = zonedToInstant(
        { year: p.year, month: p.month, day: p.day, hour: node.defaultHour, minute: 0 },
        tz,
      );
    }
    const now = ctx.now();
    if (at.getTime() < now.getTime() + node.minDelayMs) {
      ctx.emit({ type: 'callback_unavailable', nodeId: node.id, reason: 'too_soon' });
      return { next: node.fallbackNext };
    }
    if (at.getTime() > now.getTime() + node.maxDelayDays * DAY_MS) {
      ctx.emit({ type: 'callback_unavailable', nodeId: node.id, reason: 'too_late' });
      return { next: node.fallbackNext };
    }
    const iso = toZonedIso(at, tz);
    const spoken = spokenTime(at, tz, ctx.language, now);
    await raceAbort(ctx.channel.scheduleCallback(at), signal);
    ctx.callbackAt = at;
    ctx.emit({ type: 'callback', nodeId: node.id, at, iso, spoken });
    ctx.setVariable(node.id, 'callback_time', spoken);
    ctx.setVariable(node.id, 'callback_at', iso);
    return { next: node.next };
  }
}
