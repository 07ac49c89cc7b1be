/**
 * WebAudio for calls: one shared AudioContext at the engine's 16 kHz (Chromium resamples the
 * 48 kHz WebRTC audio for us), and per call a small graph:
 *
 *   remote track ─► source ─► customerTap ─┬──────────────────────────► capture[0] (left: customer)
 *                                          ├─► agentEar ─► <audio> agent's speaker (setSinkId)
 *                                          └─► supervisorEar ─► <audio> supervisor's speaker
 *   engine PCM ──► player ─► botGain ─► voices ─┬─► outBus ─┬─► destination (the call's outgoing track)
 *   agent mic ───► agentGain ──────────┘        │           └─► capture[1] (right: what the customer hears)
 *                                               └─► supervisorEar (the supervisor hears bot and agent)
 *   supervisor mic ─► toCustomer (barge) ─► outBus
 *                  └► toAgent (whisper, barge) ─► agentEar
 *
 * An agent takeover is a gain change inside this graph (no new SIP leg): the microphone starts
 * first, then agentGain rises while botGain falls (a short crossfade), then the player is flushed.
 * A supervisor is one more microphone and speaker in the same graph: listen, whisper and barge are
 * the two gains toCustomer and toAgent (0/0, 0/1, 1/1), so a mode change never touches the call.
 * Each party's ear leaves out their own voice: the supervisor's ear takes `voices` (bot and agent),
 * never outBus; the agent's ear takes the customer and the supervisor, never `voices`. The
 * recording's right channel is outBus, what the customer heard, so a whisper never reaches it.
 *
 * An agent or supervisor on another seat (issue 16 §3) is the same graph with a SIP leg in place of
 * the device: the leg's remote track is their microphone, and their ear's mix goes out on the leg
 * (a `SeatPerson`), so the mix is still made here, on the seat that holds the call.
 */
import { SAMPLE_RATE } from '../../../electron/engine/api/audio-frames.js';
import { decodeMulawFrame, SAMPLES_PER_FRAME } from '../../../electron/engine/api/audio-frames.js';
import {
  CAPTURE_SLOT_BYTES,
  CAPTURE_SLOTS,
  CAPTURE_WRITTEN,
  type CaptureRing,
  createCaptureRing,
  createPlaybackRing,
  PLAYBACK_DROPPED,
  PLAYBACK_PLAYED,
  PLAYBACK_READ,
  PLAYBACK_SLOTS,
  PLAYBACK_UNDERRUNS,
  PLAYBACK_WRITTEN,
  type PlaybackRing,
  SLOT_META_WORDS,
} from './rings.js';
import captureUrl from './worklets/capture-processor.ts?worker&url';
import type { PlayerCommand, WorkletStopped } from './worklets/player-processor.js';
import playerUrl from './worklets/player-processor.ts?worker&url';

/**
 * Chromium delivers remote WebRTC audio to WebAudio as silence unless a playing media element
 * holds the track. One muted element holds every call's remote track (an element per call costs
 * an audio output stream each).
 */
class RemoteTrackKeeper {
  private readonly stream = new MediaStream();
  private readonly element: HTMLAudioElement;

  constructor() {
    this.element = document.createElement('audio');
    this.element.muted = true;
    this.element.autoplay = true;
    this.element.srcObject = this.stream;
    document.body.append(this.element);
  }

  hold(track: MediaStreamTrack): void {
    this.stream.addTrack(track);
    if (this.element.paused)
      void this.element
        .play()
        .catch((error: unknown) =>
          console.warn(`the remote audio holder did not play: ${String(error)}`),
        );
  }

  release(track: MediaStreamTrack): void {
    this.stream.removeTrack(track);
  }
}

