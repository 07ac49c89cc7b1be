/**
 * `outbound call <number> --trunk NAME [--play FILE.wav] [--record FILE.wav]`: places one real call
 * headless (the media host in Chromium), prints every milestone with its time since the dial,
 * plays the WAV as the bot's voice once answered, writes what the customer said, and ends when
 * either side hangs up or the WAV has played. The exit code tells the outcome.
 */
import { dirname, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { loadPrompt, writeWav, type Prompt } from '../engine/audio/index.js';
import { Engine, EngineStartError, type Logger } from '../engine/index.js';
import type { CallEnd } from '../engine/telephony/index.js';
import { TelephonyError } from '../engine/telephony/index.js';
import { startHeadlessServer } from '../headless/index.js';
import type { Output } from './output.js';

export interface CallCommandOptions {
  dataDir: string;
  number: string;
  trunk: string | undefined;
  play: string | undefined;
  record: string | undefined;
  ringTimeoutMs: number | undefined;
  /** Hang up after this long once answered (without --play the call otherwise lasts until the customer hangs up). */
  maxDurationMs: number | undefined;
  rendererDir: string;
  version: string;
  log: Logger;
  stopSignal: Promise<string>;
}

/** Exit codes by outcome, so scripts can branch without parsing output. */
export const CALL_EXIT_CODES = { answered: 0, failed: 1, busy: 3, no_answer: 4, invalid_number: 5 } as const;
type CliOutcome = keyof typeof CALL_EXIT_CODES;

/** After the WAV has played, keep listening this long before hanging up (the tail of the audio path). */
const AFTER_PLAY_MS = 400;

export async function placeCall(options: CallCommandOptions, out: Output): Promise<number> {
  let prompt: Prompt | null = null;
  if (options.play) {
    try {
      prompt = await loadPrompt(resolve(options.play));
    } catch (error) {
      out.error('BAD_WAV', `--play: ${error instanceof Error ? error.message : String(error)}`, { field: 'play' });
      return 2;
    }
  }
  let engine: Engine;
  try {
    engine = await Engine.start({ dataDir: options.dataDir, transport: 'in-process', version: options.version, log: options.log, actor: 'cli' });
  } catch (error) {
    if (error instanceof EngineStartError) {
      out.error(error.code, error.message);
      return 1;
    }
    throw error;
  }
  const server = await startHeadlessServer({ api: engine, rendererDir: options.rendererDir, port: 0, log: options.log });
  // Loaded here, not at start-up: playwright-core is only needed by the command that places calls.
  const { createChromiumMediaHostLauncher } = await import('../headless/media-host-launcher.js');
  engine.telephony.setLauncher(createChromiumMediaHostLauncher({ server, log: options.log }));
  const dialedAt = Date.now();
  const since = (at: number): string => `+${((at - dialedAt) / 1000).toFixed(3)}s`;
  // Subscribe before dialing: the first milestones come before dial() returns the call id.
  let callId: string | null = null;
  const early: Array<{ callId: string; at: number; type: string; data: Record<string, unknown> }> = [];
  const print = (event: { callId: string; at: number; type: string; data: Record<string, unknown> }): void => {
    out.record(
      { event: 'call.event', callId: event.callId, type: event.type, eventAt: new Date(event.at).toISOString(), sinceDialMs: event.at - dialedAt, data: event.data },
      `${since(event.at).padStart(9)}  ${event.type.padEnd(16)} ${describe(event.data)}`,
    );
  };
  const unsubscribe = engine.subscribe((message) => {
    if (message.event !== 'call.event') return;
    const event = message.data as { callId: string; at: number; type: string; data: Record<string, unknown> };
    if (callId === null) early.push(event);
    else if (event.callId === callId) print(event);
  });
  try {
    let session;
    try {
      session = await engine.telephony.dial({
        number: options.number,
        ...(options.trunk === undefined ? {} : { trunk: options.trunk }),
        ...(options.ringTimeoutMs === undefined ? {} : { ringTimeoutMs: options.ringTimeoutMs }),
      });
    } catch (error) {
      if (error instanceof TelephonyError) {
        out.error(error.code, error.message, error.field ? { field: error.field } : undefined);
        return error.code === 'INVALID_NUMBER' || error.code === 'NO_TRUNK' ? 2 : 1;
      }
      throw error;
    }
    callId = session.callId;
    out.record({ event: 'call', callId, number: session.number, trunk: session.trunk.name }, `Calling ${session.number} on trunk "${session.trunk.name}" (call ${callId})`);
    for (const event of early.splice(0)) if (event.callId === callId) print(event);

    const heard: Int16Array[] = [];
    if (options.record) session.onAudio((frame) => heard.push(frame.left.slice()));

    let maxTimer: ReturnType<typeof setTimeout> | null = null;
    const answered = new Promise<void>((resolveAnswered) => {
      const check = setInterval(() => {
        if (session.answeredAt !== null) {
          clearInterval(check);
          resolveAnswered();
        }
      }, 10);
      void session.whenEnded().then(() => clearInterval(check));
    });
    void answered.then(async () => {
      if (options.maxDurationMs !== undefined) maxTimer = setTimeout(() => void session.hangup(`--max-duration ${options.maxDurationMs} ms reached`, 'cli'), options.maxDurationMs);
      if (!prompt) return;
      const played = await session.play(prompt.frames);
      if (played.completed) {
        await new Promise((r) => setTimeout(r, AFTER_PLAY_MS));
        await session.hangup('the WAV has played', 'cli');
      }
    });
    void options.stopSignal.then((signal) => session.hangup(`stopped by ${signal}`, 'cli'));

    const end: CallEnd = await session.whenEnded();
    if (maxTimer) clearTimeout(maxTimer);
    if (options.record) {
      const path = resolve(options.record);
      await mkdir(dirname(path), { recursive: true });
      const samples = new Int16Array(heard.length * 320);
      heard.forEach((frame, i) => samples.set(frame, i * 320));
      await writeWav(path, { sampleRate: 16_000, channels: [samples] });
      out.record({ event: 'recorded', path, durationMs: Math.round(samples.length / 16) }, `Wrote what the customer said to ${path} (${(samples.length / 16_000).toFixed(1)} s)`);
    }
    const outcome: CliOutcome = end.answeredAt !== null ? 'answered' : (end.outcome as CliOutcome) in CALL_EXIT_CODES ? (end.outcome as CliOutcome) : 'failed';
    out.record(
      {
        event: 'result',
        callId,
        outcome,
        callOutcome: end.outcome,
        sipCode: end.sipCode,
        sipReason: end.sipReason,
        reason: end.reason,
        trunk: end.trunk,
        answeredAt: end.answeredAt,
        endedAt: end.endedAt,
        recording: end.recording?.path ?? null,
      },
      `${outcome}${end.sipCode ? ` (SIP ${end.sipCode}${end.sipReason ? ` ${end.sipReason}` : ''})` : ''}: ${end.reason} — trunk "${end.trunk}"`,
    );
    return CALL_EXIT_CODES[outcome];
  } finally {
    unsubscribe();
    await engine.stop();
    await server.close();
  }
}

function describe(data: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof data.sipCode === 'number') parts.push(`${data.sipCode}${typeof data.sipReason === 'string' ? ` ${data.sipReason}` : ''}`);
  for (const key of ['detail', 'reason', 'outcome', 'from', 'to', 'number'] as const) {
    if (typeof data[key] === 'string') parts.push(`${key === 'detail' ? '' : `${key}: `}${String(data[key])}`);
  }
  return parts.join(' · ');
}
