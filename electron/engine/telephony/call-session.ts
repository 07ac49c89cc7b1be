/**
 * One outbound call from the engine's side: dials through the media host, tracks every milestone
 * (stored as call events with timestamps), runs the ring timer JsSIP lacks, retries the same call
 * once on the backup trunk when the trunk (not the number) failed, plays the bot's audio paced by
 * the host's player, records both directions, and ends with an outcome, SIP code and reason.
 * Every way out (hang-up from either side, timers, dead line, media host crash) goes through
 * `finish`, which runs once.
 */
import type { CallOutcome, CallState } from '../api/contract.js';
import type { LineStatus } from '../api/line-status.js';
import {
  encodeMulawFrame,
  type HostEventData,
  type RtpStats,
  SAMPLES_PER_FRAME,
  seatReferTarget,
} from '../api/media-host.js';
import type { Logger } from '../log.js';
import { urgently } from '../store/index.js';
import type { JsonObject, Store } from '../store/types.js';
import type { CallEvent, CallEventData, CallEventType } from './call-events.js';
import { DtmfDetector } from './dtmf-detector.js';
import type { PlaybackQueueDepth } from './link-stats.js';
import type { CaptureFrame, LinkCaptureFrame, MediaHostClient } from './media-host-client.js';
import { callEndTime, classifyFailure, describeHangup, lineStatusVerdict } from './outcomes.js';
import { CallPlayback, type PlaybackClock, type PlaybackResult } from './playback.js';
import { PlaybackHistory } from './playback-history.js';

export interface DialTrunk {
  id: number;
  name: string;
  uri: string;
  domain: string;
  username: string | null;
  password: string | null;
  register: boolean;
  callerId: string | null;
  maxConcurrentCalls: number;
  role: 'primary' | 'backup';
  updatedAt: number;
  /** How a transfer to an agent on another seat goes on this trunk (default bridge). */
  transferMode?: 'bridge' | 'refer';
}

export interface RecordedCall {
  path: string;
  channels: number;
  sampleRate: number;
  durationMs: number;
  bytes: number;
}

export interface CallRecorderLike {
  push(frame: { seq: number; timestampMs: number; left: Int16Array; right: Int16Array }): void;
  finish(): Promise<RecordedCall>;
  abort(): Promise<void>;
}

export interface CallEnd {
  callId: string;
  outcome: CallOutcome;
  sipCode: number | null;
  sipReason: string | null;
  reason: string;
  answeredAt: number | null;
  endedAt: number;
  trunk: string;
  recording: RecordedCall | null;
  /**
   * A REFER moved the call to this seat (issue 16 §3): the call goes on there; this seat's part of
   * it is over (its recording is the call's first part). Null for a call that ended.
   */
  handedOffTo?: string | null;
}

/** One event of a call as it is stored and streamed (`call.event`). */
export type CallEventPayload = CallEvent & { callId: string };

export interface CallSessionDeps {
  store: Store;
  log: Logger;
  /** The live media host (launched on demand). */
  host(): Promise<MediaHostClient>;
  /** Makes sure the host has this trunk's user agent. */
  ensureTrunk(client: MediaHostClient, trunk: DialTrunk): Promise<void>;
  /** Creates the call's recorder (null: not recording). */
  createRecorder(callId: string): CallRecorderLike | null;
  /** Store paths are relative to the data directory. */
  relativePath(path: string): string;
  onEvent(event: CallEventPayload): void;
  onState(session: CallSession): void;
  onEnded(session: CallSession, end: CallEnd): void;
  /** The playback tick shared by the calls of one media host. */
  playbackClock?: PlaybackClock;
  /** This engine's seat (issue 16): a call row it creates carries it. */
  seatId?: string;
}

export interface CallSessionOptions {
  callId: string;
  channel: number;
  number: string;
  trunks: DialTrunk[];
  ringTimeoutMs: number;
  rtpTimeoutMs: number;
  startedAt: number;
  /** The row exists already in state 'queued' (a campaign call leased by the dialer). */
  queued?: boolean;
  /** How long a hang-up may go unconfirmed by the media host before the call is ended anyway (default 3 s). */
  hangupGraceMs?: number;
}

/** How long the recording stays silent after a sensitive span is asked to end (the last key's tone). */
const SENSITIVE_TAIL_MS = 400;

/** A hang-up that gets no answer from the media host ends the call anyway after this long. */
const HANGUP_GRACE_MS = 3000;

/** A person on another seat, reached by a SIP leg to that seat's line (api/media-host.ts). */
export interface SeatRemote {
  target: string;
  /** The person's seat id (a REFER moves the call there when the trunk says `refer`). */
  seat?: string;
  extraHeaders?: string[];
  answerTimeoutMs?: number;
}
/** A seat leg's take-over or join waits for the other seat to answer (15 s) and a little more. */
const SEAT_LEG_COMMAND_TIMEOUT_MS = 20_000;
/** How long a REFER to another seat may take to report (NOTIFY) the customer connected there. */
const REFER_TIMEOUT_MS = 12_000;