/**
 * A context that has carried this many calls is replaced by a fresh one (and closed once its last
 * call ends); so is one that falls idle after carrying any. Chromium never collects a
 * MediaStreamAudioSourceNode or MediaStreamAudioDestinationNode while its context runs
 * (crbug.com/937231: they report pending activity for as long as the context is running), so each
 * call left both behind, with the native audio stream state under them: the soak saw the media
 * host grow 38 MB per 100 calls. Closing the context frees them; one context per call would cost
 * an audio stream, a worklet thread and the worklets' start for every call instead.
 */
export const CONTEXT_CALLS = 20;

/** One AudioContext and the calls it carries. */
class AudioGeneration {
  /** Calls whose audio is open on this context. */
  live = 0;
  /** Calls this context has carried. */
  served = 0;
  retired = false;

  constructor(readonly context: AudioContext) {}
}

async function openContext(): Promise<AudioContext> {
  const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
  try {
    await Promise.all([
      context.audioWorklet.addModule(captureUrl),
      context.audioWorklet.addModule(playerUrl),
    ]);
    if (context.state !== 'running') await context.resume();
  } catch (error) {
    void context.close().catch(() => undefined);
    throw error;
  }
  return context;
}

/**
 * The calls' audio contexts: new calls go to the current one; a replacement is prepared ahead
 * (contexts start asynchronously, a dial must not wait) and takes over once the current one has
 * carried CONTEXT_CALLS calls or has none left; a replaced context closes with its last call.
 */
export class AudioEngine {
  private readonly keeper = new RemoteTrackKeeper();
  private current: AudioGeneration;
  private fresh: AudioGeneration | null = null;
  private preparing = false;
  /** The current context, a prepared one, and replaced ones with calls still on them. */
  private readonly open = new Set<AudioGeneration>();
  /** Contexts closed so far (each took its calls' leftover nodes with it). */
  contextsClosed = 0;

  private constructor(context: AudioContext) {
    this.current = new AudioGeneration(context);
    this.open.add(this.current);
  }

  static async create(): Promise<AudioEngine> {
    if (typeof SharedArrayBuffer === 'undefined') {
      throw new Error(
        'SharedArrayBuffer is not available: the media host page must be cross-origin isolated (COOP same-origin + COEP require-corp)',
      );
    }
    return new AudioEngine(await openContext());
  }

  get sampleRate(): number {
    return this.current.context.sampleRate;
  }

  get openContexts(): number {
    return this.open.size;
  }

  createCallAudio(): CallAudio {
    this.takeFreshIfDue();
    const generation = this.current;
    generation.live++;
    generation.served++;
    if (generation.served >= CONTEXT_CALLS) this.prepare();
    return new CallAudio(generation.context, this.keeper, () => this.released(generation));
  }

  private released(generation: AudioGeneration): void {
    generation.live--;
    if (generation.live > 0) return;
    if (generation.retired) this.closeGeneration(generation);
    else if (generation === this.current && generation.served > 0) {
      // Idle with leftovers: swap in a clean context now (or when the one being prepared is ready).
      if (this.fresh) this.takeFreshIfDue();
      else this.prepare();
    }
  }

  private takeFreshIfDue(): void {
    const current = this.current;
    const due = current.served >= CONTEXT_CALLS || (current.live === 0 && current.served > 0);
    if (!due || !this.fresh) return;
    this.current = this.fresh;
    this.current.context
      .resume()
      .catch((error: unknown) => console.warn(`an audio context did not resume: ${String(error)}`));
    this.fresh = null;
    current.retired = true;
    if (current.live === 0) this.closeGeneration(current);
  }

  private prepare(): void {
    if (this.fresh || this.preparing) return;
    this.preparing = true;
    openContext().then(
      (context) => {
        this.preparing = false;
        // Held suspended until it takes calls: two running contexts in one page degraded what a
        // call's context delivered to a supervisor's speaker (supervise.test heard the customer at
        // 0.55-0.72 instead of 0.95-0.99 with a prepared context running idle beside the call's).
        context
          .suspend()
          .catch((error: unknown) =>
            console.warn(`a fresh audio context did not suspend: ${String(error)}`),
          );
        this.fresh = new AudioGeneration(context);
        this.open.add(this.fresh);
        if (this.current.live === 0) this.takeFreshIfDue();
      },
      (error: unknown) => {
        // Calls go on in the current context (it only keeps its leftovers longer); tried again
        // at the next call or the next idle moment.
        this.preparing = false;
        console.warn(`a fresh audio context could not be started: ${String(error)}`);
      },
    );
  }

