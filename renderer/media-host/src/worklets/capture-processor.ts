/**
 * Capture: re-chunks the render quanta (128 samples at the context's 16 kHz) of two inputs into
 * 20 ms stereo Int16 frames in the call's capture ring: input 0 is the customer (the call's remote
 * track), input 1 is what the call sends them (the bot/agent mix). The page drains the ring.
 */
import { SAMPLES_PER_FRAME } from '../../../../electron/engine/api/audio-frames.js';
import {
  CAPTURE_SLOT_SAMPLES,
  CAPTURE_SLOTS,
  CAPTURE_WRITTEN,
  type CaptureRing,
  captureRing,
} from '../rings.js';

function toInt16(sample: number): number {
  const clipped = sample < -1 ? -1 : sample > 1 ? 1 : sample;
  return clipped < 0 ? Math.round(clipped * 0x8000) : Math.round(clipped * 0x7fff);
}

class CaptureProcessor extends AudioWorkletProcessor {
  private readonly ring: CaptureRing;
  private written = 0;
  private fill = 0;
  private running = true;

  constructor(options?: AudioWorkletNodeOptions) {
    super(options);
    this.ring = captureRing((options?.processorOptions as { ring: SharedArrayBuffer }).ring);
    this.port.onmessage = (event: MessageEvent<{ type: 'stop' }>) => {
      if (event.data.type === 'stop') this.running = false;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const customer = inputs[0]?.[0];
    const outgoing = inputs[1]?.[0];
    const length = customer?.length || outgoing?.length || 128;
    const samples = this.ring.samples;
    let slot = (this.written % CAPTURE_SLOTS) * CAPTURE_SLOT_SAMPLES;
    for (let i = 0; i < length; i++) {
      samples[slot + this.fill] = customer && customer.length > 0 ? toInt16(customer[i] ?? 0) : 0;
      samples[slot + SAMPLES_PER_FRAME + this.fill] =
        outgoing && outgoing.length > 0 ? toInt16(outgoing[i] ?? 0) : 0;
      this.fill++;
      if (this.fill === SAMPLES_PER_FRAME) {
        this.written++;
        Atomics.store(this.ring.control, CAPTURE_WRITTEN, this.written);
        this.fill = 0;
        slot = (this.written % CAPTURE_SLOTS) * CAPTURE_SLOT_SAMPLES;
      }
    }
    return this.running;
  }
}

registerProcessor('outbound-capture', CaptureProcessor);