export class CallSession {
  readonly callId: string;
  readonly channel: number;
  readonly number: string;
  state: CallState = 'dialing';
  answeredAt: number | null = null;
  /** performance.now() when the engine heard of the answer: a length no wall-clock jump bends. */
  private answeredMono: number | null = null;
  trunk: DialTrunk;
  lastStats: RtpStats | null = null;
  private trunkIndex = 0;
  private client: MediaHostClient | null = null;
  private ringTimer: ReturnType<typeof setTimeout> | null = null;
  private hangupTimer: ReturnType<typeof setTimeout> | null = null;
  private ringTimedOut = false;
  private canceledBy: string | null = null;
  private localReason: string | null = null;
  /** Where a blind transfer (REFER) sent the customer, once the far end reported success. */
  private transferTarget: string | null = null;
  private mediaFlowing = false;
  /** Why an answered call was given up because its audio never started. */
  private mediaFailure: string | null = null;
  private referTarget: string | null = null;
  /**
   * A REFER to another seat under way (`confirmed` once its NOTIFY reported 2xx): the end of this
   * leg is then the call moving to that seat, not the call's end.
   */
  private handingOff: { seat: string; agentId: number; confirmed: boolean } | null = null;
  /** The seat this call moved to by REFER (the session is over here; notes still reach the store). */
  private handedOffTo: string | null = null;
  /** A call another seat moved here by REFER: this seat records the rest of it as a later part. */
  private adopted: { seatId: string | null; recordingFrom: number | null } | null = null;
  private recorder: CallRecorderLike | null = null;
  /** The host's capture time of the last audio frame since the answer (its last sign of life). */
  private lastCaptureAt: number | null = null;
  private firstRecordedSeq: number | null = null;
  private readonly playback: CallPlayback;
  /** The bot's frames as sent, to rebuild the right channel the link leaves out. */
  private readonly history = new PlaybackHistory();
  private readonly audioListeners = new Set<(frame: CaptureFrame) => void>();
  private readonly dtmfListeners = new Set<(tone: string, at: number) => void>();
  private ended: Promise<CallEnd>;
  private resolveEnded!: (end: CallEnd) => void;
  private readonly answered: Promise<boolean>;
  private resolveAnswered!: (answered: boolean) => void;
  private finished = false;
  /** Serializes store writes so events keep their order. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Why a state change of this call could not be stored (the call is being ended for it). */
  private notStored: string | null = null;
  /** Who took the call from the bot: an agent (routing's accept) or a barging supervisor. */
  private takenOverBy: 'agent' | 'supervisor' | null = null;
  /** What an answered call that ends normally is stored as instead of `completed` (AMD: `machine`). */
  private answeredOutcome: CallOutcome | null = null;
  /** The supervisor on the call, if any (one at a time), and how they take part. */
  private supervision: { mode: SupervisionMode; by: string } | null = null;
  private readonly takeoverListeners = new Set<() => void>();
  /** An operator announcement heard before the answer ended this call: its outcome and reason. */
  private lineStatus: { outcome: CallOutcome; reason: string } | null = null;
  /**
   * A sensitive span (a flow node taking a card or ID number): the recorder gets silence on both
   * channels and key events are stored masked until it ends (PCI DSS pause-and-resume).
   */
  private sensitiveSpan: {
    nodeId: string;
    startedAt: number;
    /** Set once the span was asked to end: it ends SENSITIVE_TAIL_MS later. */
    ending: ReturnType<typeof setTimeout> | null;
  } | null = null;
  /** Keys heard in the customer's audio (RFC 4733 reaches the host as tones; see dtmf-detector.ts). */
  private readonly inbandDtmf = new DtmfDetector();
  /** The last key the host reported by SIP INFO (an in-band copy of it is not a second press). */
  private lastSignalledKey: { key: string; at: number } | null = null;

  constructor(
    private readonly deps: CallSessionDeps,
    private readonly options: CallSessionOptions,
  ) {
    this.callId = options.callId;
    this.channel = options.channel;
    this.number = options.number;
    const first = options.trunks[0];
    if (!first) throw new Error('a call needs a trunk');
    this.trunk = first;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.answered = new Promise((resolve) => (this.resolveAnswered = resolve));
    this.playback = new CallPlayback(
      {
        send: (seq, samples) => {
          // μ-law on the link; kept here as sent, to rebuild what the customer heard (onCapture).
          const mulaw = new Uint8Array(SAMPLES_PER_FRAME);
          encodeMulawFrame(samples, mulaw, 0, 0, SAMPLES_PER_FRAME);
          this.history.record(seq, mulaw);
          this.client?.sendPlayback(this.channel, seq, mulaw);
        },
        flush: () =>
          void this.client?.request('call.flush', { callId: this.callId }).catch(() => undefined),
      },
      undefined,
      deps.playbackClock,
    );
  }

  get startedAt(): number {
    return this.options.startedAt;
  }

  /** Settles when the call is over and stored. */
  whenEnded(): Promise<CallEnd> {
    return this.ended;
  }

  /**
   * Resolves true at the answer, false when the call ends (or fails to start) unanswered. A call
   * answered and since ended still says true: `isUp` tells whether it is up now.
   */
  whenAnswered(): Promise<boolean> {
    return this.answered;
  }

  /**
   * Stores the call as 'dialing' (a new row, or the dialer's queued row moved on), then dials. No
   * call without a row: when that cannot be stored (a queued row the store does not know, a store
   * that refuses the write), nothing is dialed and this throws, saying why.
   */
  async start(): Promise<void> {
    let failure: unknown = null;
    await this.write(
      () =>
        this.options.queued
          ? this.deps.store.calls.update(this.callId, { state: 'dialing', trunkId: this.trunk.id })
          : this.deps.store.calls.create({
              id: this.callId,
              number: this.number,
              startedAt: this.options.startedAt,
              trunkId: this.trunk.id,
              state: 'dialing',
              seatId: this.deps.seatId ?? null,
            }),
      (error) => (failure = error),
    );
    if (failure !== null) {
      this.finished = true; // nothing else of this call runs: no dial, no events, no recording
      this.playback.close();
      this.resolveAnswered(false);
      throw new Error(
        `Call ${this.callId} was not dialed: ${this.options.queued ? 'its queued row' : 'its row'} could not be stored as dialing (${errorMessage(failure)})`,
        { cause: failure },
      );
    }
    this.event('dial', { number: this.number, trunk: this.trunk.name });
    this.deps.onState(this);
    void this.attempt().catch((error: unknown) => this.onUnexpected('placing the call', error));
  }

  /** Audio from the customer (left) and what they heard (right), 20 ms at a time. */
  onAudio(listener: (frame: CaptureFrame) => void): () => void {
    this.audioListeners.add(listener);
    return () => this.audioListeners.delete(listener);
  }

  /** Keys the customer pressed (RFC 4733 or SIP INFO), one tone at a time. */
  onDtmf(listener: (tone: string, at: number) => void): () => void {
    this.dtmfListeners.add(listener);
    return () => this.dtmfListeners.delete(listener);
  }

  /** True from the answer until the call ends. */
  get isUp(): boolean {
    return this.answeredAt !== null && !this.finished;
  }

