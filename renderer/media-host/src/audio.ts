/**
 * WebAudio for calls: one shared AudioContext at the engine's 16 kHz (Chromium resamples the
 * 48 kHz WebRTC audio for us), and per call a small graph:
 *
 *   remote track ─► source ─────────────────────────────► capture[0] (left: customer)
 *   engine PCM ──► player ─► botGain ─► outBus ─┬─► destination (the call's outgoing track)
 *   agent mic ───► agentGain ─────────┘         └─► capture[1] (right: what the customer hears)
 *   remote track ─► <audio> on the agent's output device (setSinkId), once an agent took the call
 *
 * An agent takeover is a gain change inside this graph (no new SIP leg): the microphone starts
 * first, then agentGain rises while botGain falls (a short crossfade), then the player is flushed.
 */
import { SAMPLE_RATE } from '../../../electron/engine/api/audio-frames.js';
import { SAMPLES_PER_FRAME } from '../../../electron/engine/api/audio-frames.js';
import {
  CAPTURE_SLOT_SAMPLES,
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
} from './rings.js';
import captureUrl from './worklets/capture-processor.ts?worker&url';
import type { PlayerCommand } from './worklets/player-processor.js';
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

export class AudioEngine {
  private readonly keeper = new RemoteTrackKeeper();

  private constructor(readonly context: AudioContext) {}

  static async create(): Promise<AudioEngine> {
    if (typeof SharedArrayBuffer === 'undefined') {
      throw new Error(
        'SharedArrayBuffer is not available: the media host page must be cross-origin isolated (COOP same-origin + COEP require-corp)',
      );
    }
    const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    await Promise.all([
      context.audioWorklet.addModule(captureUrl),
      context.audioWorklet.addModule(playerUrl),
    ]);
    if (context.state !== 'running') await context.resume();
    return new AudioEngine(context);
  }

  createCallAudio(): CallAudio {
    return new CallAudio(this.context, this.keeper);
  }
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
  private readonly outBus: GainNode;
  private readonly destination: MediaStreamAudioDestinationNode;
  private readonly capture: AudioWorkletNode;
  private readonly captureRing: CaptureRing;
  private readonly playbackRing: PlaybackRing;
  /** Capture frames the page has taken from the ring (= the next frame's seq). */
  private captureRead = 0;
  /** Capture frames lost because the page fell more than the ring behind. */
  captureOverruns = 0;
  private remoteSource: MediaStreamAudioSourceNode | null = null;
  private remoteTrack: MediaStreamTrack | null = null;
  private closed = false;
  private agent: {
    gain: GainNode;
    source: MediaStreamAudioSourceNode;
    stream: MediaStream;
    speaker: HTMLAudioElement;
  } | null = null;