  private closeGeneration(generation: AudioGeneration): void {
    this.open.delete(generation);
    this.contextsClosed++;
    generation.context
      .close()
      .catch((error: unknown) => console.warn(`an audio context did not close: ${String(error)}`));
  }
}

export type SupervisionMode = 'listen' | 'whisper' | 'barge';

/**
 * A person on another seat, reached by a SIP leg (seat-leg.ts): `voice` is the leg's remote audio
 * (their microphone), `ear` the node whose stream the leg sends them (what they hear).
 */
export interface SeatPerson {
  voice: MediaStream;
  ear: MediaStreamAudioDestinationNode;
}

/**
 * A person's microphone: echo cancellation against the call played on their speaker; no noise
 * suppression or gain control, which pump a headset microphone's level.
 */
export async function openMicrophone(deviceId: string): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      echoCancellation: true,
      noiseSuppression: false,
      autoGainControl: false,
    },
    video: false,
  });
}

/**
 * One person's speaker: a mix from the call's graph played on an <audio> element on their output
 * device (setSinkId). The element is marked with whose ear it is (data-party), which also lets a
 * test that attaches to this page find what each party hears.
 */
class Speaker {
  private readonly destination: MediaStreamAudioDestinationNode;
  /** Null when the ear is a seat leg's outgoing audio (the person's own seat plays it). */
  private readonly element: HTMLAudioElement | null;

  constructor(
    context: AudioContext,
    private readonly mix: AudioNode,
    party: 'agent' | 'supervisor',
    seatEar?: MediaStreamAudioDestinationNode,
  ) {
    this.destination = seatEar ?? new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
    mix.connect(this.destination);
    if (seatEar) {
      this.element = null;
      return;
    }
    this.element = document.createElement('audio');
    this.element.autoplay = true;
    this.element.dataset.party = party;
    this.element.srcObject = this.destination.stream;
    document.body.append(this.element);
  }

  async start(outputDeviceId: string): Promise<void> {
    if (!this.element) return;
    const party = this.element.dataset.party ?? '';
    if (outputDeviceId && 'setSinkId' in this.element) {
      await (this.element as HTMLAudioElement & { setSinkId(id: string): Promise<void> })
        .setSinkId(outputDeviceId)
        .catch((error: unknown) =>
          console.warn(
            `the ${party}'s speaker ${outputDeviceId} could not be used: ${String(error)}`,
          ),
        );
    }
    void this.element
      .play()
      .catch((error: unknown) =>
        console.warn(`the ${party}'s speaker did not play: ${String(error)}`),
      );
  }

  close(): void {
    try {
      this.mix.disconnect(this.destination);
    } catch {
      // already disconnected with the whole graph
    }
    if (this.element) {
      this.element.pause();
      this.element.srcObject = null;
      this.element.remove();
    }
    for (const track of this.destination.stream.getTracks()) track.stop();
  }
}

/** How long a call's closing waits for its worklets to stop (they do within a render quantum or two). */
const WORKLET_STOP_WAIT_MS = 3000;

/** Pairs each call's player with its capture worklet (they share a tap, rings.ts PlayerTap). */
let nextPair = 1;

/** One capture frame as the worklet left it in the ring (views into the ring: copy before the next drain). */
export interface CapturedFrame {
  seq: number;
  /** Frames written after this one (0: the newest). */
  age: number;
  /** μ-law, the customer. */
  left: Uint8Array;
  /** μ-law, what the customer heard (send only when `mixed`). */
  right: Uint8Array;
  mixed: boolean;
  /** The bot's runs, 4 words each (at, length, seq, from); `runCount` of them. */
  runs: Int32Array;
  runCount: number;
}