  /** Moves an answered call through the bot's phases (answered → bot → transferring); stored with a timestamp. */
  enterPhase<S extends 'bot' | 'transferring'>(state: S, data: CallEventData<`state_${S}`>): void {
    if (!this.isUp || this.state === state) return;
    this.event(`state_${state}`, data);
    this.setState(state, {});
  }

  /**
   * The outcome this answered call is stored with when it ends as `completed` would (hung up by
   * either side): answering-machine detection marks a machine's call `machine` before hanging up.
   */
  setAnsweredOutcome(outcome: CallOutcome): void {
    this.answeredOutcome = outcome;
  }

  /** Attaches a disposition code (which must exist in the store's dispositions) to the call. */
  setDisposition(code: string): Promise<void> {
    return this.write(() =>
      this.deps.store.calls.update(this.callId, { dispositionCode: code }),
    ).then(() => undefined);
  }

  /** Records the flow version the call runs (it keeps that version even if the flow is edited meanwhile). */
  setFlow(flowId: number, flowVersion: number): Promise<void> {
    return this.write(() =>
      this.deps.store.calls.update(this.callId, { flowId, flowVersion }),
    ).then(() => undefined);
  }

  /** Plays 20 ms frames to the customer; resolves when played or stopped. */
  play(frames: Int16Array[]): Promise<PlaybackResult> {
    // Once an agent has the call the bot never talks over them.
    if (!this.isUp || this.state === 'agent')
      return Promise.resolve({ completed: false, playedFrames: 0 });
    return this.playback.play(frames);
  }

  /** Stops the bot's audio at once (barge-in): queued frames dropped, the host's buffer flushed. */
  stopPlayback(): void {
    this.playback.stop();
  }

  get isPlaying(): boolean {
    return this.playback.isPlaying;
  }

  /** This call's playback queues (telephony/link-stats.ts). */
  playbackDepth(): PlaybackQueueDepth {
    return {
      callId: this.callId,
      ...this.playback.depth(),
      lateUnderruns: this.playback.lateUnderruns,
    };
  }

  /** The player's dry spells in the middle of a prompt (the engine or the page was late). */
  get playbackLateUnderruns(): number {
    return this.playback.lateUnderruns;
  }

  /**
   * Hands the call from the bot to an agent inside the same call: the media host starts the
   * agent's microphone into the call's outgoing audio, then fades the bot out and flushes its
   * player, and plays the customer to the agent's speaker. Stored as transferring → agent.
   */
  async agentTakeover(
    agentId: number,
    devices: { inputDeviceId: string; outputDeviceId: string; remote?: SeatRemote },
  ): Promise<void> {
    const client = this.requireClient();
    if (this.state !== 'transferring')
      throw new Error(`Call ${this.callId} is "${this.state}", not waiting for an agent`);
    const { seat, ...remote } = devices.remote ?? { target: '' };
    // A trunk in `refer` mode moves the call to the agent's seat; a REFER that fails falls back to the bridge.
    if (devices.remote && seat && this.trunk.transferMode === 'refer') {
      if (await this.referToSeat(agentId, seat, remote.target)) return;
    }
    // An agent on another seat: a bridged SIP leg to that seat, answered within its timeout.
    const { inputLabel } = await client.request(
      'call.takeover',
      {
        callId: this.callId,
        inputDeviceId: devices.inputDeviceId,
        outputDeviceId: devices.outputDeviceId,
        ...(devices.remote ? { remote } : {}),
      },
      devices.remote ? SEAT_LEG_COMMAND_TIMEOUT_MS : undefined,
    );
    this.playback.stop(); // whatever the bot still had queued here (the host flushed its own buffer)
    this.event('agent_connected', { agentId, input: inputLabel });
    this.takenOverBy = 'agent';
    this.state = 'agent';
    void this.write(
      () => this.deps.store.calls.update(this.callId, { state: 'agent', agentId }),
      (error) => this.stateNotStored('agent', error),
    );
    this.deps.onState(this);
  }

  /**
   * The call moves to the agent's seat by REFER: the customer's leg is told to call that seat's
   * line (naming this call), and once the far end's NOTIFY reports 2xx the media host hangs this
   * leg up and this seat is out of the media path; the agent's seat holds the call from then on.
   * False (the call goes on here, noted with the reason) when the REFER is refused, its NOTIFY
   * reports a failure, or nothing final comes in time: the caller bridges the call instead.
   */
  private async referToSeat(agentId: number, seat: string, line: string): Promise<boolean> {
    const client = this.requireClient();
    this.event('refer_requested', { target: line });
    this.handingOff = { seat, agentId, confirmed: false };
    let afterMs: number;
    try {
      ({ afterMs } = await client.request(
        'call.referSeat',
        {
          callId: this.callId,
          target: seatReferTarget(line, this.callId),
          timeoutMs: REFER_TIMEOUT_MS,
        },
        REFER_TIMEOUT_MS + 5000,
      ));
    } catch (error) {
      const confirmed = this.handingOff.confirmed;
      if (!confirmed) this.handingOff = null;
      if (confirmed || this.finished) throw error;
      const why = errorMessage(error);
      this.event('refer', {
        trunk: this.trunk.name,
        detail: `REFER to seat ${seat} did not move the call (${why}); bridging it instead`,
      });
      this.deps.log.warn('A transfer by REFER failed; the call is bridged to the agent instead', {
        callId: this.callId,
        seat,
        trunk: this.trunk.name,
        reason: why,
      });
      return false;
    }
    this.handingOff.confirmed = true;
    this.event('seat_handoff', {
      from: this.deps.seatId ?? '',
      to: seat,
      agentId,
      referMs: afterMs,
    });
    // The host hung this leg up after the NOTIFY: its end may have been handled already.
    if (!this.finished) {
      this.playback.stop();
      this.takenOverBy = 'agent';
      this.state = 'agent';
      this.deps.onState(this);
    }
    return true;
  }

