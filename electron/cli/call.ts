/**
 * `outbound call <number> --trunk NAME [--play FILE.wav | --flow NAME|FILE] [--record FILE.wav]`:
 * places one real call headless (the media host in Chromium), prints every milestone with its time
 * since the dial, and either plays the WAV as the bot's voice once answered or runs the speech bot
 * with a flow (each turn printed: speaker, text or phrase, intent, confidence, start/end ms from
 * the answer; then the outcome and disposition). Writes what the customer said, and ends when either
 * side hangs up, the WAV has played or the flow has ended. The exit code tells the outcome.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import type { CallUtterance } from '../engine/api/calls.js';
import { loadPrompt, type Prompt, writeWav } from '../engine/audio/index.js';
import type { BotOutcome } from '../engine/bot/index.js';
import type { BotFlowSpec, PreparedFlow } from '../engine/bot/service.js';
import { checkFlow } from '../engine/dialog/index.js';
import type { Logger } from '../engine/index.js';
import type { CallEnd } from '../engine/telephony/index.js';
import { TelephonyError } from '../engine/telephony/index.js';
import { startHeadlessServer } from '../headless/index.js';
import { startCliEngine } from './engine.js';
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
  /** Run the bot with this flow: a saved flow's name (NAME or NAME@VERSION) or a flow file. */
  flow: string | undefined;
  /** The contact's fields for the flow's {variables}, as key=value. */
  contact: string[];
  timeZone: string | undefined;
  rendererDir: string;
  version: string;
  log: Logger;
  stopSignal: Promise<string>;
}

/** Exit codes by outcome, so scripts can branch without parsing output. */
export const CALL_EXIT_CODES = {
  answered: 0,
  failed: 1,
  busy: 3,
  no_answer: 4,
  invalid_number: 5,
} as const;
type CliOutcome = keyof typeof CALL_EXIT_CODES;

/** After the WAV has played, keep listening this long before hanging up (the tail of the audio path). */
const AFTER_PLAY_MS = 400;

