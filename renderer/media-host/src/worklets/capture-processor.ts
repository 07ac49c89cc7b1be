/**
 * Capture: re-chunks the render quanta (128 samples at the context's 16 kHz) of two inputs into
 * 20 ms stereo Int16 frames: input 0 is the customer (the call's remote track), input 1 is what the
 * call sends them (the bot/agent mix). Each frame is written straight into the byte layout the
 * engine expects, after the header space, and transferred (no copy) to the page.
 */
import { CAPTURE_FRAME_BYTES, FRAME_HEADER_BYTES, SAMPLES_PER_FRAME } from '../../../../electron/engine/api/audio-frames.js';

export interface CaptureFrameMessage {
  seq: number;
  /** The context's sample clock at the frame's first sample. */
  frame: number;
  buffer: ArrayBuffer;
}

function toInt16(sample: number): number {
  const clipped = sample < -1 ? -1 : sample > 1 ? 1 : sample;
  return clipped < 0 ? Math.round(clipped * 0x8000) : Math.round(clipped * 0x7fff);
}

class CaptureProcessor extends AudioWorkletProcessor {
  private buffer = new ArrayBuffer(CAPTURE_FRAME_BYTES);
  private left = new Int16Array(this.buffer, FRAME_HEADER_BYTES, SAMPLES_PER_FRAME);
  private right = new Int16Array(this.buffer, FRAME_HEADER_BYTES + SAMPLES_PER_FRAME * 2, SAMPLES_PER_FRAME);
  private fill = 0;
  private seq = 0;
  private frameStart = 0;
  private running = true;

  constructor(options?: AudioWorkletNodeOptions) {
    super(options);
    this.port.onmessage = (event: MessageEvent<{ type: 'stop' }>) => {
      if (event.data.type === 'stop') this.running = false;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const customer = inputs[0]?.[0];
    const outgoing = inputs[1]?.[0];
    const length = customer?.length || outgoing?.length || 128;
    for (let i = 0; i < length; i++) {
      if (this.fill === 0) this.frameStart = currentFrame + i;
      this.left[this.fill] = customer && customer.length > 0 ? toInt16(customer[i] ?? 0) : 0;
      this.right[this.fill] = outgoing && outgoing.length > 0 ? toInt16(outgoing[i] ?? 0) : 0;
      this.fill++;
      if (this.fill === SAMPLES_PER_FRAME) {
        const message: CaptureFrameMessage = { seq: this.seq++, frame: this.frameStart, buffer: this.buffer };
        this.port.postMessage(message, [this.buffer]);
        this.buffer = new ArrayBuffer(CAPTURE_FRAME_BYTES);
        this.left = new Int16Array(this.buffer, FRAME_HEADER_BYTES, SAMPLES_PER_FRAME);
        this.right = new Int16Array(this.buffer, FRAME_HEADER_BYTES + SAMPLES_PER_FRAME * 2, SAMPLES_PER_FRAME);
        this.fill = 0;
      }
    }
    return this.running;
  }
}

registerProcessor('outbound-capture', CaptureProcessor);
