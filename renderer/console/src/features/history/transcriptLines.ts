/**
 * A call's transcript as the detail panel shows it: the stored lines (calls.get) merged with the
 * `call.utterance` events of a live call, in time order, without showing a line twice when the
 * stored copy and the event both arrive.
 */
import type { CallUtterance, Utterance } from '../../api/contract.js';

/** One line, as calls.get stores it (calls from before schema 2 have no node). */
export type TranscriptLine = Utterance;

function sameLine(a: TranscriptLine, b: TranscriptLine): boolean {
  return (
    a.speaker === b.speaker && a.text === b.text && Math.round(a.startMs) === Math.round(b.startMs)
  );
}

/** The line an event carries. */
export function lineOfEvent(event: CallUtterance): TranscriptLine {
  const { speaker, text, intent, confidence, startMs, endMs, cutAtMs, nodeId } = event;
  return { speaker, text, intent, confidence, startMs, endMs, cutAtMs, nodeId };
}

/** Adds a line (or replaces its earlier copy, keeping a known node id), keeping time order. */
export function addLine(lines: readonly TranscriptLine[], line: TranscriptLine): TranscriptLine[] {
  const index = lines.findIndex((l) => sameLine(l, line));
  if (index !== -1) {
    const next = [...lines];
    next[index] = { ...line, nodeId: line.nodeId ?? lines[index]?.nodeId ?? null };
    return next;
  }
  return [...lines, line].sort((a, b) => a.startMs - b.startMs);
}

/** Stored lines with the live ones not stored yet. */
export function mergeLines(
  stored: readonly TranscriptLine[],
  live: readonly TranscriptLine[],
): TranscriptLine[] {
  return live.reduce<TranscriptLine[]>((lines, line) => addLine(lines, line), [...stored]);
}