  constructor(
    private readonly context: AudioContext,
    private readonly keeper: RemoteTrackKeeper,
  ) {
    const playback = createPlaybackRing();
    this.playbackRing = playback.ring;
    const capture = createCaptureRing();
    this.captureRing = capture.ring;
    this.player = new AudioWorkletNode(context, 'outbound-player', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { ring: playback.buffer },
    });
    this.botGain = new GainNode(context, { gain: 1 });
    this.outBus = new GainNode(context, { gain: 1, channelCount: 1, channelCountMode: 'explicit' });
    this.destination = new MediaStreamAudioDestinationNode(context, { channelCount: 1 });
    this.capture = new AudioWorkletNode(context, 'outbound-capture', {
      numberOfInputs: 2,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { ring: capture.buffer },
    });
    this.player.connect(this.botGain).connect(this.outBus);
    this.outBus.connect(this.destination);
    this.outBus.connect(this.capture, 0, 1);
    this.outgoingStream = this.destination.stream;
  }

  /** Hands over every whole capture frame written since the last call (seq = frame number). */
  drainCapture(onFrame: (seq: number, stereo: Int16Array) => void): void {
    const written = Atomics.load(this.captureRing.control, CAPTURE_WRITTEN);
    if (written - this.captureRead > CAPTURE_SLOTS) {
      // The page fell more than a second behind: the oldest frames were overwritten.
      this.captureOverruns += written - this.captureRead - CAPTURE_SLOTS;
      this.captureRead = written - CAPTURE_SLOTS;
    }
    while (this.captureRead < written) {
      const base = (this.captureRead % CAPTURE_SLOTS) * CAPTURE_SLOT_SAMPLES;
      onFrame(
        this.captureRead,
        this.captureRing.samples.subarray(base, base + CAPTURE_SLOT_SAMPLES),
      );
      this.captureRead++;
    }
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
    this.remoteSource.connect(this.capture, 0, 0);
  }

  /** Writes one 20 ms frame for the player; a full ring drops it (counted). */
  play(samples: Int16Array): void {
    if (this.closed) return;
    const control = this.playbackRing.control;
    const written = Atomics.load(control, PLAYBACK_WRITTEN);
    if (written - Atomics.load(control, PLAYBACK_READ) >= PLAYBACK_SLOTS) {
      Atomics.add(control, PLAYBACK_DROPPED, 1);
      return;
    }
    this.playbackRing.samples.set(
      samples.subarray(0, SAMPLES_PER_FRAME),
      (written % PLAYBACK_SLOTS) * SAMPLES_PER_FRAME,
    );
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
  async takeOver(options: {
    inputDeviceId: string;
    outputDeviceId: string;
    crossfadeMs: number;
  }): Promise<{ inputLabel: string }> {
    if (this.closed) throw new Error('the call has ended');
    if (this.agent) throw new Error('an agent already has this call');
    const stream = await navigator.mediaDevices.getUserMedia({
      // Echo cancellation against the customer's audio played on the agent's speaker; no noise
      // suppression or gain control, which pump a headset microphone's level.
      audio: {
        ...(options.inputDeviceId ? { deviceId: { exact: options.inputDeviceId } } : {}),
        echoCancellation: true,
        noiseSuppression: false,
        autoGainControl: false,
      },
      video: false,
    });
    if (this.closed) {
      for (const track of stream.getTracks()) track.stop();
      throw new Error('the call ended while the microphone started');
    }
    const source = this.context.createMediaStreamSource(stream);
    const gain = new GainNode(this.context, { gain: 0 });
    source.connect(gain).connect(this.outBus);
    const speaker = document.createElement('audio');
    speaker.autoplay = true;
    if (this.remoteTrack) speaker.srcObject = new MediaStream([this.remoteTrack]);
    document.body.append(speaker);
    this.agent = { gain, source, stream, speaker };
    const fade = options.crossfadeMs / 1000;
    const t = this.context.currentTime;
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(1, t + fade);
    this.botGain.gain.setValueAtTime(this.botGain.gain.value, t);
    this.botGain.gain.linearRampToValueAtTime(0, t + fade);
    setTimeout(() => this.flush(), options.crossfadeMs + 20);
    if (options.outputDeviceId && 'setSinkId' in speaker) {
      await (speaker as HTMLAudioElement & { setSinkId(id: string): Promise<void> })
        .setSinkId(options.outputDeviceId)
        .catch((error: unknown) =>
          console.warn(
            `the agent's speaker ${options.outputDeviceId} could not be used: ${String(error)}`,
          ),
        );
    }
    void speaker
      .play()
      .catch((error: unknown) =>
        console.warn(`the agent's speaker did not play: ${String(error)}`),
      );
    return { inputLabel: stream.getAudioTracks()[0]?.label ?? '' };
  }

  /** The agent's microphone off or on (a short ramp, no click). */
  muteAgent(muted: boolean): void {
    if (!this.agent) throw new Error('no agent has this call');
    this.agent.gain.gain.setTargetAtTime(muted ? 0 : 1, this.context.currentTime, 0.005);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const stop: PlayerCommand = { type: 'stop' };
    this.player.port.postMessage(stop);
    this.capture.port.postMessage({ type: 'stop' });
    this.remoteSource?.disconnect();
    this.player.disconnect();
    this.botGain.disconnect();
    if (this.agent) {
      this.agent.source.disconnect();
      this.agent.gain.disconnect();
      for (const track of this.agent.stream.getTracks()) track.stop();
      this.agent.speaker.pause();
      this.agent.speaker.srcObject = null;
      this.agent.speaker.remove();
      this.agent = null;
    }
    this.outBus.disconnect();
    for (const track of this.destination.stream.getTracks()) track.stop();
    if (this.remoteTrack) this.keeper.release(this.remoteTrack);
    this.remoteTrack = null;
  }
}