export interface PlayoutCounts {
  playedFrames: number;
  bufferedFrames: number;
  underruns: number;
  droppedFrames: number;
}

export class CallAudio {
  /** The call's outgoing audio: pass to JsSIP as the session's media stream. */
  readonly outgoingStream: MediaStream;
  private readonly player: AudioWorkletNode;
  private readonly botGain: GainNode;
  /** The bot and the agent: what the customer hears, less a barging supervisor. */
  private readonly voices: GainNode;
  private readonly outBus: GainNode;
  /** The customer's audio (the remote track), fanned out to the capture and the ears. */
  private readonly customerTap: GainNode;
  private readonly destination: MediaStreamAudioDestinationNode;
  private readonly capture: AudioWorkletNode;
  private readonly captureRing: CaptureRing;
  private readonly playbackRing: PlaybackRing;
  /** Capture frames the page has taken from the ring (= the next frame's seq). */
  private captureRead = 0;
  /** Capture frames lost because the page fell more than the ring behind. */
  captureOverruns = 0;
  /** Playback frames dropped because the player's ring was full. */
  ringDrops = 0;
  private remoteSource: MediaStreamAudioSourceNode | null = null;
  private remoteTrack: MediaStreamTrack | null = null;
  /** Seat legs' remote tracks held by the keeper (released at close). */
  private readonly seatTracks: MediaStreamTrack[] = [];
  private closed = false;
  private agent: {
    gain: GainNode;
    source: MediaStreamAudioSourceNode;
    stream: MediaStream;
    speaker: Speaker;
  } | null = null;
  private supervisor: {
    source: MediaStreamAudioSourceNode;
    stream: MediaStream;
    toCustomer: GainNode;
    toAgent: GainNode;
    ear: GainNode;
    speaker: Speaker;
    mode: SupervisionMode;
  } | null = null;
  /** What the agent hears (the customer, and a whispering or barging supervisor). */
  private agentEar: GainNode | null = null;

