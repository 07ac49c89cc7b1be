/**
 * Which transcript line is "current" while a recording plays. Lines are in time order (ms from the
 * answer, which is where the recording starts). At time t the current line is the latest one that
 * has started and not yet ended (a customer barging in over a prompt wins over the prompt); in a
 * pause between lines the last line started stays current, so the highlight does not flicker off
 * between turns. Before the first line, none.
 */
export interface TimedLine {
  startMs: number;
  endMs: number;
  /** Where barge-in cut a prompt: the line ends there. */
  cutAtMs?: number | null;
}

export function lineEndMs(line: TimedLine): number {
  return line.cutAtMs != null ? Math.min(line.endMs, line.cutAtMs) : line.endMs;
}

/** Index of the current line at `timeMs`, or -1. `lines` sorted by startMs. */
export function currentLineIndex(lines: readonly TimedLine[], timeMs: number): number {
  // The last line started at or before t (binary search: long calls have hundreds of lines and this runs every frame).
  let lo = 0;
  let hi = lines.length - 1;
  let lastStarted = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.startMs <= timeMs) {
      lastStarted = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (lastStarted === -1) return -1;
  // Latest-started line still running at t (look back over the few lines that may overlap it).
  for (let i = lastStarted; i >= 0 && i >= lastStarted - 8; i--) {
    const line = lines[i]!;
    if (timeMs < lineEndMs(line)) return i;
  }
  return lastStarted;
}
