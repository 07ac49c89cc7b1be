/**
 * The abandonment clock's start: when the customer's greeting ("hello?", "喂？") ended. The rule
 * (Ofcom, US TSR) counts a call as abandoned when the person who answered finds no agent within
 * 2 s of the END OF THEIR GREETING, not of the answer. This file finds that moment on a live call.
 *
 * The call's audio (the customer's channel) goes through an AMD detector of its own, used as a
 * voice-activity clock (energy against a noise floor, the same frames AMD judges): a short
 * greeting followed by silence gives its end (the last speech before the silence), known
 * 250–450 ms after it. Every case has an answer, so no person waits on the clock:
 *
 * - a greeting, then silence (a person): the clock starts at the greeting's last speech ('vad');
 * - nothing said within GREETING_ALLOWANCE_MS of the answer (on the audio's clock), or no audio
 *   at all by 1.5 s: the greeting is taken to have ended at the allowance ('allowance'); a person
 *   who starts later is only given less time, never more;
 * - speech that goes on (a long greeting or many words, which the detector calls a machine): with
 *   the campaign's AMD acting on machines, AMD's own decision settles it ('machine': not a person,
 *   never counted as abandoned); without AMD, or with the action "treat as a person", the clock
 *   starts at that decision, while the greeting may still go on (stricter than the rule);
 * - no decision within the detector's analysis time: the last speech heard.
 *
 * Times are epoch ms (the call's answeredAt plus the audio's ms from the answer).
 */
import { AmdDetector } from '../amd/index.js';

/** No speech heard this long after the answer: the greeting is taken to have ended then. */
export const GREETING_ALLOWANCE_MS = 1_000;

/** No audio frame at all this long after the answer: the allowance stands. */
const NO_AUDIO_MS = GREETING_ALLOWANCE_MS + 500;

/** After the clock's detector calls the speech a machine, how long AMD's own decision is awaited. */
const MACHINE_GRACE_MS = 500;

export type GreetingEnd =
  | {
      kind: 'person';
      /** When the greeting ended (epoch ms): the 2 s to an agent run from here. */
      at: number;
      /** 'vad': heard; 'allowance': nothing heard by GREETING_ALLOWANCE_MS; 'decision': speech went on. */
      source: 'vad' | 'allowance' | 'decision';
    }
  /** AMD decided a machine and acts on it: not a person, not abandoned. */
  | { kind: 'machine' };

/** What the clock needs of a live call (CallSession has it). */
interface GreetingCall {
  readonly answeredAt: number | null;
  onAudio(listener: (frame: { left: Int16Array }) => void): () => void;
  whenEnded(): Promise<unknown>;
}

interface GreetingClockOptions {
  /**
   * Settles when the campaign's AMD decides a machine it acts on (hang up or leave a message);
   * omitted when AMD is off or treats machines as people.
   */
  machine?: Promise<void>;
  now?: () => number;
}

interface GreetingClock {
  /** The greeting's end, or a machine; settles once. */
  readonly end: Promise<GreetingEnd>;
  close(): void;
}

/** Starts listening at once (call it when the call is answered). */
export function watchGreeting(
  call: GreetingCall,
  options: GreetingClockOptions = {},
): GreetingClock {
  const now = options.now ?? Date.now;
  const answeredAt = call.answeredAt ?? now();
  const detector = new AmdDetector({ tuning: { initialSilenceMs: GREETING_ALLOWANCE_MS } });
  let settled = false;
  let settle!: (end: GreetingEnd) => void;
  let off: (() => void) | null = null;
  let backstop: ReturnType<typeof setTimeout> | undefined;
  /** The detector called the speech a machine; with AMD acting, its decision is awaited. */
  let speechWentOn = false;
  const end = new Promise<GreetingEnd>((resolve) => (settle = resolve));

  const close = (): void => {
    off?.();
    off = null;
    clearTimeout(backstop);
  };
  const finish = (result: GreetingEnd): void => {
    if (settled) return;
    settled = true;
    close();
    settle(result);
  };

  void options.machine?.then(() => finish({ kind: 'machine' }));
  off = call.onAudio((frame) => {
    if (settled) return;
    for (const event of detector.push(frame.left)) {
      if (event.type !== 'decision') continue;
      const d = event.decision;
      if (d.result === 'machine') {
        const at = answeredAt + d.atMs;
        if (!options.machine) finish({ kind: 'person', at, source: 'decision' });
        else if (!speechWentOn) {
          // AMD's own decision follows within frames; should it not (it heard the audio a frame
          // apart and still calls it a person), the clock starts at this decision.
          speechWentOn = true;
          setTimeout(() => finish({ kind: 'person', at, source: 'decision' }), MACHINE_GRACE_MS);
        }
      } else if (d.words === 0) {
        finish({
          kind: 'person',
          at: answeredAt + Math.min(d.atMs, GREETING_ALLOWANCE_MS),
          source: 'allowance',
        });
      } else {
        finish({
          kind: 'person',
          at: answeredAt + d.initialSilenceMs + d.greetingMs,
          source: 'vad',
        });
      }
    }
  });
  // The allowance is judged on the audio's own clock (the detector's initial silence), since the
  // first frames may come a few hundred ms after the answer. No audio at all by then (dead or very
  // late media): the greeting is taken to have ended at the allowance. Audio that stalls later:
  // the analysis time ends the wait.
  const check = (): void => {
    if (settled) return;
    if (detector.elapsedMs === 0)
      finish({ kind: 'person', at: answeredAt + GREETING_ALLOWANCE_MS, source: 'allowance' });
    else if (now() - answeredAt >= detector.tuning.maxAnalysisMs)
      finish({ kind: 'person', at: now(), source: 'decision' });
    else backstop = setTimeout(check, 250);
  };
  backstop = setTimeout(check, Math.max(0, answeredAt + NO_AUDIO_MS - now()));
  // A call that ends first settles the clock too (whoever waits on it then finds the call gone).
  void call.whenEnded().then(() => finish({ kind: 'person', at: now(), source: 'decision' }));
  return { end, close };
}