  /**
   * A call another seat moved here by REFER (issue 16 §3): its customer's leg was answered on this
   * seat's line (`seat.adopted`) and this seat's agent has it already. Nothing is dialed; the
   * call's row, its events so far and its first recording part are the first seat's.
   */
  adopt(client: MediaHostClient, agentId: number): void {
    this.client = client;
    this.adopted = { seatId: this.deps.seatId ?? null, recordingFrom: null };
    this.takenOverBy = 'agent';
    this.state = 'agent';
    this.event('agent_connected', { agentId, input: 'the call moved to this seat by REFER' });
    // Stored here, before anything this seat writes of the call's end (its writes keep their order).
    void this.write(
      () => this.deps.store.calls.update(this.callId, { state: 'agent', agentId }),
      (error) => this.stateNotStored('agent', error),
    );
    this.deps.onState(this);
  }

  /** The supervisor on the call and their mode, or null. */
  get supervisor(): { mode: SupervisionMode; by: string } | null {
    return this.supervision ? { ...this.supervision } : null;
  }

  /** True once a barging supervisor took the call from the bot (the bot has stopped). */
  get takenOverBySupervisor(): boolean {
    return this.takenOverBy === 'supervisor';
  }

  /** Called once when a supervisor's barge takes the call from the bot (the bot stops its dialog). */
  onSupervisorTakeover(listener: () => void): () => void {
    this.takeoverListeners.add(listener);
    return () => this.takeoverListeners.delete(listener);
  }

  /**
   * A supervisor joins the call, or changes mode, without touching the call itself: the media host
   * mixes their microphone and speaker into the call's graph (telephony/../media-host audio.ts).
   * listen: they hear both sides, nobody hears them; whisper (a call an agent has): the agent hears
   * them, the customer does not; barge: everyone hears them. A barge on a call the bot still has
   * is a takeover, as an agent's accept is: the bot fades out and its dialog stops, the call moves
   * to the `agent` state (through `transferring` when the bot had it), and the supervisor talks.
   */
  async supervise(
    mode: SupervisionMode,
    devices: { inputDeviceId: string; outputDeviceId: string; remote?: SeatRemote },
    by: string,
  ): Promise<{ mode: SupervisionMode; previous: SupervisionMode | null; takeover: boolean }> {
    const client = this.requireClient();
    if (this.supervision && this.supervision.by !== by)
      throw new SupervisionError(
        'CONFLICT',
        `${this.supervision.by} is already supervising call ${this.callId} (${this.supervision.mode})`,
      );
    const agentHas = this.state === 'agent' && this.takenOverBy === 'agent';
    if (mode === 'whisper' && !agentHas)
      throw new SupervisionError(
        'CONFLICT',
        `Whisper is for a call an agent has; call ${this.callId} is "${this.state}"${this.takenOverBy === 'supervisor' ? ' (taken over by a supervisor)' : ''}: listen or barge instead`,
      );
    const takeover = mode === 'barge' && this.state !== 'agent';
    const previous = this.supervision?.mode ?? null;
    const { inputLabel } = await client.request(
      'call.supervise',
      {
        callId: this.callId,
        mode,
        inputDeviceId: devices.inputDeviceId,
        outputDeviceId: devices.outputDeviceId,
        takeover,
        ...(devices.remote ? { remote: devices.remote } : {}),
      },
      devices.remote ? SEAT_LEG_COMMAND_TIMEOUT_MS : undefined,
    );
    this.supervision = { mode, by };
    if (previous === null) this.event('supervisor_joined', { by, mode, input: inputLabel });
    else if (previous !== mode) this.event('supervisor_mode', { by, from: previous, to: mode });
    if (takeover) this.supervisorTakeover(by);
    this.deps.onState(this);
    return { mode, previous, takeover };
  }

  /**
   * The supervisor leaves; the call goes on as it was. A call the supervisor took from the bot has
   * nobody else on it, so leaving it hangs it up (with that reason).
   */
  async unsupervise(by: string): Promise<{ mode: SupervisionMode | null; hungUp: boolean }> {
    const supervision = this.supervision;
    if (!supervision) return { mode: null, hungUp: false };
    if (this.isUp) await this.requireClient().request('call.unsupervise', { callId: this.callId });
    this.supervision = null;
    this.event('supervisor_left', { by, mode: supervision.mode });
    this.deps.onState(this);
    const hungUp = this.takenOverBy === 'supervisor' && this.isUp;
    if (hungUp) await this.hangup(`the supervisor ${by} left the call they took over`, by);
    return { mode: supervision.mode, hungUp };
  }

  private supervisorTakeover(by: string): void {
    this.playback.stop(); // the host flushed its own buffer; drop what the engine still queued
    const from = this.state;
    if (this.state === 'answered' || this.state === 'bot')
      this.enterPhase('transferring', { queue: '', reason: `barge-in by supervisor ${by}` });
    this.event('supervisor_takeover', { by, from });
    this.takenOverBy = 'supervisor';
    this.state = 'agent';
    void this.write(
      () => this.deps.store.calls.update(this.callId, { state: 'agent' }),
      (error) => this.stateNotStored('agent', error),
    );
    for (const listener of this.takeoverListeners) {
      try {
        listener();
      } catch (error) {
        this.deps.log.error('A takeover listener failed', {
          callId: this.callId,
          error: errorMessage(error),
        });
      }
    }
    this.takeoverListeners.clear();
  }

  /** The agent's microphone off (the customer hears silence) or back on. */
  async muteAgent(muted: boolean): Promise<void> {
    if (this.state !== 'agent' || this.takenOverBy !== 'agent')
      throw new Error(`Call ${this.callId} has no agent on it`);
    await this.requireClient().request('call.agentMute', { callId: this.callId, muted });
    this.event(muted ? 'agent_muted' : 'agent_unmuted', {});
  }

  async hangup(reason: string, by = 'engine'): Promise<void> {
    if (this.finished) return;
    if (this.answeredAt === null) this.canceledBy ??= by;
    this.localReason ??= reason;
    this.event('hangup_requested', { reason, by });
    this.armHangupGrace();
    try {
      const client = this.client ?? (await this.deps.host());
      await client.request('call.hangup', { callId: this.callId, reason });
    } catch (error) {
      // The host has no such call (not dialed yet, or already gone): end it here.
      this.finish({
        outcome: this.answeredAt === null ? 'no_answer' : 'completed',
        sipCode: null,
        sipReason: null,
        reason: this.answeredAt === null ? `canceled before answer by ${by}` : reason,
        detail: String(error),
      });
    }
  }

