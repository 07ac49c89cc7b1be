/**
 * WebAudio for calls: one shared AudioContext at the engine's 16 kHz (Chromium resamples the
 * 48 kHz WebRTC audio for us), and per call a small graph:
 *
 *   remote track ─► source ─────────────────────────────► capture[0] (left: customer)
 *   engine PCM ──► player ─► botGain ─► outBus ─┬─► destination (the call's outgoing track)
 *                                               └─► capture[1] (right: what the customer hears)
 *
 * Later an agent's microphone joins outBus through its own gain, so a takeover is a gain change.
 */
import { SAMPLE_RATE } from '../../../electron/engine/api/audio-frames.js';
import captureUrl from './worklets/capture-processor.ts?worker&url';
import playerUrl from './worklets/player-processor.ts?worker&url';
import type { CaptureFrameMessage } from './worklets/capture-processor.js';
import type { PlayerCommand, PlayerReport } from './worklets/player-processor.js';

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
    if (this.element.paused) void this.element.play().catch((error: unknown) => console.warn(`the remote audio holder did not play: ${String(error)}`));
  }

  release(track: MediaStreamTrack): void {
    this.stream.removeTrack(track);
  }
}

export class AudioEngine {
  private readonly keeper = new RemoteTrackKeeper();

  private constructor(readonly context: AudioContext) {}

  static async create(): Promise<AudioEngine> {
    const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    await Promise.all([context.audioWorklet.addModule(captureUrl), context.audioWorklet.addModule(playerUrl)]);
    if (context.state !== 'running') await context.resume();
    return new AudioEngine(context);
  }

  createCallAudio(handlers: CallAudioHandlers): CallAudio {
    return new CallAudio(this.context, this.keeper, handlers);
  }
}

export interface CallAudioHandlers {
  onCaptureFrame(message: CaptureFrameMessage): void;
  onPlayerReport(report: PlayerReport): void;
}

export class CallAudio {
  /** The call's outgoing audio: pass to JsSIP as the session's media stream. */
  readonly outgoingStream: MediaStream;
  private readonly player: AudioWorkletNode;
  private readonly botGain: GainNode;
  private readonly outBus: GainNode;
  private readonly destination: MediaStreamAudioDestinationNode;
  private readonly capture: AudioWorkletNode;
  private remoteSource: MediaStreamAudioSourceNode | null = null;
  private remoteTrack: MediaStreamTrack | null = null;
  private closed = false;

  constructor(
    private readonly context: AudioContext,
    private readonly keeper: RemoteTrackKeeper,
    handlers: CallAudioHandlers,
  ) {
    this.player = new AudioWorkletNode(context, 'outbound-player', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { maxFrames: 30 },
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
    });
    this.player.connect(this.botGain).connect(this.outBus);
    this.outBus.connect(this.destination);
    this.outBus.connect(this.capture, 0, 1);
    this.outgoingStream = this.destination.stream;
    this.capture.port.onmessage = (event: MessageEvent<CaptureFrameMessage>) => handlers.onCaptureFrame(event.data);
    this.player.port.onmessage = (event: MessageEvent<PlayerReport>) => handlers.onPlayerReport(event.data);
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

  play(samples: Int16Array): void {
    if (this.closed) return;
    const command: PlayerCommand = { type: 'frame', samples };
    this.player.port.postMessage(command, [samples.buffer]);
  }

  flush(): void {
    const command: PlayerCommand = { type: 'flush' };
    this.player.port.postMessage(command);
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
    this.outBus.disconnect();
    for (const track of this.destination.stream.getTracks()) track.stop();
    if (this.remoteTrack) this.keeper.release(this.remoteTrack);
    this.remoteTrack = null;
  }
}
