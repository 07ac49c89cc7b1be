/**
 * What the media link carries and how late: bytes and frames each way, the capture delay (from
 * the moment the page's capture worklet finished a frame to the moment the engine handed it to
 * the call), and the page's own queue depths from its `link.stats` reports. The telephony service
 * publishes a snapshot (`Telephony.mediaLinkStats()`), which the load bench, the soak and the
 * media-link bench read.
 */
import type { HostEventData } from '../api/media-host.js';

/** Capture delays are counted in 1 ms buckets up to this; anything later lands in the last one. */
const HISTOGRAM_MS = 10_000;
/** The recent delays kept for windowed percentiles (about 26 s of audio at 25 calls). */
const RECENT = 32_768;

export interface DelaySummary {
  /** Frames measured. */
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One call's playback queues, in 20 ms frames. */
export interface PlaybackQueueDepth {
  callId: string;
  /** Frames the engine holds and has not sent yet (the rest of the prompt). */
  queuedFrames: number;
  /** Frames sent and not yet played, by the player's last report. */
  inFlightFrames: number;
  /** Frames the player held at its last report. */
  playerBufferedFrames: number;
  /** Dry spells in the middle of a prompt (the engine or the page was late). */
  lateUnderruns: number;
}

export interface MediaLinkStats {
  /** When this snapshot was taken (epoch ms). */
  at: number;
  /** Since the link opened (the current media host; a restarted host starts again at 0). */
  since: number;
  capture: {
    frames: number;
    /** Bytes of binary capture messages (headers and audio). */
    bytes: number;
    /** Frames the engine could not read (counted, dropped). */
    badFrames: number;
    /** Since the link opened. */
    delay: DelaySummary;
    /** Over the last 10 s. */
    recentDelay: DelaySummary;
  };
  playback: {
    frames: number;
    bytes: number;
  };
  /** JSON commands, replies and events, both ways. */
  textBytesIn: number;
  textBytesOut: number;
  /** The page's last `link.stats` report (null until its first, a second after it starts). */
  page: HostEventData<'link.stats'> | null;
  /** The worst the page reported since the link opened. */
  pageWorst: {
    pumpGapMaxMs: number;
    captureBacklogMaxFrames: number;
    sendBufferedMaxBytes: number;
    playbackBufferedMaxFrames: number;
  };
}

/** Counts one link's traffic; owned by its MediaHostClient. */
export class LinkStatsRecorder {
  readonly since = Date.now();
  captureFrames = 0;
  captureBytes = 0;
  badFrames = 0;
  playbackFrames = 0;
  playbackBytes = 0;
  textBytesIn = 0;
  textBytesOut = 0;
  page: HostEventData<'link.stats'> | null = null;
  private readonly worst = {
    pumpGapMaxMs: 0,
    captureBacklogMaxFrames: 0,
    sendBufferedMaxBytes: 0,
    playbackBufferedMaxFrames: 0,
  };
  private readonly histogram = new Uint32Array(HISTOGRAM_MS + 1);
  private readonly recentDelay = new Float32Array(RECENT);
  private readonly recentAt = new Float64Array(RECENT);
  private recentCount = 0;

  /** One capture frame reached the engine `delayMs` after it was captured. */
  captureDelay(delayMs: number, now: number): void {
    const clamped = Math.max(0, delayMs);
    this.histogram[Math.min(HISTOGRAM_MS, Math.round(clamped))]!++;
    const slot = this.recentCount++ % RECENT;
    this.recentDelay[slot] = clamped;
    this.recentAt[slot] = now;
  }

  pageReport(report: HostEventData<'link.stats'>): void {
    this.page = report;
    for (const key of Object.keys(this.worst) as Array<keyof typeof this.worst>)
      this.worst[key] = Math.max(this.worst[key], report[key]);
  }

  snapshot(now = Date.now()): MediaLinkStats {
    return {
      at: now,
      since: this.since,
      capture: {
        frames: this.captureFrames,
        bytes: this.captureBytes,
        badFrames: this.badFrames,
        delay: summarizeHistogram(this.histogram),
        recentDelay: this.recent(now - 10_000),
      },
      playback: { frames: this.playbackFrames, bytes: this.playbackBytes },
      textBytesIn: this.textBytesIn,
      textBytesOut: this.textBytesOut,
      page: this.page,
      pageWorst: { ...this.worst },
    };
  }

  /** The capture delays measured since `from` (epoch ms), within the last RECENT frames. */
  recent(from: number): DelaySummary {
    const kept = Math.min(this.recentCount, RECENT);
    const values: number[] = [];
    for (let i = 0; i < kept; i++) if (this.recentAt[i]! >= from) values.push(this.recentDelay[i]!);
    return summarize(values);
  }
}

/** Percentiles of plain values (ms). */
export function summarize(values: number[]): DelaySummary {
  if (values.length === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
  return {
    count: sorted.length,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: Math.round(sorted[sorted.length - 1]!),
  };
}

function summarizeHistogram(histogram: Uint32Array): DelaySummary {
  let count = 0;
  let maxMs = 0;
  for (let ms = 0; ms < histogram.length; ms++) {
    count += histogram[ms]!;
    if (histogram[ms]! > 0) maxMs = ms;
  }
  if (count === 0) return { count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  const at = (p: number): number => {
    const rank = Math.floor((p / 100) * count);
    let seen = 0;
    for (let ms = 0; ms < histogram.length; ms++) {
      seen += histogram[ms]!;
      if (seen > rank) return ms;
    }
    return maxMs;
  };
  return { count, p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), maxMs };
}
