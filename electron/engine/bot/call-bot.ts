/**
 * CallBot: runs one flow version over one real call. It is the audio DialogChannel:
 *
 * - say: each prompt is a SpeechHandle (bot/speech-handle.ts) playing its frames (prompt cache / a
 *   speech worker's TTS) through the call. Customer speech confirmed by the VAD pauses a prompt
 *   that allows barge-in at once (the host's buffer is flushed); InterruptionDetector
 *   (bot/interruption.ts) then decides: enough speech or a recognized answer is a barge-in (the
 *   prompt stops for good, the transcript line records where), a cough, a click or a backchannel
 *   is a false interruption (the prompt resumes from the cut). `bargeIn: false` prompts are never
 *   paused;
 * - listen: the next customer utterance (the endpointer decides where it starts and the bot where
 *   it ends: bot/turn-detector.ts ends the turn early after a confident speculative recognition
 *   and waits longer after an incomplete one; speech that began during the question counts),
 *   recognized on a speech worker by the ask node's phrase model, or a key press, or `no_input`
 *   after the node's timeout;
 * - transfer / callback / hangup: stored on the call (phase, events, disposition) and acted on.
 *
 * Every bot prompt and customer utterance becomes a transcript line (store + `onUtterance`) with
 * times in ms from the answer. The bot never leaves a call hanging: when the dialog ends (or
 * fails) the call is hung up, unless an agent (or a barging supervisor) took it.
 */
import type { CallUtterance } from '../api/calls.js';
import type { CompiledFlow } from '../dialog/index.js';
import {
  type DialogChannel,
  type DialogContact,
  type DialogEvent,
  type DialogOutcome,
  DialogRuntime,
  type ListenResult,
  openingPrompts,
  type PromptPart,
} from '../dialog/index.js';
import type { Logger } from '../log.js';
import { maskText } from '../privacy/index.js';
import {
  BOT_PAUSE_MS,
  type EndpointerOptions,
  type LibraryRecognition,
  LIVE_VAD_MAX_LAG_MS,
  type RecognitionResult,
  type SpeechCall,
  type SpeechWorkerPool,
} from '../speech/index.js';
// The seeded dispositions: their labels are the app's, never a flow's.
import { SYSTEM_DISPOSITIONS } from '../store/migrations/001-initial.js';
import type { Store } from '../store/types.js';
import type { CallSession } from '../telephony/index.js';
import {
  ANSWER_NEAR_END_MS,
  InterruptionDetector,
  type InterruptionVerdict,
} from './interruption.js';
import { speechBehind } from './listener.js';
import type { AskModel, HesitationSpotter } from './phrase-models.js';
import {
  type BotVoice,
  type CallPrompts,
  defaultVoice,
  type PromptRenderer,
  type RenderedPrompt,
} from './prompts.js';
import { SpeechHandle } from './speech-handle.js';
import {
  END_INCOMPLETE_MS,
  endOfTurnSilenceMs,
  judgeTurn,
  type TurnJudgement,
} from './turn-detector.js';

/** Customer audio kept for recognition (older audio is dropped). */
const KEEP_AUDIO_MS = 30_000;
/** Audio taken before the VAD's speech start and after its end, so word edges are not clipped. */
const PRE_ROLL_MS = 200;
const POST_ROLL_MS = 100;
const FRAME_MS = 20;

/** What the bot says when a transfer finds no agent and there is no routing to give a fallback. */
const NO_AGENT_PROMPT = {
  en: 'Sorry, no one is available to take your call right now. We will call you back soon. Goodbye.',
  'zh-CN': '抱歉，目前没有可以接听的客服，我们会尽快再与您联系。再见。',
} as const;

/** The queue's fallback when nobody took the transfer in time (routing decides which). */
const FALLBACK_PROMPTS = {
  callback_offer: {
    en: 'Sorry, all our agents are busy right now. We will call you back within the hour. Goodbye.',
    'zh-CN': '抱歉，现在客服都在忙。我们会在一小时内给您回电。再见。',
  },
  voicemail: {
    en: 'Sorry, all our agents are busy right now. Please leave a message after the tone.',
    'zh-CN': '抱歉，现在客服都在忙。请在提示音后留言。',
  },
  voicemailThanks: {
    en: 'Thank you, we got your message. Goodbye.',
    'zh-CN': '谢谢，您的留言已收到。再见。',
  },
} as const;
/** Said (again and again) while the transfer waits for an agent; cut at once when one takes the call. */
const HOLD_PROMPT = {
  en: 'Please hold, an agent will be with you in a moment.',
  'zh-CN': '请稍候，正在为您转接人工客服。',
} as const;
/** Silence between hold announcements. */
const HOLD_GAP_MS = 1500;
/** How long the customer may speak after the voicemail tone. */
const VOICEMAIL_MS = 20_000;

/** What routing needs to know about a transfer: the contact and what was said so far. */
export interface BotTransferContext {
  fields: Readonly<Record<string, unknown>>;
  /** The customer's last recognized intent. */
  lastIntent: string | null;
  transcript: Array<{
    speaker: CallUtterance['speaker'];
    text: string;
    intent: string | null;
    startMs: number;
  }>;
}

/** true: an agent took the call. Otherwise the queue's fallback for the bot to carry out (null: none). */
export type BotTransferResult =
  | boolean
  | { taken: false; fallback: 'callback_offer' | 'voicemail' | null; callbackAt: number | null };

export interface CallBotDeps {
  pool: SpeechWorkerPool;
  prompts: PromptRenderer;
  store: Store;
  log: Logger;
  onUtterance(utterance: CallUtterance): void;
  /**
   * Offers the call to an agent queue; resolves true when an agent took it (the bot then leaves
   * the call alone). Without routing, nobody takes it and the bot says so and hangs up.
   */
  transfer?(
    session: CallSession,
    queue: string,
    reason: string,
    context: BotTransferContext,
  ): Promise<BotTransferResult>;
  /** How long a voicemail fallback records the customer (default 20 s). */
  voicemailMs?: number;
  now?: () => Date;
}