  /**
   * An operator announcement was recognized in the early media (telephony/early-media.ts): stored
   * as a `line_status` event, and the call is canceled at once; it ends with the status's outcome
   * (outcomes.ts lineStatusVerdict) instead of "canceled". Ignored once the call is answered or over.
   */
  endForLineStatus(heard: {
    status: LineStatus;
    language: string;
    phrase: string;
    confidence: number;
    heardMs: number;
  }): void {
    if (this.finished || this.answeredAt !== null || this.lineStatus) return;
    this.lineStatus = lineStatusVerdict(heard.status, heard.phrase);
    this.event('line_status', { ...heard, confidence: Math.round(heard.confidence * 1000) / 1000 });
    void this.hangup(this.lineStatus.reason, 'engine (line status)').catch((error: unknown) =>
      this.onUnexpected('hanging up', error),
    );
  }

  async sendDtmf(tones: string, transport: 'rfc4733' | 'info'): Promise<void> {
    await this.requireClient().request('call.dtmf', { callId: this.callId, tones, transport });
  }

  async hold(hold: boolean): Promise<boolean> {
    const { done } = await this.requireClient().request('call.hold', { callId: this.callId, hold });
    return done;
  }

  async refer(target: string): Promise<void> {
    this.referTarget = target;
    this.event('refer_requested', { target });
    await this.requireClient().request('call.refer', { callId: this.callId, target });
  }

  onMilestone(m: HostEventData<'call.milestone'>): void {
    if (this.finished) return;
    if (m.stats) this.lastStats = m.stats;
    const data: CallEventData<'answered'> = { trunk: this.trunk.name };
    if (m.sipCode !== null) data.sipCode = m.sipCode;
    if (m.sipReason) data.sipReason = m.sipReason;
    if (m.originator) data.originator = m.originator;
    if (m.detail) data.detail = m.detail;
    if (m.stats) data.stats = { ...m.stats };
    switch (m.milestone) {
      case 'ringing':
      case 'early_media':
        if (this.adopted) return; // the REFER's leg, answered on this seat's line: no ringing
        this.eventAt(m.at, m.milestone, data);
        if (this.state === 'dialing') this.setState('ringing', { sipCode: m.sipCode });
        return;
      case 'answered':
        if (this.adopted) {
          // The call was answered long ago on its first seat: this is the REFER's leg, answered here.
          this.answeredAt = m.at;
          this.answeredMono = performance.now();
          this.adopted.recordingFrom = m.at;
          this.resolveAnswered(true);
          this.recorder = this.deps.createRecorder(this.callId);
          return;
        }
        this.clearRingTimer();
        this.eventAt(m.at, 'answered', data);
        this.answeredAt = m.at;
        this.answeredMono = performance.now();
        this.resolveAnswered(true);
        this.setState('answered', {
          answeredAt: m.at,
          sipCode: m.sipCode ?? 200,
          sipReason: m.sipReason,
        });
        // Recordings are named only for calls that exist: start() stored this call's row.
        if (this.notStored === null) this.recorder = this.deps.createRecorder(this.callId);
        return;
      case 'media_flowing':
        this.mediaFlowing = true;
        this.eventAt(m.at, m.milestone, data);
        return;
      case 'media_timeout':
        this.eventAt(m.at, m.milestone, data);
        if (!this.mediaFlowing) {
          // Answered on paper, but no audio ever: the media could not be set up.
          this.mediaFailure = `answered, but the call's media could not be set up: ${m.detail ?? 'no audio from the far end'}`;
          void this.hangup(this.mediaFailure, 'engine (media watchdog)').catch((error: unknown) =>
            this.onUnexpected('hanging up', error),
          );
          return;
        }
        void this.hangup(
          `dead line: ${m.detail ?? 'no RTP from the far end'}`,
          'engine (media watchdog)',
        ).catch((error: unknown) => this.onUnexpected('hanging up', error));
        return;
      case 'failed':
        this.eventAt(m.at, 'sip_failed', data);
        this.onFailed(m);
        return;
      case 'refer':
        this.eventAt(m.at, 'refer', data);
        if (this.handingOff && m.detail?.startsWith('transfer succeeded'))
          this.handingOff.confirmed = true;
        // NOTIFY 2xx: the customer is now talking to the target; our leg has done its job.
        if (m.detail?.startsWith('transfer succeeded') && this.referTarget) {
          this.transferTarget = this.referTarget;
          void this.hangup(`transferred to ${this.referTarget}`, 'engine (blind transfer)').catch(
            (error: unknown) => this.onUnexpected('hanging up', error),
          );
        }
        return;
      case 'ended':
        this.eventAt(m.at, 'sip_ended', data);
        if (this.handingOff?.confirmed) {
          this.finishHandoff(this.handingOff.seat);
          return;
        }
        if (this.mediaFailure) {
          this.finish(
            {
              outcome: 'failed',
              sipCode: null,
              sipReason: null,
              reason: this.mediaFailure,
              detail: m.detail,
            },
            m.at,
          );
          return;
        }
        this.finish(
          {
            outcome: this.transferTarget ? 'transferred' : 'completed',
            sipCode: null,
            sipReason: null,
            reason: describeHangup(m.originator, m.detail, this.localReason),
            detail: m.detail,
          },
          m.at,
        );
        return;
      case 'dtmf_in':
        if (m.detail) this.lastSignalledKey = { key: m.detail, at: Date.now() };
        // In a sensitive span the key is stored and streamed only masked; listeners get it as is.
        this.eventAt(
          m.at,
          m.milestone,
          this.sensitiveSpan && m.detail ? { ...data, detail: '*' } : data,
        );
        if (m.detail) for (const listener of this.dtmfListeners) listener(m.detail, m.at);
        return;
      default:
        this.eventAt(m.at, m.milestone, data);
    }
  }

  onPlayout(report: HostEventData<'calls.playout'>['reports'][number], ageMs: number): void {
    this.playback.onReport(report, ageMs);
  }