/** Reads --flow: a file (exists, or ends in .json) or a saved flow NAME[@VERSION]; null after printing why not. */
async function flowSpec(ref: string, out: Output): Promise<BotFlowSpec | null> {
  if (existsSync(ref) || ref.toLowerCase().endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(resolve(ref), 'utf8'));
    } catch (error) {
      out.error(
        'BAD_FLOW_FILE',
        `--flow ${ref}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(error as Error).message})`}`,
        { field: 'flow' },
      );
      return null;
    }
    const check = checkFlow(json);
    if (!check.flow) {
      for (const issue of check.errors)
        out.record({ event: 'invalid', ...issue }, `error: ${issue.text}`);
      out.error(
        'INVALID_FLOW',
        `--flow ${ref}: ${check.errors.length} problem${check.errors.length === 1 ? '' : 's'}`,
        { field: 'flow' },
      );
      return null;
    }
    return { flow: check.flow };
  }
  const at = ref.lastIndexOf('@');
  const version = at > 0 ? Number(ref.slice(at + 1)) : undefined;
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
    out.error('USAGE', `--flow: a flow version is a whole number from 1 (got "${ref}")`, {
      field: 'flow',
    });
    return null;
  }
  return { name: at > 0 ? ref.slice(0, at) : ref, ...(version !== undefined ? { version } : {}) };
}

function contactFields(pairs: string[]): Record<string, string | number> | string {
  const fields: Record<string, string | number> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return `--contact takes key=value (got "${pair}")`;
    const value = pair.slice(at + 1);
    fields[pair.slice(0, at)] =
      value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return fields;
}

export async function placeCall(options: CallCommandOptions, out: Output): Promise<number> {
  if (options.flow && options.play) {
    out.error('USAGE', '--play and --flow do not go together: the flow speaks for the bot', {
      field: 'play',
    });
    return 2;
  }
  const fields = contactFields(options.contact);
  if (typeof fields === 'string') {
    out.error('USAGE', fields, { field: 'contact' });
    return 2;
  }
  const spec = options.flow ? await flowSpec(options.flow, out) : null;
  if (options.flow && !spec) return 2;
  let prompt: Prompt | null = null;
  if (options.play) {
    try {
      prompt = await loadPrompt(resolve(options.play));
    } catch (error) {
      out.error('BAD_WAV', `--play: ${error instanceof Error ? error.message : String(error)}`, {
        field: 'play',
      });
      return 2;
    }
  }
  const engine = await startCliEngine(options, out);
  if (!engine) return 1;
  let prepared: PreparedFlow | null = null;
  if (spec) {
    try {
      const flow =
        'flow' in spec ? spec.flow : (await engine.flows.load(spec.name, spec.version)).flow;
      out.record(
        { event: 'flow', id: flow.id, name: flow.name, language: flow.language },
        `Flow "${flow.name}" (${flow.language}): loading its phrase models (trained now if they never were)…`,
      );
      let lastShown = 0;
      await engine.bot.phraseModels.train(flow, (p) => {
        if (p.stage === 'queued' || p.stage === 'cached' || Date.now() - lastShown < 2000) return;
        lastShown = Date.now();
        out.record(
          { event: 'training', ...p },
          `  training ${p.nodeId ?? ''}: ${p.stage} ${p.done}/${p.total} (question ${p.nodesDone + 1} of ${p.nodes})`,
        );
      });
      prepared = await engine.bot.prepare(spec);
    } catch (error) {
      await engine.stop();
      const code = (error as { code?: string }).code;
      out.error(
        code === 'NOT_FOUND' ? 'FLOW_NOT_FOUND' : 'FLOW_FAILED',
        `--flow ${options.flow ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
        { field: 'flow' },
      );
      return code === 'NOT_FOUND' ? 2 : 1;
    }
  }
  const server = await startHeadlessServer({
    api: engine,
    rendererDir: options.rendererDir,
    port: 0,
    log: options.log,
  });
  // Loaded here, not at start-up: playwright-core is only needed by the command that places calls.
  const { createChromiumMediaHostLauncher } = await import('../headless/media-host-launcher.js');
  engine.telephony.setLauncher(createChromiumMediaHostLauncher({ server, log: options.log }));
  const dialedAt = Date.now();
  const since = (at: number): string => `+${((at - dialedAt) / 1000).toFixed(3)}s`;
  // Subscribe before dialing: the first milestones come before dial() returns the call id.
  let callId: string | null = null;
  const early: Array<{ callId: string; at: number; type: string; data: Record<string, unknown> }> =
    [];
  const print = (event: {
    callId: string;
    at: number;
    type: string;
    data: Record<string, unknown>;
  }): void => {
    out.record(
      {
        event: 'call.event',
        callId: event.callId,
        type: event.type,
        eventAt: new Date(event.at).toISOString(),
        sinceDialMs: event.at - dialedAt,
        data: event.data,
      },
      `${since(event.at).padStart(9)}  ${event.type.padEnd(16)} ${describe(event.data)}`,
    );
  };
  const printTurn = (u: CallUtterance): void => {
    const heard =
      u.speaker === 'customer' ? (u.text === '' ? '(not understood)' : `"${u.text}"`) : u.text;
    const intent = u.intent
      ? ` → ${u.intent} (${(u.confidence ?? 0).toFixed(2)})`
      : u.speaker === 'customer' && u.confidence !== null
        ? ` (best ${u.confidence.toFixed(2)})`
        : '';
    const cut = u.cutAtMs !== null ? ` [cut at ${(u.cutAtMs / 1000).toFixed(2)}s]` : '';
    out.record(
      {
        event: 'turn',
        callId: u.callId,
        speaker: u.speaker,
        text: u.text,
        intent: u.intent,
        confidence: u.confidence,
        startMs: u.startMs,
        endMs: u.endMs,
        cutAtMs: u.cutAtMs,
        nodeId: u.nodeId,
      },
      `  ${(u.startMs / 1000).toFixed(2).padStart(7)}–${(u.endMs / 1000).toFixed(2).padEnd(7)} ${u.speaker.padEnd(8)} ${heard}${intent}${cut}`,
    );
  };
  const unsubscribe = engine.subscribe((message) => {
    if (message.event === 'call.utterance') {
      const u = message.data as CallUtterance;
      if (u.callId === callId) printTurn(u);
      return;
    }
    if (message.event !== 'call.event') return;
    const event = message.data as {
      callId: string;
      at: number;
      type: string;
      data: Record<string, unknown>;
    };
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
    out.record(
      { event: 'call', callId, number: session.number, trunk: session.trunk.name },
      `Calling ${session.number} on trunk "${session.trunk.name}" (call ${callId})`,
    );
    for (const event of early.splice(0)) if (event.callId === callId) print(event);

    const bot = prepared
      ? engine.bot.attach(session, prepared, {
          fields,
          ...(options.timeZone ? { timeZone: options.timeZone } : {}),
        })
      : null;
    const botDone: Promise<BotOutcome | null> = bot ? bot.run() : Promise.resolve(null);
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
    // A failure in these background steps is logged and ends the call, never left unhandled.
    const failed = (step: string) => (error: unknown) => {
      options.log.error(`outbound call: ${step} failed`, {
        callId: session.callId,
        error: error instanceof Error ? error.stack : String(error),
      });
      return session.hangup(`${step} failed`, 'cli').catch(() => undefined);
    };
    void answered
      .then(async () => {
        if (options.maxDurationMs !== undefined)
          maxTimer = setTimeout(
            () =>
              void session
                .hangup(`--max-duration ${options.maxDurationMs} ms reached`, 'cli')
                .catch(failed('hanging up at --max-duration')),
            options.maxDurationMs,
          );
        if (!prompt) return;
        const played = await session.play(prompt.frames);
        if (played.completed) {
          await new Promise((r) => setTimeout(r, AFTER_PLAY_MS));
          await session.hangup('the WAV has played', 'cli');
        }
      })
      .catch(failed('playing the WAV'));
    void options.stopSignal
      .then((signal) => session.hangup(`stopped by ${signal}`, 'cli'))
      .catch(failed('hanging up on a signal'));

    const end: CallEnd = await session.whenEnded();
    const botOutcome = await botDone;
    if (maxTimer) clearTimeout(maxTimer);
    if (options.record) {
      const path = resolve(options.record);
      await mkdir(dirname(path), { recursive: true });
      const samples = new Int16Array(heard.length * 320);
      heard.forEach((frame, i) => samples.set(frame, i * 320));
      await writeWav(path, { sampleRate: 16_000, channels: [samples] });
      out.record(
        { event: 'recorded', path, durationMs: Math.round(samples.length / 16) },
        `Wrote what the customer said to ${path} (${(samples.length / 16_000).toFixed(1)} s)`,
      );
    }
    const outcome: CliOutcome =
      end.answeredAt !== null
        ? 'answered'
        : (end.outcome as CliOutcome) in CALL_EXIT_CODES
          ? (end.outcome as CliOutcome)
          : 'failed';
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
        ...(prepared
          ? {
              flow: { name: prepared.name, version: prepared.flowRef?.version ?? null },
              disposition: botOutcome?.storedDisposition ?? null,
              dialogEnd: botOutcome?.reason ?? null,
              path: botOutcome?.path ?? [],
              callbackAt: botOutcome?.callbackAt?.toISOString() ?? null,
              transfer: botOutcome?.transfer ?? null,
            }
          : {}),
      },
      `${outcome}${end.sipCode ? ` (SIP ${end.sipCode}${end.sipReason ? ` ${end.sipReason}` : ''})` : ''}: ${end.reason} — trunk "${end.trunk}"${
        botOutcome
          ? `\nflow ${prepared?.name ?? ''}: ${botOutcome.reason}, disposition ${botOutcome.storedDisposition ?? 'none'}${botOutcome.callbackAt ? `, callback ${botOutcome.callbackAt.toISOString()}` : ''}; path ${botOutcome.path.join(' → ')}`
          : ''
      }`,
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
  if (typeof data.sipCode === 'number')
    parts.push(`${data.sipCode}${typeof data.sipReason === 'string' ? ` ${data.sipReason}` : ''}`);
  for (const key of ['detail', 'reason', 'outcome', 'from', 'to', 'number'] as const) {
    if (typeof data[key] === 'string')
      parts.push(`${key === 'detail' ? '' : `${key}: `}${String(data[key])}`);
  }
  return parts.join(' · ');
}