export interface CallBotOptions {
  flow: CompiledFlow;
  /** The stored flow version the call runs (null: a flow file run from the CLI). */
  flowRef: { flowId: number; version: number } | null;
  /** Phrase models by ask node id. */
  models: Map<string, AskModel>;
  /**
   * The backchannel spotter: the common-answer library's model hearing only its affirm ("uh-huh",
   * "ok", "嗯", "对", "好的"), for speech that pauses a prompt with no question model of its own (a
   * say node), where nothing else can tell a backchannel from a barge-in but its length.
   */
  backchannels?: LibraryRecognition;
  /**
   * The hesitation spotter (bot/hesitations.ts): at each pause it hears the words since the last
   * one, and a filler or an opener ("uh", "I think", "那个") holds the end of turn (turn-detector.ts).
   */
  hesitations?: HesitationSpotter;
  contact: DialogContact;
  voice?: BotVoice;
  endpointer?: Partial<EndpointerOptions>;
}

export interface BotOutcome extends DialogOutcome {
  /** The disposition stored on the call (a transfer nobody took becomes `abandoned`). */
  storedDisposition: string | null;
  agentTook: boolean;
}

/** What an utterance is recognized as: an answer to the node's question, or a yes/no to "Just to check: …?". */
type Expecting = 'answer' | 'confirmation';

interface Utterance {
  startMs: number;
  endMs: number;
  recognition: Promise<RecognitionResult | null>;
  /** What it was recognized as (a listen expecting the other recognizes it again). */
  expecting: Expecting;
}

/** The customer's utterance in progress, from its speech_start: the prompt it paused, and its end once known. */
interface Turn {
  detector: InterruptionDetector;
  /** The prompt this speech paused (null: none was playing, or it may not be interrupted). */
  paused: { handle: SpeechHandle; nodeId: string | null; question: boolean } | null;
  /** Set at speech_end: pushed to the listener's queue unless the verdict was a false interruption. */
  utterance: Utterance | null;
}

/** A recognition started at a speech_pause, ready if the silence turns out to end the turn. */
interface Speculative {
  startMs: number;
  endMs: number;
  nodeId: string | null;
  expecting: Expecting;
  result: Promise<RecognitionResult | null>;
  /** The result once back (null: no model or it failed); undefined until then. */
  settled: RecognitionResult | null | undefined;
  /** The hesitation spotter's result on the last stretch once back (null: none or it failed). */
  hesitation: RecognitionResult | null | undefined;
}

export class CallBot {
  readonly runtime: DialogRuntime;
  private readonly voice: BotVoice;
  private readonly dialogListeners = new Set<(event: DialogEvent) => void>();
  private speech: SpeechCall | null = null;
  /** Customer audio since the answer, 20 ms frames; `droppedFrames` were discarded from the front. */
  private readonly frames: Int16Array[] = [];
  private droppedFrames = 0;
  /** Wall-clock time of the first frame given to the VAD (its stream time 0). */
  private streamStartWall: number | null = null;
  private speechActive = false;
  /** The prompt being said (playing, or paused by customer speech). */
  private prompt: { handle: SpeechHandle; nodeId: string | null; question: boolean } | null = null;
  private turn: Turn | null = null;
  /**
   * How the customer's current silence was last judged (noted with its speech_end): the early end
   * of the turn, or, when the endpointer's hangover ended it, what held the turn that long.
   */
  private judged: { judgement: TurnJudgement; silenceMs: number; silenceStartMs: number } | null =
    null;
  /** A pause of the utterance in progress was judged confident and the customer went on (turn-detector answeredBefore). */
  private answeredBefore = false;
  private readonly pending: Utterance[] = [];
  /** What the listen in progress (or the last one) expects: the recognizer follows it. */
  private expecting: Expecting = 'answer';
  private readonly keys: string[] = [];
  private wake: (() => void) | null = null;
  private readonly disposers: Array<() => void> = [];
  private transferRequest: { queue: string; reason: string } | null = null;
  private speculative: Speculative | null = null;
  /** Where the words since the customer's last pause began (stream ms), and whether a pause is open. */
  private stretchStartMs = 0;
  private pauseOpen = false;
  /** Wall-clock end of the customer's last utterance (for the turn latency noted with each prompt). */
  private lastSpeechEndWall: number | null = null;
  /** When the endpointer decided that utterance was over. */
  private lastDecisionAt: number | null = null;
  private callbackAt: Date | null = null;
  /** The transcript so far and the last intent, for the agent's context card. */
  private readonly transcript: BotTransferContext['transcript'] = [];
  private lastIntent: string | null = null;
  /** No prompt went out yet: the next one is the greeting (its delay from the answer is noted). */
  private greeting = true;
  /** This call's prompts (its personal ones live and die with it). */
  private readonly prompts: CallPrompts;
  /** The sensitive node listening now (dialog/nodes/collect.ts): what the customer says is masked. */
  private sensitiveNode: string | null = null;
  /** The customer's speech in progress began (or went on) in a sensitive span: its line is masked. */
  private sensitiveTurn = false;

  constructor(
    readonly session: CallSession,
    private readonly deps: CallBotDeps,
    private readonly options: CallBotOptions,
  ) {
    this.voice = options.voice ?? defaultVoice(options.flow.flow.language);
    this.prompts = deps.prompts.forCall(session.callId);
    const channel: DialogChannel = {
      say: (text, o) => this.say(text, o.bargeIn, o.signal, o.personal ?? false, o.parts),
      listen: (o) => {
        if (o.expect === 'digits') return this.listen(o.timeoutMs, o.signal, true);
        this.expecting = o.expect === 'confirmation' ? 'confirmation' : 'answer';
        return this.listen(o.timeoutMs, o.signal);
      },
      sensitive: (active, nodeId) => {
        this.sensitiveNode = active ? nodeId : null;
        if (active) this.sensitiveTurn = true;
        this.session.setSensitive(active, nodeId);
      },
      transfer: async (queue, reason) => {
        this.transferRequest = { queue, reason };
      },
      scheduleCallback: async (at) => {
        this.callbackAt = at;
        this.session.note('callback_requested', { at: at.toISOString() });
        // Stored on the call: the dialer schedules the contact's callback from it when the call ends.
        await this.deps.store.calls
          .update(this.session.callId, { callbackAt: at.getTime() })
          .catch((error: unknown) =>
            this.deps.log.error('Storing the callback time failed', {
              callId: this.session.callId,
              error: error instanceof Error ? error.message : String(error),
            }),
          );
      },
      hangup: async () => undefined, // the bot hangs up once the dialog has ended (see run)
    };
    this.runtime = new DialogRuntime({
      flow: options.flow,
      channel,
      contact: options.contact,
      ...(deps.now ? { now: deps.now } : {}),
    });
    this.runtime.on((event) => {
      this.noteDialogEvent(event);
      for (const listener of this.dialogListeners) listener(event);
    });
  }

