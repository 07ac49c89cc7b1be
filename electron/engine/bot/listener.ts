/**
 * Listens to a call: the customer's audio (left channel, from the answer on) goes to the speech
 * worker pool; the endpointer's decisions become call events (speech_start, speech_end, no_input)
 * and, while a prompt that allows it is playing, speech cuts it (barge-in): the engine's queue is
 * dropped and the media host's player flushed at once.
 */
import {
  type EndpointEvent,
  LIVE_VAD_MAX_LAG_MS,
  type SpeechWorkerPool,
  type VadShed,
} from '../speech/index.js';
import type { CallSession } from '../telephony/index.js';

export interface CallListenerOptions {
  /** Customer speech stops a playing prompt (per prompt, the dialog may turn it off). */
  bargeIn?: () => boolean;
  onEvent?: (event: EndpointEvent & { wallAt: number }) => void;
  /** Closing the speech stream at the call's end failed (its worker died); default: ignored. */
  onCloseError?: (error: unknown) => void;
}

export interface CallListener {
  close(): Promise<void>;
}

/** The speech_behind event of a stretch the VAD skipped, at `atMs` (the caller's time base). */
export function speechBehind(
  shed: VadShed,
  atMs: number,
): { atMs: number; skippedMs: number; maxLagMs: number } {
  return {
    atMs: Math.round(atMs),
    skippedMs: Math.round(shed.toMs - shed.fromMs),
    maxLagMs: LIVE_VAD_MAX_LAG_MS,
  };
}

export function listenToCall(
  session: CallSession,
  pool: SpeechWorkerPool,
  options: CallListenerOptions = {},
): CallListener {
  const speech = pool.open(session.callId, { sampleRate: 16_000, maxLagMs: LIVE_VAD_MAX_LAG_MS });
  /** Wall-clock time of the first frame pushed: endpointer times are relative to it. */
  let streamStart: number | null = null;
  const offAudio = session.onAudio((frame) => {
    if (session.answeredAt === null) return;
    streamStart ??= frame.timestampMs;
    speech.push(frame.left); // the pool copies it into the buffer it transfers
  });
  const offEvents = speech.onEvent((event) => {
    const base = streamStart ?? Date.now();
    const decidedAt = Date.now();
    switch (event.type) {
      case 'speech_start': {
        const wallAt = base + event.atMs;
        session.note('speech_start', { atMs: event.atMs }, wallAt);
        if (session.isPlaying && (options.bargeIn?.() ?? true)) {
          session.stopPlayback();
          session.note(
            'barge_in',
            { speechAtMs: event.atMs, decisionLagMs: decidedAt - wallAt },
            decidedAt,
          );
        }
        options.onEvent?.({ ...event, wallAt });
        return;
      }
      case 'speech_end': {
        const wallAt = base + event.endMs;
        session.note(
          'speech_end',
          { startMs: event.startMs, endMs: event.endMs, reason: event.reason },
          wallAt,
        );
        options.onEvent?.({ ...event, wallAt });
        return;
      }
      case 'speech_pause':
        // Only asked for with pauseMs (the bot's early recognition); this call is opened with the
        // endpointer's defaults (pauseMs 0), and a bare listener has nothing to start early.
        return;
      case 'no_input':
        session.note('no_input', { afterMs: event.afterMs }, decidedAt);
        options.onEvent?.({ ...event, wallAt: decidedAt });
    }
  });
  const offShed = speech.onShed((shed) =>
    session.note('speech_behind', speechBehind(shed, shed.fromMs)),
  );
  const offError = speech.onError((error) =>
    session.note('speech_error', { message: error.message }),
  );
  const closeOnEnd = session
    .whenEnded()
    .then(() => close())
    // The call has ended, so its events are closed: the shell's handler hears of it instead.
    .catch((error: unknown) => options.onCloseError?.(error));
  let closed = false;
  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    offAudio();
    offEvents();
    offShed();
    offError();
    await speech.close();
  }
  void closeOnEnd;
  return { close };
}
