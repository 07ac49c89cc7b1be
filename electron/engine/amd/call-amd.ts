/**
 * Answering-machine detection on one live call: from the answer, the customer's audio (the
 * capture's left channel) goes through an AmdDetector beside whatever already runs on the call
 * (the bot or an agent starts at once: nobody waits for the decision). Each decision is stored on
 * the call as an `amd` event, each beep as `amd_beep`; a machine gets the campaign's action:
 *
 * - hangup: the call is stored with outcome `machine` and hung up at once;
 * - message: the bot is released (its dialog stops, the call stays up), the message is rendered
 *   while the machine's greeting goes on, and played after the beep (or after the greeting ends
 *   in silence, or when `maxBeepWaitMs` runs out); then the call is hung up as `machine`. A call an
 *   agent has already taken is left to the agent;
 * - continue: nothing but the events (treat it as a person).
 *
 * `human` and `unknown` change nothing. Listening stops when the call ends, or once nothing more
 * can come (a human decision past the beep window, or the action done).
 */
import type { AmdMessage, AmdSettings } from '../api/amd.js';
import type { Logger } from '../log.js';
import type { CallSession } from '../telephony/index.js';
import { type AmdDecision, AmdDetector, type AmdEvent, type AmdTuning } from './detector.js';

export interface CallAmdOptions {
  settings: AmdSettings;
  log: Logger;
  /** The campaign's message as 20 ms frames (a recording, or the text in the bot's voice). */
  renderMessage(message: AmdMessage, callId: string): Promise<Int16Array[]>;
  /** Stops whatever else talks on the call (the bot's dialog) without hanging up. */
  release?(): void;
  tuning?: Partial<AmdTuning>;
  /** Every detector event, as it happens (tests, the live wall). */
  onEvent?(event: AmdEvent): void;
}

export interface CallAmd {
  /** The last decision (a human one may be revised to machine); null before the first. */
  readonly decision: AmdDecision | null;
  /** Settles when AMD has nothing more to do on this call (action done, window over, or call ended). */
  readonly done: Promise<void>;
  close(): void;
}

/** After a human decision the detector still listens this long for a revision (its beep window). */
const LISTEN_AFTER_ANSWER_MS = 15_000;

export function attachAmd(session: CallSession, options: CallAmdOptions): CallAmd {
  const detector = new AmdDetector(options.tuning ? { tuning: options.tuning } : {});
  let offAudio: (() => void) | null = null;
  let closed = false;
  let acting = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  /** Someone waiting for the end of the machine's greeting (message action). */
  let greetingOver: ((after: 'beep' | 'silence') => void) | null = null;

  const close = (): void => {
    if (closed) return;
    closed = true;
    offAudio?.();
    offAudio = null;
    if (!acting) finish();
  };

  const onEvents = (events: AmdEvent[]): void => {
    for (const event of events) {
      options.onEvent?.(event);
      switch (event.type) {
        case 'decision': {
          const d = event.decision;
          session.note('amd', {
            result: d.result,
            reason: d.reason,
            atMs: d.atMs,
            revised: d.revised,
            initialSilenceMs: d.initialSilenceMs,
            greetingMs: d.greetingMs,
            words: d.words,
          });
          if (d.result === 'machine' && !acting) {
            acting = true;
            void act(d)
              .catch((error: unknown) =>
                options.log.error('The answering-machine action failed', {
                  callId: session.callId,
                  error: error instanceof Error ? error.stack : String(error),
                }),
              )
              .finally(() => {
                close();
                finish();
              });
          }
          break;
        }
        case 'beep':
          if (event.phase === 'end') {
            session.note('amd_beep', {
              frequencyHz: event.beep.frequencyHz,
              startMs: event.beep.startMs,
              endMs: event.beep.endMs,
            });
            greetingOver?.('beep');
          }
          break;
        case 'greeting_end':
          greetingOver?.('silence');
          break;
      }
    }
  };

  const act = async (decision: AmdDecision): Promise<void> => {
    const { settings } = options;
    const reason = `answering machine (AMD: ${decision.reason.replace('_', ' ')} at ${decision.atMs} ms)`;
    if (!session.isUp) return;
    switch (settings.machineAction) {
      case 'continue':
        session.note('amd_action', { action: 'continue' });
        return;
      case 'hangup':
        session.setAnsweredOutcome('machine');
        session.note('amd_action', { action: 'hangup' });
        await session.hangup(reason, 'amd');
        return;
      case 'message': {
        if (agentHas(session)) {
          session.note('amd_action', { action: 'skipped', detail: 'an agent has the call' });
          return;
        }
        options.release?.();
        session.stopPlayback();
        const message = settings.message;
        if (!message) {
          // The schema requires one; a stored row from elsewhere may lack it.
          session.setAnsweredOutcome('machine');
          session.note('amd_action', { action: 'hangup', detail: 'no message configured' });
          await session.hangup(reason, 'amd');
          return;
        }
        const frames = options.renderMessage(message, session.callId);
        frames.catch(() => undefined); // awaited below; a failure is reported there
        // A decision made at a beep's start waits for its end, which follows within moments.
        const after = await new Promise<'beep' | 'silence' | 'timeout'>((resolve) => {
          const timer = setTimeout(() => resolve('timeout'), settings.maxBeepWaitMs);
          greetingOver = (kind) => {
            clearTimeout(timer);
            resolve(kind);
          };
          void session.whenEnded().then(() => {
            clearTimeout(timer);
            resolve('timeout');
          });
        });
        greetingOver = null;
        if (!session.isUp) return;
        let rendered: Int16Array[];
        try {
          rendered = await frames;
        } catch (error) {
          session.setAnsweredOutcome('machine');
          session.note('amd_action', {
            action: 'hangup',
            detail: `the message could not be rendered: ${error instanceof Error ? error.message : String(error)}`,
          });
          await session.hangup(reason, 'amd');
          return;
        }
        if (!session.isUp) return;
        if (agentHas(session)) {
          session.note('amd_action', { action: 'skipped', detail: 'an agent took the call' });
          return;
        }
        session.note('amd_action', { action: 'message', after });
        await session.play(rendered);
        if (!session.isUp) return;
        session.setAnsweredOutcome('machine');
        await new Promise((r) => setTimeout(r, 300)); // let the last words leave the jitter buffers
        await session.hangup(`${reason}: message left`, 'amd');
        return;
      }
    }
  };

  void (async () => {
    const answered = (await session.whenAnswered()) && session.isUp;
    if (!answered || closed) {
      close();
      return;
    }
    offAudio = session.onAudio((frame) => {
      if (closed || session.answeredAt === null) return;
      onEvents(detector.push(frame.left));
      const decision = detector.decision;
      // Nothing more can come: a person (or unknown) past the window in which a beep revises it.
      if (
        !acting &&
        decision &&
        decision.result !== 'machine' &&
        detector.elapsedMs > LISTEN_AFTER_ANSWER_MS
      )
        close();
    });
    void session.whenEnded().then(close);
  })().catch((error: unknown) => {
    options.log.error('Answering-machine detection failed', {
      callId: session.callId,
      error: error instanceof Error ? error.stack : String(error),
    });
    close();
  });

  return {
    get decision() {
      return detector.decision;
    },
    done,
    close,
  };
}

/** An agent has the call (read through a function: the state changes while the action awaits). */
function agentHas(session: CallSession): boolean {
  return session.state === 'agent';
}
