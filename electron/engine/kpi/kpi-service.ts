/**
 * The wallboard's live figures and the reports (api/kpi.ts). The store computes the sums per
 * window (repositories/kpi.ts); this service picks the windows (the last 15 minutes, the last hour,
 * today from midnight in the workspace's time zone), turns sums into figures, and pushes
 * `kpi.wallboard` while someone watches:
 *
 * - `kpi.wallboard` (the command) arms the pushes for WATCH_MS; the Wallboard page asks again
 *   every minute while it is open, so a console that left stops the work within minutes.
 * - While armed, an engine event that can move a figure (a call's state or event, an agent's
 *   status) schedules a recomputation at most once per PUSH_INTERVAL_MS; one runs at a time, and
 *   events during it schedule the next. Without events, one every IDLE_REFRESH_MS, since windows
 *   slide (a call leaves the last 15 minutes without any event).
 * - "Today" costs the most (every call since midnight); a push reuses it for up to
 *   TODAY_REFRESH_MS and then pushes once more, so it is never more than that behind. A
 *   `kpi.wallboard` request always computes it afresh.
 */
import type { EventName, KpiReport, KpiWindow, Wallboard } from '../api/contract.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { localDays, today } from './days.js';
import { toAgentTime, toFigures } from './figures.js';
import { reportCsv } from './report-csv.js';

const PUSH_INTERVAL_MS = 1_000;
const WATCH_MS = 5 * 60_000;
const IDLE_REFRESH_MS = 15_000;
/** "Today" reads every call since midnight (tens of thousands at a big site): pushes recompute it at most this often. */
const TODAY_REFRESH_MS = 5_000;
const MINUTE = 60_000;

/** Events after which the figures may have moved. */
const MOVING_EVENTS: ReadonlySet<string> = new Set<EventName>([
  'call.updated',
  'call.event',
  'call.utterance',
  'agent.state',
  'agents.changed',
  'campaign.updated',
]);

export interface KpiServiceOptions {
  store: Store;
  /** The workspace's time zone (Settings). */
  timeZone: () => Promise<string>;
  /** Publishes a pushed wallboard (the engine's `kpi.wallboard` event). */
  push: (wallboard: Wallboard) => void;
  log: Logger;
  now?: () => number;
  pushIntervalMs?: number;
  watchMs?: number;
  idleRefreshMs?: number;
  todayRefreshMs?: number;
}

export interface ReportParams {
  from: string;
  to: string;
  campaignId?: number | undefined;
}

export class KpiService {
  private readonly now: () => number;
  private watchedUntil = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private dirty = false;
  private lastPushAt = 0;
  private stopped = false;
  private today: { at: number; from: number; window: KpiWindow } | null = null;
  private followUp: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: KpiServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The wallboard now; arms the live pushes. */
  async wallboard(): Promise<Wallboard> {
    this.watch();
    return this.compute(true);
  }

  /** An engine event: recompute soon if someone watches and it can move a figure. */
  noteEvent(event: string): void {
    if (this.stopped || !MOVING_EVENTS.has(event) || this.now() >= this.watchedUntil) return;
    this.schedule();
  }

  async report(params: ReportParams): Promise<KpiReport> {
    const timeZone = await this.options.timeZone();
    const days = localDays(params.from, params.to, timeZone);
    const now = this.now();
    const { store } = this.options;
    const { days: groups, total } = await store.kpi.days(days, params.campaignId);
    // Agents' time stops at now: a day not over yet (or to come) has no time after it.
    const clip = (range: { from: number; to: number }) => ({
      from: Math.min(range.from, now),
      to: Math.min(range.to, now),
    });
    const agents = await Promise.all(days.map((d) => store.kpi.agentTime(clip(d))));
    const first = days[0];
    const last = days[days.length - 1];
    const whole =
      first && last
        ? await store.kpi.agentTime(clip({ from: first.from, to: last.to }))
        : await store.kpi.agentTime({ from: now, to: now });
    return {
      timeZone,
      campaignId: params.campaignId ?? null,
      days: days.map((d, i) => ({
        date: d.date,
        from: d.from,
        to: d.to,
        figures: toFigures(groups[i] ?? total),
        agents: toAgentTime(agents[i] ?? emptyTime()),
      })),
      total: toFigures(total),
      agents: toAgentTime(whole),
    };
  }

