/**
 * Line status from early media (空号识别): while a call rings, its early audio (a 183 with SDP:
 * the media host captures the remote track from the first RTP, answered or not, and the frames
 * reach `CallSession.onAudio` as an answered call's do) goes to an `EarlyMediaListener`
 * (speech/recognizers/phrase/line-status.ts), which scores it with the shipped announcement models
 * on the speech workers, embedding only the audio new since its previous step (the embedder is
 * warmed on the call's worker when the call starts ringing). A recognized announcement ends the call at once with its outcome
 * (`CallSession.endForLineStatus`, outcomes.ts `lineStatusVerdict`). The answer, the end of the
 * call or `maxListenMs` of early audio stops the listening; the listener holds a few seconds of
 * audio and runs one evaluation at a time, so a long ring or a slow worker costs no memory.
 */
import type { Logger } from '../log.js';
import type {
  EarlyMediaStep,
  EarlyMediaStepResult,
} from '../speech/recognizers/phrase/line-status.js';
import {
  EarlyMediaListener,
  LINE_STATUS_LANGUAGES,
  readLineStatusModel,
} from '../speech/recognizers/phrase/line-status.js';
import type { PhraseModel } from '../speech/recognizers/phrase/model.js';
import type { CallSession } from './call-session.js';

export interface EarlyMediaOptions {
  log: Logger;
  /** One step of a call's listening with every line-status model (the speech pool). */
  spot(callId: string, step: EarlyMediaStep): Promise<EarlyMediaStepResult>;
  /**
   * Readies what a call's first step needs (the embedder and the models on its worker) when it
   * starts ringing, so that step does not pay for loading them. Failures are the first step's.
   */
  warm?(callId: string): Promise<void>;
  /** Whether calls are listened to now (Settings); read once per call. */
  enabled?(): Promise<boolean>;
  /** Early audio listened to at most (default 60 s: carriers hold an announcement about that long). */
  maxListenMs?: number;
}

/** The part of a call the watcher uses (CallSession; a fake in unit tests). */
export type WatchedCall = Pick<
  CallSession,
  'callId' | 'onAudio' | 'whenAnswered' | 'whenEnded' | 'endForLineStatus'
>;

export class EarlyMediaWatcher {
  /** Calls being listened to now. */
  private readonly listening = new Map<string, EarlyMediaListener>();
  /** Evaluations that failed (logged once per call). */
  failures = 0;

  constructor(private readonly options: EarlyMediaOptions) {}

  get activeCount(): number {
    return this.listening.size;
  }

  /** Listens to `call` until it is answered or ends. Never throws. */
  async watch(call: WatchedCall): Promise<void> {
    try {
      if (this.options.enabled && !(await this.options.enabled())) return;
    } catch {
      return;
    }
    const maxSamples = ((this.options.maxListenMs ?? 60_000) / 1000) * 16_000;
    this.options.warm?.(call.callId).catch(() => undefined); // the first step reports it
    const listener = new EarlyMediaListener({
      evaluate: (step) => this.options.spot(call.callId, step),
    });
    let heardSamples = 0;
    let loggedFailure = false;
    this.listening.set(call.callId, listener);
    const stop = (): void => {
      listener.stop();
      unsubscribe();
      this.listening.delete(call.callId);
    };
    const unsubscribe = call.onAudio((frame) => {
      heardSamples += frame.left.length;
      if (heardSamples > maxSamples) {
        stop();
        return;
      }
      listener.push(frame.left);
    });
    listener.onDetected((d) => {
      stop();
      call.endForLineStatus({
        status: d.status,
        language: d.language,
        phrase: d.phrase,
        confidence: d.p,
        heardMs: d.atMs,
      });
    });
    listener.onFailure((error) => {
      this.failures++;
      if (loggedFailure) return;
      loggedFailure = true;
      this.options.log.warn('Listening to early media failed (the call rings on)', {
        callId: call.callId,
        error: error instanceof Error ? error.message : String(error),
      });
    });
    void call.whenAnswered().then(stop);
    void call.whenEnded().then(stop, stop);
  }
}

/**
 * The shipped line-status models (native-models/line-status, one per language), read once; an
 * error names the missing or stale file and how to rebuild it.
 */
export function lineStatusModelLoader(
  dir: string,
): () => Promise<Array<{ key: string; model: PhraseModel }>> {
  let loaded: Promise<Array<{ key: string; model: PhraseModel }>> | null = null;
  return () => {
    loaded ??= (async () => {
      const models = [];
      for (const language of LINE_STATUS_LANGUAGES) {
        const file = await readLineStatusModel(dir, language);
        if (!file)
          throw new Error(
            `the ${language} line-status model is missing (${dir}): reinstall the app, or run \`npm run build:line-status\``,
          );
        models.push({ key: `line-status-${language}-${file.dataHash}`, model: file.model });
      }
      return models;
    })();
    return loaded;
  };
}