  /** The dialog's events (answers with intents and confidences, no-input, no-match, the end). */
  on(listener: (event: DialogEvent) => void): () => void {
    this.dialogListeners.add(listener);
    return () => this.dialogListeners.delete(listener);
  }

  /** Waits for the answer, runs the dialog to its end and ends the call; resolves null if the call was never answered. */
  async run(): Promise<BotOutcome | null> {
    // While the phone rings: the call's speech worker loads its TTS engine and embedder.
    this.speech = this.deps.pool.open(this.session.callId, {
      sampleRate: 16_000,
      // The endpointer's hangover is the long end of turn (the hard maximum); the bot ends turns
      // sooner itself when the speculative recognition allows (bot/turn-detector.ts).
      endpointer: {
        pauseMs: BOT_PAUSE_MS,
        hangoverMs: END_INCOMPLETE_MS,
        ...this.options.endpointer,
      },
      // On a machine loaded past its cores the VAD skips what it cannot keep up with, and the
      // call says so (speech_behind), rather than hearing the customer ever later.
      maxLagMs: LIVE_VAD_MAX_LAG_MS,
    });
    void this.deps.pool.warm(this.session.callId).catch(() => undefined);
    // The greeting too: a personal one ("Hello {name}") is synthesized for this call only, and
    // would otherwise start seconds after the answer on a busy machine.
    for (const prompt of openingPrompts(this.options.flow, this.options.contact))
      for (const part of prompt.parts ?? [prompt])
        this.prompts.prefetch(part.text, this.voice, part.personal);
    const answered = (await this.session.whenAnswered()) && this.session.isUp;
    if (!answered) {
      await this.close();
      return null;
    }
    this.session.enterPhase('bot', {
      flow: this.options.flow.flow.id,
      version: this.options.flowRef?.version ?? null,
    });
    if (this.options.flowRef)
      void this.session.setFlow(this.options.flowRef.flowId, this.options.flowRef.version);
    this.attachAudio();
    // A supervisor's barge takes the call from the bot, as an agent's accept does: the dialog stops
    // where it is and the bot leaves the call up.
    this.disposers.push(
      this.session.onSupervisorTakeover(() => {
        this.session.stopPlayback();
        this.runtime.cancel();
      }),
    );
    const ended = this.session.whenEnded().then(() => this.runtime.cancel());
    void ended;
    let outcome: DialogOutcome;
    try {
      outcome = await this.runtime.run();
    } finally {
      this.wake?.();
    }
    let disposition: string | null = outcome.disposition;
    let agentTook = false;
    if (this.session.isUp) {
      if (outcome.reason === 'transfer' && this.transferRequest) {
        const { queue, reason } = this.transferRequest;
        this.session.enterPhase('transferring', { queue, reason });
        const context: BotTransferContext = {
          fields: this.options.contact.fields,
          lastIntent: this.lastIntent,
          transcript: [...this.transcript],
        };
        const holding = this.deps.transfer ? this.holdWhileWaiting() : null;
        const result: BotTransferResult = this.deps.transfer
          ? await this.deps
              .transfer(this.session, queue, reason, context)
              .catch((error: unknown) => {
                this.deps.log.error('The transfer failed', {
                  callId: this.session.callId,
                  error: error instanceof Error ? error.message : String(error),
                });
                return false;
              })
          : false;
        if (holding) {
          holding.stop();
          await holding.done;
        }
        agentTook = result === true || this.session.takenOverBySupervisor;
        if (!agentTook && this.session.isUp) {
          if (typeof result === 'object' && result.fallback !== null) {
            disposition = await this.fallback(result.fallback, result.callbackAt);
          } else {
            this.session.note('transfer_unanswered', { queue, reason: 'no agent available' });
            disposition = 'abandoned';
            await this.say(NO_AGENT_PROMPT[this.options.flow.flow.language], false);
          }
        }
      } else if (outcome.reason === 'error' || outcome.reason === 'cancelled') {
        disposition = outcome.reason === 'error' ? 'failed' : null;
      }
    } else if (outcome.reason === 'cancelled') {
      disposition = null; // the customer hung up mid-dialog: the call's outcome says it all
    }
    if (this.session.takenOverBySupervisor || this.released) agentTook = true;
    if (disposition !== null) await this.storeDisposition(disposition, outcome);
    if (!agentTook && this.session.isUp) {
      await new Promise((r) => setTimeout(r, 300)); // let the last words leave the jitter buffers
      await this.session.hangup(
        `bot: ${outcome.reason === 'error' ? `dialog error: ${outcome.error ?? ''}` : `flow ended (${disposition ?? outcome.reason})`}`,
        'bot',
      );
    }
    await this.close();
    return { ...outcome, storedDisposition: disposition, agentTook };
  }