  async reportCsv(params: ReportParams): Promise<{ csv: string; fileName: string; rows: number }> {
    const report = await this.report(params);
    const campaign =
      params.campaignId === undefined
        ? null
        : ((await this.options.store.campaigns.get(params.campaignId))?.name ?? null);
    return {
      csv: reportCsv(report, campaign),
      fileName: `outbound-report-${params.from}-to-${params.to}${params.campaignId === undefined ? '' : `-campaign-${params.campaignId}`}.csv`,
      rows: report.days.length + 1,
    };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    if (this.followUp) clearTimeout(this.followUp);
    this.followUp = null;
    this.timer = null;
    this.idleTimer = null;
  }

  private watch(): void {
    if (this.stopped) return;
    this.watchedUntil = this.now() + (this.options.watchMs ?? WATCH_MS);
    if (!this.idleTimer) {
      this.idleTimer = setInterval(() => {
        if (this.now() >= this.watchedUntil) {
          if (this.idleTimer) clearInterval(this.idleTimer);
          this.idleTimer = null;
          return;
        }
        if (this.now() - this.lastPushAt >= (this.options.idleRefreshMs ?? IDLE_REFRESH_MS))
          this.schedule();
      }, this.options.idleRefreshMs ?? IDLE_REFRESH_MS);
      this.idleTimer.unref?.();
    }
  }

  private schedule(): void {
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (this.timer) return;
    const interval = this.options.pushIntervalMs ?? PUSH_INTERVAL_MS;
    const wait = Math.max(0, this.lastPushAt + interval - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pushNow().finally(() => {
        this.running = null;
        if (this.dirty && !this.stopped) {
          this.dirty = false;
          this.schedule();
        }
      });
    }, wait);
    this.timer.unref?.();
  }

  private async pushNow(): Promise<void> {
    try {
      const wallboard = await this.compute(false);
      this.lastPushAt = this.now();
      // Today came from the cache: push once more when it is due, with it recomputed.
      const cached = this.today;
      if (cached && cached.at < wallboard.at && !this.followUp && !this.stopped) {
        const due = cached.at + (this.options.todayRefreshMs ?? TODAY_REFRESH_MS) - this.now();
        this.followUp = setTimeout(
          () => {
            this.followUp = null;
            if (this.now() < this.watchedUntil) this.schedule();
          },
          Math.max(0, due),
        );
        this.followUp.unref?.();
      }
      if (!this.stopped) this.options.push(wallboard);
    } catch (error) {
      // A closing store or a busy reader: the next event or the idle refresh tries again.
      this.lastPushAt = this.now();
      this.options.log.warn('Computing the wallboard failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async compute(fresh: boolean): Promise<Wallboard> {
    const at = this.now();
    const timeZone = await this.options.timeZone();
    const { kpi } = this.options.store;
    const day = today(at, timeZone);
    const ranges = {
      last15m: { from: at - 15 * MINUTE, to: at + 1 },
      lastHour: { from: at - 60 * MINUTE, to: at + 1 },
      today: { from: day.from, to: at + 1 },
    };
    const window = async (range: { from: number; to: number }) => {
      const [figures, time] = await Promise.all([kpi.window(range), kpi.agentTime(range)]);
      return {
        from: range.from,
        to: range.to,
        total: toFigures(figures.total),
        campaigns: figures.campaigns.map((c) => ({
          campaignId: c.campaignId,
          name: c.name,
          figures: toFigures(c),
        })),
        agents: toAgentTime(time),
      };
    };
    const cached = this.today;
    const reuse =
      !fresh &&
      cached !== null &&
      cached.from === day.from &&
      at - cached.at < (this.options.todayRefreshMs ?? TODAY_REFRESH_MS);
    const [last15m, lastHour, todayWindow, agents] = await Promise.all([
      window(ranges.last15m),
      window(ranges.lastHour),
      reuse ? cached.window : window(ranges.today),
      kpi.agentsNow(),
    ]);
    if (!reuse) this.today = { at, from: day.from, window: todayWindow };
    return {
      at,
      timeZone,
      windows: { last15m, lastHour, today: todayWindow },
      agents,
    };
  }
}

function emptyTime() {
  return { available: 0, offered: 0, on_call: 0, wrap_up: 0, away: 0, offline: 0 };
}