  /** A frame as it crossed the link: its right channel rebuilt from the bot's runs when not sent. */
  onLinkCapture(raw: LinkCaptureFrame): void {
    this.onCapture({
      channel: raw.channel,
      seq: raw.seq,
      timestampMs: raw.timestampMs,
      left: raw.left,
      right: raw.right ?? this.history.rebuild(raw.runs),
    });
  }

  onCapture(frame: CaptureFrame): void {
    if (this.answeredAt !== null) this.lastCaptureAt = frame.timestampMs;
    if (this.answeredAt !== null && this.recorder) {
      this.firstRecordedSeq ??= frame.seq;
      // A sensitive span is recorded as silence on both sides, frame for frame (the timeline holds).
      const silent = this.sensitiveSpan !== null;
      this.recorder.push({
        seq: frame.seq - this.firstRecordedSeq,
        timestampMs: frame.timestampMs,
        left: silent ? new Int16Array(frame.left.length) : frame.left,
        right: silent ? new Int16Array(frame.right.length) : frame.right,
      });
    }
    if (this.answeredAt !== null && !this.finished) this.detectInbandKey(frame.left);
    for (const listener of this.audioListeners) listener(frame);
  }

  /** A key in the customer's audio is a key press like one the host reports (dtmf_in). */
  private detectInbandKey(samples: Int16Array): void {
    const key = this.inbandDtmf.push(samples);
    if (key === null) return;
    const at = Date.now();
    const signalled = this.lastSignalledKey;
    if (signalled && signalled.key === key && at - signalled.at < 500) return;
    this.eventAt(at, 'dtmf_in', {
      trunk: this.trunk.name,
      detail: this.sensitiveSpan ? '*' : key,
    });
    for (const listener of this.dtmfListeners) listener(key, at);
  }

  /**
   * Starts (true) or ends a sensitive span for flow node `nodeId`: while it lasts the recording is
   * silent on both channels and keys are stored masked. Noted as sensitive_started/_ended.
   */
  setSensitive(active: boolean, nodeId: string): void {
    if (active) {
      if (this.sensitiveSpan) {
        // A new span right after one that is ending (a re-prompt): the silence just goes on.
        if (this.sensitiveSpan.ending) clearTimeout(this.sensitiveSpan.ending);
        this.sensitiveSpan.ending = null;
        return;
      }
      this.sensitiveSpan = { nodeId, startedAt: Date.now(), ending: null };
      this.note('sensitive_started', {
        nodeId,
        atMs: this.answeredAt === null ? 0 : Date.now() - this.answeredAt,
      });
      return;
    }
    const span = this.sensitiveSpan;
    if (!span || span.ending) return;
    // The last key's tone is still sounding when it is recognized (a press lasts ~100 ms, plus the
    // jitter buffer): the silence goes on a little so no part of it reaches the recording.
    span.ending = setTimeout(() => {
      if (this.sensitiveSpan !== span) return;
      this.sensitiveSpan = null;
      this.note('sensitive_ended', {
        nodeId: span.nodeId,
        atMs: this.answeredAt === null ? 0 : Date.now() - this.answeredAt,
        durationMs: Date.now() - span.startedAt,
      });
    }, SENSITIVE_TAIL_MS);
  }

  /** True during a sensitive span (setSensitive). */
  get sensitive(): boolean {
    return this.sensitiveSpan !== null;
  }

  /**
   * Records an event on this call from another subsystem (speech, the bot, the dialog, routing),
   * stored and streamed like the rest. Its data is typed by its kind (telephony/call-events.ts).
   */
  note<K extends CallEventType>(type: K, data: CallEventData<K>, at = Date.now()): void {
    // A call handed to another seat goes on there: what routing notes of it still belongs to it.
    if (this.finished && this.handedOffTo === null) return;
    this.eventAt(at, type, data);
  }

  /**
   * The media host died under this call. An answered call ends at the host's last sign of life
   * for it, the capture time of its last audio frame (the host's clock, as the answer's), as a
   * crash recovery ends a call at its last event: the engine learns of the death only when the
   * link closes, and a starved page may have sent nothing for seconds before (the soak's short
   * run: nine calls stored 2.8 s longer than their recordings).
   */
  onHostLost(reason: string): void {
    this.event('media_host_lost', { reason });
    this.finish(
      {
        outcome: this.answeredAt === null ? 'failed' : 'completed',
        sipCode: null,
        sipReason: null,
        reason: `the media host stopped (${reason})`,
        detail: reason,
      },
      this.answeredAt === null ? undefined : (this.lastCaptureAt ?? undefined),
    );
  }