  constructor(
    private readonly context: AudioContext,
    private readonly keeper: RemoteTrackKeeper,
    /** Once, when the call's audio is closed: its context may then be closed. */
    private readonly onClosed: () => void = () => undefined,
  ) {
    const playback = createPlaybackRing();
    this.playbackRing = playback.ring;
    const capture = createCaptureRing();
    this.captureRing = capture.ring;
    const pair = nextPair++;
    this.player = new AudioWorkletNode(context, 'outbound-player', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { ring: playback.buffer, pair },
    });
    this.botGain = new GainNode(context, { gain: 1 });
    this.voices = new GainNode(context, { gain: 1, channelCount: 1, channelCountMode: 'explicit' });
    this.outBus = new GainNode(context, { gain: 1, channelCount: 1, channelCountMode: 'explicit' });
    this.customerTap = new GainNode(context, {
      gain: 1,
      channelCount: 1,
      channelCountMode: 'explicit',
    });
    this.destination = new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
    this.capture = new AudioWorkletNode(context, 'outbound-capture', {
      numberOfInputs: 2,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { ring: capture.buffer, pair },
    });
    this.player.connect(this.botGain).connect(this.voices).connect(this.outBus);
    this.customerTap.connect(this.capture, 0, 0);
    this.outBus.connect(this.destination);
    this.outBus.connect(this.capture, 0, 1);
    this.outgoingStream = this.destination.stream;
  }

  /**
   * Hands over every whole capture frame written since the last call (seq = frame number; `age` =
   * frames written after it, so 0 for the newest); returns how many were waiting.
   */
  drainCapture(onFrame: (frame: CapturedFrame) => void): number {
    const written = Atomics.load(this.captureRing.control, CAPTURE_WRITTEN);
    const waiting = written - this.captureRead;
    if (written - this.captureRead > CAPTURE_SLOTS) {
      // The page fell more than the ring behind: the oldest frames were overwritten (drop-oldest).
      this.captureOverruns += written - this.captureRead - CAPTURE_SLOTS;
      this.captureRead = written - CAPTURE_SLOTS;
    }
    const { audio, meta } = this.captureRing;
    while (this.captureRead < written) {
      const slot = this.captureRead % CAPTURE_SLOTS;
      const base = slot * CAPTURE_SLOT_BYTES;
      const m = slot * SLOT_META_WORDS;
      onFrame({
        seq: this.captureRead,
        age: written - 1 - this.captureRead,
        left: audio.subarray(base, base + SAMPLES_PER_FRAME),
        right: audio.subarray(base + SAMPLES_PER_FRAME, base + CAPTURE_SLOT_BYTES),
        mixed: meta[m] === 1,
        runs: meta.subarray(m + 2, m + SLOT_META_WORDS),
        runCount: meta[m + 1] ?? 0,
      });
      this.captureRead++;
    }
    return waiting;
  }

  playout(): PlayoutCounts {
    const control = this.playbackRing.control;
    return {
      playedFrames: Atomics.load(control, PLAYBACK_PLAYED),
      bufferedFrames: Math.max(
        0,
        Atomics.load(control, PLAYBACK_WRITTEN) - Atomics.load(control, PLAYBACK_READ),
      ),
      underruns: Atomics.load(control, PLAYBACK_UNDERRUNS),
      droppedFrames: Atomics.load(control, PLAYBACK_DROPPED),
    };
  }

  /** Feeds the customer's audio (the call's remote track) into the capture. */
  attachRemote(track: MediaStreamTrack): void {
    if (this.closed) return;
    this.remoteSource?.disconnect();
    if (this.remoteTrack) this.keeper.release(this.remoteTrack);
    this.remoteTrack = track;
    this.keeper.hold(track);
    this.remoteSource = this.context.createMediaStreamSource(new MediaStream([track]));
    this.remoteSource.connect(this.customerTap);
  }

  /**
   * Writes one 20 ms frame (μ-law, the engine's seq) for the player. A full ring drops it (drop-newest, counted): the engine
   * keeps far less in flight than the ring holds, so this only happens if its pacing broke.
   */
  play(seq: number, mulaw: Uint8Array): void {
    if (this.closed) return;
    const control = this.playbackRing.control;
    const written = Atomics.load(control, PLAYBACK_WRITTEN);
    if (written - Atomics.load(control, PLAYBACK_READ) >= PLAYBACK_SLOTS) {
      Atomics.add(control, PLAYBACK_DROPPED, 1);
      this.ringDrops++;
      return;
    }
    decodeMulawFrame(
      mulaw,
      this.playbackRing.samples,
      (written % PLAYBACK_SLOTS) * SAMPLES_PER_FRAME,
      0,
      SAMPLES_PER_FRAME,
    );
    this.playbackRing.seqs[written % PLAYBACK_SLOTS] = seq;
    Atomics.store(control, PLAYBACK_WRITTEN, written + 1);
  }

  flush(): void {
    const command: PlayerCommand = { type: 'flush' };
    this.player.port.postMessage(command);
  }

  /**
   * The agent takes the call: their microphone into outBus (so the customer and the recording's
   * right channel hear it), the bot faded out and its player flushed, the customer on the agent's
   * speaker. The microphone is running before the bot fades, so no word falls in a gap.
   */
  async takeOver(
    options: {
      inputDeviceId: string;
      outputDeviceId: string;
      crossfadeMs: number;
    },
    person?: SeatPerson,
  ): Promise<{ inputLabel: string }> {
    if (this.closed) throw new Error('the call has ended');
    if (this.agent) throw new Error('an agent already has this call');
    const stream = person
      ? this.holdSeatVoice(person)
      : await openMicrophone(options.inputDeviceId);
    if (this.closed) {
      for (const track of stream.getTracks()) track.stop();
      throw new Error('the call ended while the microphone started');
    }
    const source = this.context.createMediaStreamSource(stream);
    const gain = new GainNode(this.context, { gain: 0 });
    source.connect(gain).connect(this.voices);
    const ear = this.ensureAgentEar();
    const speaker = new Speaker(this.context, ear, 'agent', person?.ear);
    this.agent = { gain, source, stream, speaker };
    this.fadeOutBot(options.crossfadeMs, gain);
    await speaker.start(options.outputDeviceId);
    return { inputLabel: stream.getAudioTracks()[0]?.label ?? '' };
  }

  /** A seat leg's remote audio as a microphone: held by the keeper (else WebAudio hears silence). */
  private holdSeatVoice(person: SeatPerson): MediaStream {
    for (const track of person.voice.getAudioTracks()) {
      this.keeper.hold(track);
      this.seatTracks.push(track);
    }
    return person.voice;
  }

  /** A node whose stream a seat leg sends: what that person will hear once they join. */
  seatEar(): MediaStreamAudioDestinationNode {
    return new MediaStreamAudioDestinationNode(this.context, { channelCount: 1 });
  }

  /** The agent's ear: the customer, and (gain-switched) the supervisor. Built once, kept till the end. */
  private ensureAgentEar(): GainNode {
    if (this.agentEar) return this.agentEar;
    const ear = new GainNode(this.context, {
      gain: 1,
      channelCount: 1,
      channelCountMode: 'explicit',
    });
    this.customerTap.connect(ear);
    if (this.supervisor) this.supervisor.toAgent.connect(ear);
    this.agentEar = ear;
    return ear;
  }

  /** The bot out over crossfadeMs (and `rising` in), then its player flushed. */
  private fadeOutBot(crossfadeMs: number, rising: GainNode | null): void {
    const fade = crossfadeMs / 1000;
    const t = this.context.currentTime;
    if (rising) {
      rising.gain.setValueAtTime(0, t);
      rising.gain.linearRampToValueAtTime(1, t + fade);
    }
    this.botGain.gain.setValueAtTime(this.botGain.gain.value, t);
    this.botGain.gain.linearRampToValueAtTime(0, t + fade);
    setTimeout(() => this.flush(), crossfadeMs + 20);
  }

  /**
   * A supervisor joins the call (their microphone and speaker from Settings) or changes mode. The
   * microphone runs from the start in every mode, so a switch is only a gain ramp: listen hears
   * everyone and is heard by nobody; whisper is heard by the agent only; barge by everyone.
   * `takeover` (a barge on a bot call) also fades the bot out and flushes its player.
   */
  async supervise(
    options: {
      mode: SupervisionMode;
      inputDeviceId: string;
      outputDeviceId: string;
      takeover: boolean;
      crossfadeMs: number;
    },
    person?: SeatPerson,
  ): Promise<{ inputLabel: string }> {
    if (this.closed) throw new Error('the call has ended');
    if (options.mode === 'whisper' && !this.agent)
      throw new Error('whisper needs an agent on the call');
    let supervisor = this.supervisor;
    if (!supervisor) {
      const stream = person
        ? this.holdSeatVoice(person)
        : await openMicrophone(options.inputDeviceId);
      if (this.closed) {
        for (const track of stream.getTracks()) track.stop();
        throw new Error('the call ended while the microphone started');
      }
      if (this.supervisor) {
        // Another join raced this one: keep the first.
        for (const track of stream.getTracks()) track.stop();
        supervisor = this.supervisor;
      } else {
        const source = this.context.createMediaStreamSource(stream);
        const toCustomer = new GainNode(this.context, { gain: 0 });
        const toAgent = new GainNode(this.context, { gain: 0 });
        source.connect(toCustomer).connect(this.outBus);
        source.connect(toAgent);
        if (this.agentEar) toAgent.connect(this.agentEar);
        const ear = new GainNode(this.context, {
          gain: 1,
          channelCount: 1,
          channelCountMode: 'explicit',
        });
        this.customerTap.connect(ear);
        this.voices.connect(ear);
        const speaker = new Speaker(this.context, ear, 'supervisor', person?.ear);
        supervisor = { source, stream, toCustomer, toAgent, ear, speaker, mode: 'listen' };
        this.supervisor = supervisor;
        await speaker.start(options.outputDeviceId);
      }
    }
    const t = this.context.currentTime;
    const heardByCustomer = options.mode === 'barge' ? 1 : 0;
    const heardByAgent = options.mode === 'listen' ? 0 : 1;
    supervisor.toCustomer.gain.setTargetAtTime(heardByCustomer, t, 0.005);
    supervisor.toAgent.gain.setTargetAtTime(heardByAgent, t, 0.005);
    supervisor.mode = options.mode;
    if (options.takeover) this.fadeOutBot(options.crossfadeMs, null);
    return { inputLabel: supervisor.stream.getAudioTracks()[0]?.label ?? '' };
  }

  /** The supervisor leaves: their microphone and speaker out of the call, which goes on as before. */
  unsupervise(): void {
    const supervisor = this.supervisor;
    if (!supervisor) return;
    this.supervisor = null;
    supervisor.toCustomer.disconnect();
    supervisor.toAgent.disconnect();
    supervisor.source.disconnect();
    this.customerTap.disconnect(supervisor.ear);
    this.voices.disconnect(supervisor.ear);
    for (const track of supervisor.stream.getTracks()) track.stop();
    supervisor.speaker.close();
  }

  get hasAgent(): boolean {
    return this.agent !== null;
  }

  get supervisionMode(): SupervisionMode | null {
    return this.supervisor?.mode ?? null;
  }

  /** The agent's microphone off or on (a short ramp, no click). */
  muteAgent(muted: boolean): void {
    if (!this.agent) throw new Error('no agent has this call');
    this.agent.gain.gain.setTargetAtTime(muted ? 0 : 1, this.context.currentTime, 0.005);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopWorklets();
    this.remoteSource?.disconnect();
    this.player.disconnect();
    this.botGain.disconnect();
    this.unsupervise();
    if (this.agent) {
      this.agent.source.disconnect();
      this.agent.gain.disconnect();
      for (const track of this.agent.stream.getTracks()) track.stop();
      this.agent.speaker.close();
      this.agent = null;
    }
    this.agentEar?.disconnect();
    this.agentEar = null;
    this.customerTap.disconnect();
    this.voices.disconnect();
    this.outBus.disconnect();
    for (const track of this.destination.stream.getTracks()) track.stop();
    if (this.remoteTrack) this.keeper.release(this.remoteTrack);
    this.remoteTrack = null;
    for (const track of this.seatTracks.splice(0)) this.keeper.release(track);
  }

  /**
   * Stops both worklets and, once both have stopped (or after WORKLET_STOP_WAIT_MS), tells the
   * AudioEngine the call's audio is done: its context may then close. A worklet node whose
   * processor was still running when its context closed stays alive for good, its context too.
   */
  private stopWorklets(): void {
    let waiting = 2;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const done = (): void => {
      if (waiting < 0) return;
      waiting = -1;
      if (timer) clearTimeout(timer);
      this.player.port.onmessage = null;
      this.capture.port.onmessage = null;
      this.player.port.close();
      this.capture.port.close();
      this.onClosed();
    };
    const onMessage = (event: MessageEvent<WorkletStopped>): void => {
      if (event.data.type === 'stopped' && --waiting === 0) done();
    };
    this.player.port.onmessage = onMessage;
    this.capture.port.onmessage = onMessage;
    timer = setTimeout(done, WORKLET_STOP_WAIT_MS);
    const stop: PlayerCommand = { type: 'stop' };
    this.player.port.postMessage(stop);
    this.capture.port.postMessage(stop);
  }
}