  /** The hold announcement, repeated while the call waits for an agent (the takeover cuts it mid-word). */
  private holdWhileWaiting(): { stop(): void; done: Promise<void> } {
    let stopped = false;
    let wake: (() => void) | null = null;
    const text = HOLD_PROMPT[this.options.flow.flow.language];
    const done = (async () => {
      while (!stopped && this.session.isUp && this.session.state === 'transferring') {
        await this.say(text, false);
        if (stopped) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, HOLD_GAP_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
    return {
      stop: () => {
        stopped = true;
        (wake as (() => void) | null)?.();
        if (this.session.state !== 'agent') this.session.stopPlayback();
      },
      done,
    };
  }

  /** Nobody took the transfer: back to the bot, which carries out the queue's fallback. Returns the disposition. */
  private async fallback(
    kind: 'callback_offer' | 'voicemail',
    callbackAt: number | null,
  ): Promise<string> {
    const language = this.options.flow.flow.language;
    this.session.enterPhase('bot', { fallback: kind });
    if (kind === 'callback_offer') {
      if (callbackAt !== null) this.callbackAt = new Date(callbackAt);
      await this.say(FALLBACK_PROMPTS.callback_offer[language], false);
      return 'callback_scheduled';
    }
    await this.say(FALLBACK_PROMPTS.voicemail[language], false);
    await this.session.play(toneFrames(1000, 400));
    const startMs = this.nowCallMs();
    this.session.note('voicemail_started', { atMs: startMs });
    const lengthMs = this.deps.voicemailMs ?? VOICEMAIL_MS;
    await Promise.race([new Promise((r) => setTimeout(r, lengthMs)), this.session.whenEnded()]);
    this.session.note('voicemail_ended', { startMs, endMs: this.nowCallMs() });
    if (this.session.isUp) await this.say(FALLBACK_PROMPTS.voicemailThanks[language], false);
    return 'voicemail';
  }

  private released = false;

  /**
   * Stops the dialog where it is and leaves the call up without hanging it up: something else has
   * the call now (answering-machine detection leaving a message on a machine).
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.session.stopPlayback();
    this.runtime.cancel();
  }

  async close(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.prompts.close();
    const speech = this.speech;
    this.speech = null;
    await speech?.close().catch(() => undefined);
  }

  private attachAudio(): void {
    const speech = this.speech;
    if (!speech) return;
    const keepFrames = KEEP_AUDIO_MS / FRAME_MS;
    this.disposers.push(
      this.session.onAudio((frame) => {
        if (!this.session.isUp) return;
        this.streamStartWall ??= frame.timestampMs;
        this.frames.push(frame.left.slice());
        // Dropped in 5 s chunks, not one shift() per frame on the audio path.
        if (this.frames.length > keepFrames + 250) {
          const excess = this.frames.length - keepFrames;
          this.frames.splice(0, excess);
          this.droppedFrames += excess;
        }
        speech.push(frame.left);
      }),
      // Each VAD window comes here before the endpointer sees it.
      speech.onWindow((window) => this.onVadWindow(window)),
      speech.onShed((shed) =>
        this.session.note('speech_behind', speechBehind(shed, this.callMs(shed.fromMs))),
      ),
      speech.onEvent((event) => {
        switch (event.type) {
          case 'speech_start': {
            this.speechActive = true;
            this.sensitiveTurn = this.sensitiveNode !== null;
            this.stretchStartMs = event.atMs;
            this.pauseOpen = false;
            this.answeredBefore = false;
            const wallAt = this.wallAt(event.atMs);
            this.session.note('speech_start', { atMs: this.callMs(event.atMs) }, wallAt);
            const turn: Turn = {
              detector: new InterruptionDetector(event.atMs, speech.endpointer.timeMs),
              paused: null,
              utterance: null,
            };
            this.turn = turn;
            const prompt = this.prompt;
            if (prompt?.handle.pause()) {
              // Paused at once, so a real barge-in stops the bot as fast as ever; whether it was
              // one is decided as the speech goes on (onVadWindow, the recognitions, speech_end).
              turn.paused = prompt;
              if (!prompt.question) turn.detector.pausedPromptWithoutQuestion();
              const decidedAt = Date.now();
              this.session.note(
                'prompt_paused',
                {
                  nodeId: prompt.nodeId,
                  speechAtMs: this.callMs(event.atMs),
                  decisionLagMs: decidedAt - wallAt,
                },
                decidedAt,
              );
            }
            this.wake?.();
            return;
          }
          case 'speech_pause': {
            // Recognize now; if the silence lasts until the turn ends, the result is ready then,
            // and a confident one ends the turn early (onVadWindow).
            const speculative: Speculative = {
              startMs: event.startMs,
              endMs: event.endMs,
              nodeId: this.runtime.nodeId,
              expecting: this.expecting,
              result: this.recognizeAudio(event.startMs, event.endMs, this.expecting),
              settled: undefined,
              hesitation: undefined,
            };
            this.speculative = speculative;
            this.pauseOpen = true;
            this.spotHesitation(speculative, this.stretchStartMs, event.endMs);
            const turn = this.turn;
            if (turn) this.spotBackchannel(turn, event.startMs, event.endMs);
            turn?.detector.recognitionStarted();
            void speculative.result.then((result) => {
              speculative.settled = result;
              if (turn) this.turnRecognized(turn, result);
              if (this.speculative === speculative) this.maybeEndTurn(speech.endpointer.timeMs);
            });
            return;
          }
          case 'speech_end': {
            this.speechActive = false;
            const wallEnd = this.wallAt(event.endMs);
            this.lastSpeechEndWall = wallEnd;
            this.lastDecisionAt = Date.now();
            const judged = this.judged;
            const early =
              event.reason === 'decided' ||
              (judged !== null && judged.silenceStartMs === event.endMs)
                ? judged
                : null;
            this.judged = null;
            this.session.note(
              'speech_end',
              {
                startMs: this.callMs(event.startMs),
                endMs: this.callMs(event.endMs),
                reason: event.reason,
                decisionLagMs: Date.now() - wallEnd,
                ...(early ? { endOfTurn: early.judgement, silenceMs: early.silenceMs } : {}),
              },
              wallEnd,
            );
            const utterance = this.recognize(event.startMs, event.endMs);
            const turn = this.turn;
            this.turn = null;
            if (!turn?.paused) {
              // It paused no prompt: an utterance like any other.
              this.pending.push(utterance);
              this.wake?.();
              return;
            }
            turn.utterance = utterance;
            const verdict = turn.detector.verdict;
            if (verdict === null) {
              // The prompt is still paused: this utterance's recognition has the last word.
              turn.detector.recognitionStarted();
              void utterance.recognition.then((result) => this.turnRecognized(turn, result));
              const ended = turn.detector.speechEnded();
              if (ended) this.applyVerdict(turn, ended);
              return;
            }
            if (verdict?.kind !== 'false_interruption') {
              this.pending.push(utterance);
              this.wake?.();
            }
            return;
          }
          case 'no_input':
            return; // the bot keeps its own per-question timer
        }
      }),
      speech.onError((error) => this.session.note('speech_error', { message: error.message })),
      this.session.onDtmf((tone) => {
        this.keys.push(tone);
        this.wake?.();
      }),
    );
  }

  /**
   * One VAD window, before the endpointer sees it: counts the customer's speech for the prompt it
   * paused, and ends the turn when the silence has lasted what the speculative result allows.
   */
  private onVadWindow(window: { probability: number; startMs: number; endMs: number }): void {
    const speech = this.speech;
    if (!speech) return;
    const { activation, deactivation } = speech.endpointer.options;
    const before = speech.endpointer.silenceStartMs;
    // The customer's silence including this window (the endpointer's hysteresis: in between, as it was).
    const silenceStartMs =
      window.probability >= activation
        ? undefined
        : (before ?? (window.probability < deactivation ? window.startMs : undefined));
    if (this.pauseOpen && window.probability >= activation) {
      // The customer speaks again after a pause: a new stretch of words begins, after an answer
      // when the pause was judged confident.
      this.pauseOpen = false;
      this.stretchStartMs = window.startMs;
      if (this.judged?.judgement === 'confident' || this.judged?.judgement === 'spotted')
        this.answeredBefore = true;
    }
    const turn = this.turn;
    if (turn && turn.utterance === null) {
      const verdict = turn.detector.window(window, silenceStartMs);
      if (verdict) this.applyVerdict(turn, verdict);
    }
    if (silenceStartMs !== undefined && this.turn === turn) this.maybeEndTurn(window.endMs);
  }

  /** Ends the turn now when the customer's silence (up to stream time `nowMs`) is long enough for what was heard. */
  private maybeEndTurn(nowMs: number): void {
    const speech = this.speech;
    const silenceStartMs = speech?.endpointer.silenceStartMs;
    if (!speech || silenceStartMs === undefined) return;
    const speculative = this.speculative;
    const current = speculative !== null && speculative.endMs === silenceStartMs;
    const judgement = judgeTurn({
      result: current ? speculative.settled : undefined,
      speechMs: this.turn?.detector.speechMs ?? 0,
      language: this.options.flow.flow.language,
      hesitation: current ? speculative.hesitation : undefined,
      answeredBefore: this.answeredBefore,
    });
    const silenceMs = endOfTurnSilenceMs(judgement);
    this.judged = { judgement, silenceMs, silenceStartMs };
    // The endpointer's own hangover ends the longest ones.
    if (silenceMs >= speech.endpointer.options.hangoverMs) return;
    if (nowMs - silenceStartMs < silenceMs) return;
    speech.endUtterance();
  }

  /**
   * The hesitation spotter hears the words since the last pause [startMs, endMs] while the
   * speculative recognition runs; a hesitation holds the end of turn (maybeEndTurn). Not for a
   * node without a question model, nor for the yes/no of a confirmation ("uh" is not the question).
   */
  private spotHesitation(speculative: Speculative, startMs: number, endMs: number): void {
    const spotter = this.options.hesitations;
    const nodeId = this.runtime.nodeId;
    if (
      !spotter ||
      speculative.expecting !== 'answer' ||
      nodeId === null ||
      !this.options.models.has(nodeId)
    ) {
      speculative.hesitation = null;
      return;
    }
    void this.deps.pool
      .recognize(
        this.session.callId,
        spotter.key,
        spotter.model,
        this.samplesBetween(startMs, endMs),
        this.callMs(startMs),
      )
      .catch((error: unknown) => {
        this.deps.log.error('Spotting a hesitation failed', {
          callId: this.session.callId,
          error: error instanceof Error ? error.message : String(error),
        });
        return null;
      })
      .then((result) => {
        speculative.hesitation = result;
        if (this.speculative === speculative && this.speech)
          this.maybeEndTurn(this.speech.endpointer.timeMs);
      });
  }

  /** The customer's audio of [startMs, endMs] (stream ms) with the recognizers' pre- and post-roll. */
  private samplesBetween(startMs: number, endMs: number): Int16Array {
    const from = Math.max(0, Math.floor((startMs - PRE_ROLL_MS) / FRAME_MS) - this.droppedFrames);
    const to = Math.max(from, Math.ceil((endMs + POST_ROLL_MS) / FRAME_MS) - this.droppedFrames);
    const slice = this.frames.slice(from, to);
    const samples = new Int16Array(slice.length * 320);
    slice.forEach((frame, i) => samples.set(frame, i * 320));
    return samples;
  }

  /**
   * Speech paused a prompt that has no question model (a say node): the backchannel spotter hears
   * the words so far, so a longer "好的" or "mm-hmm" resumes the prompt instead of ending it.
   */
  private spotBackchannel(turn: Turn, startMs: number, endMs: number): void {
    const spotter = this.options.backchannels;
    const paused = turn.paused;
    if (!spotter || !paused || paused.question || turn.detector.verdict !== null) return;
    const from = Math.max(0, Math.floor((startMs - PRE_ROLL_MS) / FRAME_MS) - this.droppedFrames);
    const to = Math.max(from, Math.ceil((endMs + POST_ROLL_MS) / FRAME_MS) - this.droppedFrames);
    const slice = this.frames.slice(from, to);
    const samples = new Int16Array(slice.length * 320);
    slice.forEach((frame, i) => samples.set(frame, i * 320));
    turn.detector.recognitionStarted();
    void this.deps.pool
      .recognize(this.session.callId, spotter.key, null, samples, this.callMs(startMs), spotter)
      .catch((error: unknown) => {
        this.deps.log.error('Spotting a backchannel failed', {
          callId: this.session.callId,
          error: error instanceof Error ? error.message : String(error),
        });
        return null;
      })
      .then((result) => {
        const verdict = turn.detector.recognized(result, {
          nearEnd: false,
          affirmIntents: new Set(Object.values(spotter.uses)),
          spotter: true,
        });
        if (verdict) this.applyVerdict(turn, verdict);
      });
  }

  /** A recognition of the customer's utterance in progress came back: it may decide the paused prompt's fate. */
  private turnRecognized(turn: Turn, result: RecognitionResult | null): void {
    const paused = turn.paused;
    const nearEnd =
      paused !== null && paused.question && paused.handle.remainingMs <= ANSWER_NEAR_END_MS;
    const verdict = turn.detector.recognized(result, {
      nearEnd,
      affirmIntents: this.affirmIntents(paused?.nodeId ?? null),
    });
    if (verdict && paused) this.applyVerdict(turn, verdict);
  }

  /** The intents of an ask node that mean "yes" (they use the library's affirm), and a confirmation's own. */
  private affirmIntents(nodeId: string | null): ReadonlySet<string> {
    const intents = new Set<string>(this.expecting === 'confirmation' ? ['affirm'] : []);
    const node = nodeId === null ? undefined : this.options.flow.flow.nodes[nodeId];
    if (node?.kind === 'ask')
      for (const intent of node.intents)
        if ((intent as { use?: string }).use === 'affirm') intents.add(intent.name);
    return intents;
  }

  /** Acts on the detector's verdict about the speech that paused a prompt. */
  private applyVerdict(turn: Turn, verdict: InterruptionVerdict): void {
    const paused = turn.paused;
    if (!paused) return; // nothing was paused: the speech is just an utterance
    if (verdict.kind === 'barge_in') {
      paused.handle.interrupt();
      this.session.note('barge_in', {
        nodeId: paused.nodeId,
        speechAtMs: this.callMs(turn.detector.startMs),
        reason: verdict.reason,
        speechMs: Math.round(verdict.speechMs),
        ...(verdict.intent !== undefined ? { intent: verdict.intent } : {}),
      });
      if (turn.utterance) {
        this.pending.push(turn.utterance);
        this.wake?.();
      }
      return;
    }
    this.session.note('false_interruption', {
      nodeId: paused.nodeId,
      cause: verdict.cause,
      speechMs: Math.round(verdict.speechMs),
      ...(verdict.text !== undefined ? { text: verdict.text } : {}),
    });
    // A new utterance starts with the customer's next words (and pauses the prompt again).
    if (turn.utterance === null) this.speech?.endUtterance();
    paused.handle.resume();
  }

  /**
   * Recognizes [startMs, endMs] (VAD stream time) with the current question's model; null without
   * one. A confirmation ("Just to check: …, is that right?") is heard with the common-answer
   * library's affirm/deny model, whose intents are then named 'affirm' and 'deny'; a question
   * whose intents use no common answer has no library model here, and its own model hears it.
   */
  private recognizeAudio(
    startMs: number,
    endMs: number,
    expecting: Expecting,
  ): Promise<RecognitionResult | null> {
    const from = Math.max(0, Math.floor((startMs - PRE_ROLL_MS) / FRAME_MS) - this.droppedFrames);
    const to = Math.max(from, Math.ceil((endMs + POST_ROLL_MS) / FRAME_MS) - this.droppedFrames);
    const slice = this.frames.slice(from, to);
    const samples = new Int16Array(slice.length * 320);
    slice.forEach((frame, i) => samples.set(frame, i * 320));
    const nodeId = this.runtime.nodeId;
    const model = nodeId === null ? undefined : this.options.models.get(nodeId);
    if (!model) return Promise.resolve(null);
    const confirmation = expecting === 'confirmation' && model.library !== undefined;
    return this.deps.pool
      .recognize(
        this.session.callId,
        model.key,
        confirmation ? null : model.model,
        samples,
        this.callMs(startMs),
        confirmation && model.library
          ? { ...model.library, uses: { affirm: 'affirm', deny: 'deny' } }
          : model.library,
      )
      .catch((error: unknown) => {
        this.deps.log.error('Recognizing an utterance failed', {
          callId: this.session.callId,
          error: error instanceof Error ? error.message : String(error),
        });
        return null;
      });
  }

  /** The utterance [startMs, endMs] is over: its recognition (the speculative one when it covered the same audio) and its transcript line. */
  private recognize(startMs: number, endMs: number): Utterance {
    const nodeId = this.runtime.nodeId;
    const speculative = this.speculative;
    this.speculative = null;
    const expecting = this.expecting;
    const reuse =
      speculative !== null &&
      speculative.startMs === startMs &&
      speculative.endMs === endMs &&
      speculative.nodeId === nodeId &&
      speculative.expecting === expecting;
    const recognition = reuse ? speculative.result : this.recognizeAudio(startMs, endMs, expecting);
    const callStart = this.callMs(startMs);
    const callEnd = this.callMs(endMs);
    // Said in a sensitive span (a card or ID number being keyed): the line carries only masked text.
    const sensitive = this.sensitiveTurn || this.sensitiveNode !== null;
    this.sensitiveTurn = this.sensitiveNode !== null;
    const shown = (text: string): string => (sensitive ? maskText(text) : text);
    void recognition
      .then((result) =>
        this.addUtterance({
          speaker: 'customer',
          text: result && !result.noMatch ? shown(result.phrase ?? result.text ?? '') : '',
          intent: result && !result.noMatch ? (result.intent ?? null) : null,
          confidence: result ? round3(result.confidence) : null,
          startMs: callStart,
          endMs: callEnd,
          cutAtMs: null,
          nodeId,
        }),
      )
      .catch((error: unknown) =>
        this.deps.log.error('Adding a customer utterance failed', {
          callId: this.session.callId,
          error: error instanceof Error ? error.stack : String(error),
        }),
      );
    return { startMs, endMs, recognition, expecting };
  }

  /** The call is gone (the customer hung up, the line died): the dialog stops where it is. */
  private callGone(): boolean {
    if (this.session.isUp) return false;
    this.runtime.cancel();
    return true;
  }

  /**
   * `personal`: filled in from the contact's fields, so never cached on disk (CallPrompts).
   * `parts`: such a prompt in sentences; all are rendered at once and each is queued to play as
   * soon as it is ready, so the first sentence starts while the rest are still being synthesized
   * (queued back to back, they play without a gap once rendered in time).
   */
  private async say(
    text: string,
    bargeIn: boolean,
    signal?: AbortSignal,
    personal = false,
    parts?: PromptPart[],
  ): Promise<{ completed: boolean }> {
    if (this.callGone()) return { completed: false };
    // Anything said or pressed before this prompt answered an earlier one.
    this.pending.length = 0;
    this.keys.length = 0;
    const nodeId = this.runtime.nodeId;
    const renderStarted = Date.now();
    const pieces = parts && parts.length > 0 ? parts : [{ text, personal }];
    const renderings = pieces.map((part) =>
      this.prompts.render(part.text, this.voice, part.personal),
    );
    // A later part's failure is met when the loop below reaches it, never as an unhandled rejection.
    for (const rendering of renderings) rendering.catch(() => undefined);
    const rendered = await (renderings[0] as Promise<RenderedPrompt>);
    const sentAt = Date.now();
    this.session.note(
      'bot_prompt',
      {
        nodeId,
        source: rendered.source,
        renderMs: sentAt - renderStarted,
        ...(rendered.prefetched ? { prefetched: true } : {}),
        ...(this.greeting && this.session.answeredAt !== null
          ? { sinceAnswerMs: sentAt - this.session.answeredAt }
          : {}),
        durationMs: Math.round(rendered.durationMs),
        ...(pieces.length > 1 ? { parts: pieces.length } : {}),
        ...(this.lastSpeechEndWall !== null
          ? { sinceSpeechEndMs: sentAt - this.lastSpeechEndWall }
          : {}),
        ...(this.lastDecisionAt !== null ? { sinceDecisionMs: sentAt - this.lastDecisionAt } : {}),
      },
      sentAt,
    );
    // Stored on the prompt's transcript line too, where the wallboard's indexed queries read it.
    const replyLatencyMs =
      this.lastSpeechEndWall !== null ? Math.max(0, sentAt - this.lastSpeechEndWall) : null;
    this.lastSpeechEndWall = null;
    this.lastDecisionAt = null;
    this.greeting = false;
    if (signal?.aborted || this.callGone()) return { completed: false };
    const turn = this.turn;
    if (bargeIn && turn?.detector.verdict?.kind === 'barge_in') {
      // The customer is already talking, and it is an answer: don't start talking over them.
      this.session.note('barge_in', { beforePrompt: true });
      return { completed: false };
    }
    const startMs = this.nowCallMs();
    const handle = new SpeechHandle(
      this.session,
      renderings.map((rendering, i) =>
        i === 0 ? Promise.resolve(rendered.frames) : rendering.then((r) => r.frames),
      ),
      {
        allowInterruptions: bargeIn,
        onResume: (cutAtMs, resumeAtMs) =>
          this.session.note('prompt_resumed', { nodeId, cutAtMs, resumeAtMs }),
      },
    );
    const prompt = {
      handle,
      nodeId,
      question: nodeId !== null && this.options.models.has(nodeId),
    };
    this.prompt = prompt;
    if (
      bargeIn &&
      turn &&
      turn.utterance === null &&
      turn.paused === null &&
      turn.detector.verdict === null &&
      handle.pause()
    ) {
      // The customer is talking already (maybe a cough): the prompt waits for the verdict.
      turn.paused = prompt;
      if (!prompt.question) turn.detector.pausedPromptWithoutQuestion();
    }
    const onAbort = (): void => {
      handle.interrupt({ force: true });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let result;
    try {
      result = await handle.waitForPlayout();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.prompt === prompt) this.prompt = null;
    }
    this.callGone();
    const endMs =
      result.completed || result.stoppedAt === null
        ? this.nowCallMs()
        : Math.max(startMs, this.callMsAtWall(result.stoppedAt));
    this.addUtterance(
      {
        speaker: 'bot',
        text,
        intent: null,
        confidence: null,
        startMs,
        endMs,
        cutAtMs: result.completed ? null : endMs,
        nodeId,
      },
      replyLatencyMs,
    );
    if (result.error !== undefined) throw result.error;
    return { completed: result.completed };
  }

  /**
   * `digitsOnly` (a collect node): only keys answer, each as it comes; speech (a phrase spotter
   * cannot read digits) neither answers nor holds the timeout.
   */
  private async listen(
    timeoutMs: number,
    signal?: AbortSignal,
    digitsOnly = false,
  ): Promise<ListenResult> {
    const deadline = () => Date.now() + timeoutMs;
    let noInputAt = this.speechActive && !digitsOnly ? Infinity : deadline();
    for (;;) {
      if (signal?.aborted || this.callGone()) return { kind: 'no_input' };
      const key = this.keys.shift();
      if (key !== undefined) return { kind: 'dtmf', digits: key };
      if (digitsOnly) this.pending.length = 0;
      const utterance = this.pending.shift();
      if (utterance) {
        const waitStarted = Date.now();
        // Said over the confirmation question (heard as an answer then): heard again as a yes/no.
        const result = await (utterance.expecting === this.expecting
          ? utterance.recognition
          : this.recognizeAudio(utterance.startMs, utterance.endMs, this.expecting));
        this.session.note('recognition_wait', {
          waitedMs: Date.now() - waitStarted,
          sinceDecisionMs: this.lastDecisionAt === null ? null : Date.now() - this.lastDecisionAt,
        });
        if (!result) return { kind: 'no_match', confidence: 0 };
        if (result.noMatch || !result.intent) {
          const best = result.alternatives.find((a) => a.intent !== undefined);
          return {
            kind: 'no_match',
            confidence: result.confidence,
            ...(best?.intent ? { best: { intent: best.intent, confidence: best.confidence } } : {}),
          };
        }
        return {
          kind: 'text',
          text: result.phrase ?? result.text ?? '',
          confidence: result.confidence,
          intent: result.intent,
          ...(result.uncertain === true ? { uncertain: true } : {}),
        };
      }
      // Keys only (digitsOnly): the customer's speech does not hold the timer.
      if (this.speechActive && !digitsOnly) noInputAt = Infinity;
      else if (noInputAt === Infinity) noInputAt = deadline(); // speech ended without an utterance (too short)
      const waitMs = noInputAt - Date.now();
      if (waitMs <= 0) return { kind: 'no_input' };
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(waitMs) ? setTimeout(done, waitMs) : null;
        // A hang-up cancels the run, which aborts `signal`.
        const onAbort = (): void => done();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.wake = done;
        function done(): void {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
      });
      this.wake = null;
    }
  }

  private noteDialogEvent(event: DialogEvent): void {
    switch (event.type) {
      case 'answer':
        this.lastIntent = event.intent;
        this.session.note('intent', {
          nodeId: event.nodeId,
          intent: event.intent,
          confidence: round3(event.confidence),
          matchedBy: event.matchedBy,
          ...(event.text !== undefined ? { text: event.text } : {}),
          ...(event.digits !== undefined ? { digits: event.digits } : {}),
        });
        return;
      case 'no_input':
      case 'no_match':
        this.session.note(event.type, {
          nodeId: event.nodeId,
          attempt: event.attempt,
          exhausted: event.exhausted,
        });
        return;
      case 'transfer':
        this.session.note('transfer_requested', {
          nodeId: event.nodeId,
          queue: event.queue,
          reason: event.reason,
        });
        return;
      case 'callback_unavailable':
        this.session.note('callback_unavailable', { nodeId: event.nodeId, reason: event.reason });
        return;
      case 'digits':
        // Only the masked form: a sensitive node's raw digits never leave its variable.
        this.session.note('digits_collected', {
          nodeId: event.nodeId,
          result: event.result,
          masked: event.masked,
          count: event.count,
          endedBy: event.endedBy,
          attempt: event.attempt,
        });
        return;
      case 'ended':
        this.session.note('dialog_ended', {
          reason: event.reason,
          disposition: event.disposition,
          ...(event.error ? { error: event.error } : {}),
        });
        return;
      default:
        return;
    }
  }

  private async storeDisposition(code: string, outcome: DialogOutcome): Promise<void> {
    try {
      const known = (await this.deps.store.dispositions.list()).find((d) => d.code === code);
      const labels = flowDispositionLabels(this.options.flow.flow, code);
      if (!known) {
        // A flow's own disposition code: registered on first use (a callback keeps the contact callable).
        await this.deps.store.dispositions.upsert({
          code,
          labelEn: labels?.en ?? code,
          labelZh: labels?.zh ?? code,
          kind: 'system',
          final: outcome.callbackAt === undefined && this.callbackAt === null,
        });
      } else if (
        labels &&
        known.kind === 'system' &&
        !SYSTEM_DISPOSITIONS.some((d) => d.code === code) &&
        (known.labelEn !== labels.en || known.labelZh !== labels.zh)
      ) {
        // The flow (a newer version) names its own code: the label follows it.
        await this.deps.store.dispositions.upsert({
          ...known,
          labelEn: labels.en,
          labelZh: labels.zh,
        });
      }
      await this.session.setDisposition(code);
    } catch (error) {
      this.deps.log.error('Storing the call disposition failed', {
        callId: this.session.callId,
        code,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** `replyLatencyMs`: on a bot line that answered the customer, the turn latency (bot_prompt's sinceSpeechEndMs). */
  private addUtterance(
    line: Omit<CallUtterance, 'callId' | 'at'>,
    replyLatencyMs: number | null = null,
  ): void {
    const utterance: CallUtterance = { callId: this.session.callId, at: Date.now(), ...line };
    if (line.text !== '' || line.speaker === 'customer')
      this.transcript.push({
        speaker: line.speaker,
        text: line.text,
        intent: line.intent,
        startMs: line.startMs,
      });
    void this.deps.store.calls
      .addUtterance(this.session.callId, {
        speaker: line.speaker,
        text: line.text,
        intent: line.intent,
        confidence: line.confidence,
        startMs: line.startMs,
        endMs: line.endMs,
        cutAtMs: line.cutAtMs,
        nodeId: line.nodeId,
        replyLatencyMs,
      })
      .catch((error: unknown) =>
        this.deps.log.error('Storing an utterance failed', {
          callId: this.session.callId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    this.deps.onUtterance(utterance);
  }

  /** Wall-clock time of a VAD stream time. */
  private wallAt(streamMs: number): number {
    return (this.streamStartWall ?? Date.now()) + streamMs;
  }

  /** ms from the answer of a VAD stream time. */
  private callMs(streamMs: number): number {
    return Math.max(0, Math.round(this.wallAt(streamMs) - (this.session.answeredAt ?? 0)));
  }

  /** ms from the answer of a wall-clock time. */
  private callMsAtWall(wall: number): number {
    return Math.max(0, Math.round(wall - (this.session.answeredAt ?? wall)));
  }

  private nowCallMs(): number {
    return Math.max(0, Date.now() - (this.session.answeredAt ?? Date.now()));
  }
}

/** A sine tone in 20 ms frames (the voicemail beep), at a comfortable level. */
function toneFrames(hz: number, durationMs: number): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let f = 0; f < durationMs / FRAME_MS; f++) {
    const frame = new Int16Array(320);
    for (let i = 0; i < 320; i++)
      frame[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * (f * 320 + i)) / 16_000));
    frames.push(frame);
  }
  return frames;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The flow's labels for one of its disposition codes in both languages (a one-language label stands for both), or null. */
function flowDispositionLabels(
  flow: CompiledFlow['flow'],
  code: string,
): { en: string; zh: string } | null {
  const label = flow.dispositions?.[code];
  if (label === undefined) return null;
  if (typeof label === 'string') return { en: label, zh: label };
  const en = label.en ?? label['zh-CN'];
  const zh = label['zh-CN'] ?? label.en;
  return en === undefined || zh === undefined ? null : { en, zh };
}