  private async attempt(): Promise<void> {
    let client: MediaHostClient;
    try {
      client = await this.deps.host();
      this.client = client;
      await this.deps.ensureTrunk(client, this.trunk);
    } catch (error) {
      this.finish({
        outcome: 'failed',
        sipCode: null,
        sipReason: null,
        reason: `the media host is not available: ${errorMessage(error)}`,
        detail: null,
      });
      return;
    }
    if (this.finished) return;
    if (this.canceledBy) {
      this.finish({
        outcome: 'no_answer',
        sipCode: null,
        sipReason: null,
        reason: `canceled before answer by ${this.canceledBy}`,
        detail: null,
      });
      return;
    }
    this.armRingTimer();
    try {
      await client.request('call.dial', {
        callId: this.callId,
        channel: this.channel,
        trunkId: this.trunk.id,
        target: `sip:${this.number}@${this.trunk.domain}`,
        rtpTimeoutMs: this.options.rtpTimeoutMs,
        extraHeaders: [],
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      this.event('dial_refused', {
        trunk: this.trunk.name,
        code: code ?? 'UNKNOWN',
        detail: errorMessage(error),
      });
      if (code === 'TRUNK_DOWN') {
        this.onFailed(
          { sipCode: null, sipReason: null, originator: 'system', detail: 'Connection Error' },
          errorMessage(error),
        );
      } else {
        this.finish({
          outcome: 'failed',
          sipCode: null,
          sipReason: null,
          reason: `the media host refused the call: ${errorMessage(error)}`,
          detail: null,
        });
      }
    }
  }

  private onFailed(
    m: Pick<HostEventData<'call.milestone'>, 'sipCode' | 'sipReason' | 'originator' | 'detail'>,
    context?: string,
  ): void {
    this.clearRingTimer();
    const verdict = classifyFailure(
      {
        sipCode: m.sipCode,
        sipReason: m.sipReason,
        originator: m.originator,
        cause: m.detail?.split(':')[0] ?? null,
        ringTimedOut: this.ringTimedOut,
        canceledBy: this.canceledBy,
      },
      this.options.ringTimeoutMs,
    );
    if (this.ringTimedOut && m.sipCode === null)
      m = { ...m, sipCode: 487, sipReason: 'Request Terminated' }; // our CANCEL
    const next = this.options.trunks[this.trunkIndex + 1];
    if (verdict.trunkFault && next && !this.canceledBy) {
      const from = this.trunk;
      this.trunkIndex++;
      this.trunk = next;
      this.event('failover', {
        from: from.name,
        to: next.name,
        reason: context ? `${verdict.reason} (${context})` : verdict.reason,
      });
      void this.write(() => this.deps.store.calls.update(this.callId, { trunkId: next.id }));
      void this.attempt().catch((error: unknown) => this.onUnexpected('placing the call', error));
      return;
    }
    this.finish({
      outcome: verdict.outcome,
      sipCode: m.sipCode,
      sipReason: m.sipReason,
      reason: context ? `${verdict.reason} (${context})` : verdict.reason,
      detail: m.detail,
    });
  }

  private finish(
    end: {
      outcome: CallOutcome;
      sipCode: number | null;
      sipReason: string | null;
      reason: string;
      detail: string | null;
    },
    /** When the media host saw the line end (its milestone's time), if it told us. */
    hostEndedAt?: number,
  ): void {
    if (this.finished) return;
    this.finished = true;
    // Canceled for an announcement heard before any answer: the announcement's outcome.
    if (this.lineStatus && this.answeredAt === null)
      end = { ...end, outcome: this.lineStatus.outcome, reason: this.lineStatus.reason };
    this.resolveAnswered(false); // no-op when it was answered
    this.clearRingTimer();
    if (this.hangupTimer) clearTimeout(this.hangupTimer);
    if (this.sensitiveSpan?.ending) clearTimeout(this.sensitiveSpan.ending);
    this.playback.close();
    const endedAt = callEndTime(
      Date.now(),
      hostEndedAt,
      this.answeredAt,
      this.answeredMono === null ? null : performance.now() - this.answeredMono,
    );
    // An answered call keeps its 200 as its SIP code; a failed one keeps the failure's.
    const sipCode = end.sipCode ?? (this.answeredAt !== null ? 200 : null);
    // A call an agent had ends as 'transferred' and waits in wrap_up for the agent's form (routing closes it).
    // A call a supervisor took from the bot has no agent to wrap it up: it is done at once.
    const agentHad = this.state === 'agent' && this.takenOverBy !== 'supervisor';
    if (this.state === 'agent') end = { ...end, outcome: 'transferred' };
    else if (this.answeredOutcome && end.outcome === 'completed')
      end = { ...end, outcome: this.answeredOutcome };
    this.state = 'done';
    const recorder = this.recorder;
    this.recorder = null;
    this.event('ended', {
      outcome: end.outcome,
      reason: end.reason,
      ...(end.sipCode === null ? {} : { sipCode: end.sipCode }),
      ...(this.lastStats ? { stats: { ...this.lastStats } } : {}),
    });
    void (async () => {
      const recording = await this.finishRecording(recorder);
      await this.write(async () => {
        await this.deps.store.transaction(async (tx) => {
          await tx.calls.update(this.callId, {
            state: agentHad ? 'wrap_up' : 'done',
            outcome: end.outcome,
            sipCode,
            sipReason: end.sipReason,
            endedAt,
            endReason: end.reason,
            trunkId: this.trunk.id,
          });
          if (recording && this.adopted) {
            // The call's first part is the first seat's; this seat's is the next part.
            await tx.seats.addRecordingPart({
              callId: this.callId,
              seatId: this.adopted.seatId,
              path: this.deps.relativePath(recording.path),
              channels: recording.channels,
              sampleRate: recording.sampleRate,
              durationMs: recording.durationMs,
              bytes: recording.bytes,
              startedAt: this.adopted.recordingFrom ?? this.answeredAt ?? endedAt,
            });
          } else if (recording) {
            await tx.calls.addRecording({
              callId: this.callId,
              path: this.deps.relativePath(recording.path),
              channels: recording.channels,
              sampleRate: recording.sampleRate,
              durationMs: recording.durationMs,
              bytes: recording.bytes,
            });
          }
        });
      });
      const result: CallEnd = {
        callId: this.callId,
        outcome: end.outcome,
        sipCode,
        sipReason: end.sipReason,
        reason: end.reason,
        answeredAt: this.answeredAt,
        endedAt,
        trunk: this.trunk.name,
        recording,
      };
      this.announceEnd(result);
    })();
  }

  /** The call's recording finished (null when there is none, or finishing it failed: logged). */
  private async finishRecording(recorder: CallRecorderLike | null): Promise<RecordedCall | null> {
    if (!recorder) return null;
    try {
      return await recorder.finish();
    } catch (error) {
      this.deps.log.error('Finishing a call recording failed', {
        callId: this.callId,
        error: errorMessage(error),
      });
      return null;
    }
  }

  /** Tells the listeners the call ended, then resolves whenEnded(). */
  private announceEnd(result: CallEnd): void {
    try {
      this.deps.onState(this);
      this.deps.onEnded(this, result);
    } catch (error) {
      // whenEnded() must still resolve: stop() and the bot wait on it.
      this.deps.log.error('A listener of a call ending failed', {
        callId: this.callId,
        error: error instanceof Error ? error.stack : String(error),
      });
    }
    this.resolveEnded(result);
  }

  /**
   * This seat's part of a call a REFER moved to another seat is over: the call row is not ended
   * (the other seat ends it); this seat's recording is stored as the call's first part.
   */
  private finishHandoff(seat: string): void {
    if (this.finished) return;
    this.finished = true;
    this.handedOffTo = seat;
    this.state = 'done';
    this.clearRingTimer();
    if (this.hangupTimer) clearTimeout(this.hangupTimer);
    if (this.sensitiveSpan?.ending) clearTimeout(this.sensitiveSpan.ending);
    this.playback.close();
    const endedAt = Date.now();
    const recorder = this.recorder;
    this.recorder = null;
    void (async () => {
      const recording = await this.finishRecording(recorder);
      if (recording) {
        const stored = recording;
        await this.write(() =>
          this.deps.store.calls.addRecording({
            callId: this.callId,
            // This seat made it; the call's seat is the other one from now on.
            seatId: this.deps.seatId ?? null,
            path: this.deps.relativePath(stored.path),
            channels: stored.channels,
            sampleRate: stored.sampleRate,
            durationMs: stored.durationMs,
            bytes: stored.bytes,
          }),
        );
      }
      const result: CallEnd = {
        callId: this.callId,
        outcome: 'transferred',
        sipCode: 200,
        sipReason: null,
        reason: `moved to seat ${seat} by REFER`,
        answeredAt: this.answeredAt,
        endedAt,
        trunk: this.trunk.name,
        recording,
        handedOffTo: seat,
      };
      this.announceEnd(result);
    })();
  }

  /**
   * A step run in the background (dialing, a hang-up) threw where nothing expected it: it is
   * logged with the call, and the call ends with a reason rather than hanging half-open.
   */
  private onUnexpected(step: string, error: unknown): void {
    this.deps.log.error(`A call failed unexpectedly while ${step}`, {
      callId: this.callId,
      error: error instanceof Error ? error.stack : String(error),
    });
    this.finish({
      outcome: this.answeredAt === null ? 'failed' : 'completed',
      sipCode: null,
      sipReason: null,
      reason: `internal error while ${step}: ${errorMessage(error)}`,
      detail: errorMessage(error),
    });
  }

  private setState(
    state: CallState,
    changes: { answeredAt?: number; sipCode?: number | null; sipReason?: string | null },
  ): void {
    this.state = state;
    void this.write(
      () => this.deps.store.calls.update(this.callId, { state, ...changes }),
      (error) => this.stateNotStored(state, error),
    );
    this.deps.onState(this);
  }

  private armRingTimer(): void {
    this.clearRingTimer();
    this.ringTimer = setTimeout(() => {
      this.ringTimer = null;
      if (this.answeredAt !== null || this.finished) return;
      this.ringTimedOut = true;
      this.event('ring_timeout', { afterMs: this.options.ringTimeoutMs });
      this.armHangupGrace();
      void this.client
        ?.request('call.hangup', { callId: this.callId, reason: 'ring timeout' })
        .catch(() => undefined);
    }, this.options.ringTimeoutMs);
  }

  private clearRingTimer(): void {
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.ringTimer = null;
  }

  private armHangupGrace(): void {
    if (this.hangupTimer) return;
    const graceMs = this.options.hangupGraceMs ?? HANGUP_GRACE_MS;
    this.hangupTimer = setTimeout(() => {
      this.hangupTimer = null;
      this.event('hangup_unconfirmed', { afterMs: graceMs });
      const reason = this.ringTimedOut
        ? `no answer within ${Math.round(this.options.ringTimeoutMs / 1000)} s (ring timeout)`
        : (this.localReason ?? 'hung up');
      this.finish({
        outcome: this.answeredAt === null ? 'no_answer' : 'completed',
        sipCode: null,
        sipReason: null,
        reason,
        detail: 'the media host did not confirm the hang-up',
      });
    }, graceMs);
  }

  private requireClient(): MediaHostClient {
    if (!this.client || this.answeredAt === null || this.finished)
      throw new CallNotUpError(this.callId);
    return this.client;
  }

  private event<K extends CallEventType>(type: K, data: CallEventData<K>): void {
    this.eventAt(Date.now(), type, data);
  }

  private eventAt<K extends CallEventType>(at: number, type: K, data: CallEventData<K>): void {
    // Every kind's data is JSON (numbers, strings, booleans, null, arrays and objects of them).
    const stored: JsonObject = data;
    void this.write(() =>
      this.deps.store.calls.appendEvent(this.callId, { at, type, data: stored }),
    );
    // TypeScript cannot follow that `type` and `data` belong to the same K through the union.
    this.deps.onEvent({ callId: this.callId, at, type, data } as CallEventPayload);
  }

  /**
   * A state change of a live call could not be stored: the call does not go on unrecorded. It is
   * hung up with the reason (logged once); its end is stored if the store takes it.
   */
  private stateNotStored(state: CallState, error: unknown): void {
    if (this.finished || this.notStored !== null) return;
    this.notStored = `its state change to "${state}" could not be stored (${errorMessage(error)})`;
    this.deps.log.error('A call state change could not be stored; ending the call', {
      callId: this.callId,
      state,
      error: errorMessage(error),
    });
    void this.hangup(this.notStored, 'engine (store)').catch((e: unknown) =>
      this.onUnexpected('hanging up', e),
    );
  }

  private write<T>(
    work: () => Promise<T>,
    onFailure?: (error: unknown) => void,
  ): Promise<T | undefined> {
    // Urgent: ahead of imports, dialer passes and settlements queued on the store (a hang-up
    // waited 10-47 s behind them on a loaded seat). This chain awaits each write before the next,
    // so the call's own writes keep their order.
    const next = this.writes
      .then(() => urgently(work))
      .catch((error: unknown) => {
        this.deps.log.error('Storing a call change failed', {
          callId: this.callId,
          error: errorMessage(error),
        });
        onFailure?.(error);
        return undefined;
      });
    this.writes = next;
    return next;
  }
}

export type SupervisionMode = 'listen' | 'whisper' | 'barge';

/** A supervision request the call's state refuses (whisper on a bot call, a second supervisor). */
export class SupervisionError extends Error {
  override readonly name = 'SupervisionError';
  constructor(
    readonly code: 'CONFLICT',
    message: string,
  ) {
    super(message);
  }
}

export class CallNotUpError extends Error {
  override readonly name = 'CallNotUpError';
  constructor(callId: string) {
    super(`Call ${callId} is not up (not answered yet, or already ended)`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
