/**
 * A finished bot call as History stores it, made without the SIP bed: the call row (pinned to a
 * flow version), its transcript (a bot prompt, then customer utterances at given times with the
 * ask node they answered) and its stereo recording (left the customer, right the bot, as
 * recording/ writes them). For the labelling loop's tests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { encodeWav } from '../../audio/index.js';
import type { Store } from '../../store/types.js';

export interface SyntheticUtterance {
  /** 16 kHz mono audio the customer says. */
  samples: Int16Array;
  /** Where it starts, ms from the answer (the recording's start). */
  atMs: number;
  nodeId: string | null;
  text?: string;
  intent?: string | null;
}

export async function storeSyntheticCall(
  store: Store,
  dataDir: string,
  input: {
    callId: string;
    flowId: number;
    flowVersion: number;
    utterances: SyntheticUtterance[];
    /** The recording's length; default 1 s after the last utterance. */
    durationMs?: number;
    /** false: the call has no recording. */
    record?: boolean;
  },
): Promise<void> {
  const rate = 16_000;
  const durationMs = Math.round(
    input.durationMs ??
      Math.max(
        2_000,
        ...input.utterances.map((u) => u.atMs + (u.samples.length / rate) * 1000 + 1_000),
      ),
  );
  const frames = Math.round((durationMs * rate) / 1000);
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  // The bot's prompt on the right channel for the first second: it must never reach a clip.
  for (let i = 0; i < Math.min(frames, rate); i++)
    right[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  for (const u of input.utterances) {
    // A recording shorter than the transcript (cut short) keeps what fits.
    const at = Math.round((u.atMs * rate) / 1000);
    if (at < frames) left.set(u.samples.subarray(0, frames - at), at);
  }
  const startedAt = Date.now() - durationMs - 5_000;
  await store.calls.create({
    id: input.callId,
    number: '+12025550123',
    startedAt,
    flowId: input.flowId,
    flowVersion: input.flowVersion,
  });
  await store.calls.update(input.callId, {
    state: 'done',
    outcome: 'completed',
    answeredAt: startedAt + 3_000,
    endedAt: startedAt + 3_000 + durationMs,
  });
  await store.calls.addUtterance(input.callId, {
    speaker: 'bot',
    text: 'Can you confirm your order?',
    startMs: 0,
    endMs: 1_000,
    nodeId: input.utterances[0]?.nodeId ?? null,
  });
  for (const u of input.utterances) {
    await store.calls.addUtterance(input.callId, {
      speaker: 'customer',
      text: u.text ?? '',
      intent: u.intent ?? null,
      startMs: u.atMs,
      endMs: u.atMs + Math.round((u.samples.length / rate) * 1000),
      nodeId: u.nodeId,
    });
  }
  if (input.record === false) return;
  await mkdir(join(dataDir, 'recordings'), { recursive: true });
  const bytes = encodeWav({ sampleRate: rate, channels: [left, right] });
  await writeFile(join(dataDir, 'recordings', `${input.callId}.wav`), bytes);
  await store.calls.addRecording({
    callId: input.callId,
    path: `recordings/${input.callId}.wav`,
    channels: 2,
    sampleRate: rate,
    durationMs,
    bytes: bytes.length,
  });
}
