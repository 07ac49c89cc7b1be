/**
 * The speech bot on real calls through the test bed: a baresip phone plays a scripted customer
 * (utterances separated by pauses) and the bot runs each sample flow along the expected path.
 *
 * Which audio is what:
 * - English customer: Debian's espeak-ng 1.51 binary with a voice variant (+m7) and speed the
 *   trainer never uses (training uses the espeak-ng WebAssembly build and its variants '', +f3,
 *   +m3, +f5), and a REAL human recording: "tomorrow" from Debian's asterisk-core-sounds-en-wav
 *   (a professional voice talent, 8 kHz telephone audio).
 * - Mandarin customer: espeak-ng WASM with a variant (+m7) and prosody the trainer never uses.
 *   No real Mandarin recording of a customer reply is available offline.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallUtterance } from '../../electron/engine/api/calls.js';
import { readWav, resample, toMono, floatToInt16, writeWav } from '../../electron/engine/audio/index.js';
import { renderTemplate, promptIn, type Flow } from '../../electron/engine/dialog/index.js';
import type { BotOutcome } from '../../electron/engine/bot/index.js';
import { EspeakWasmTts } from '../../electron/engine/tts/index.js';
import { startBed, type Bed } from '../telephony/index.js';
import { startCallEngine, type CallEngine } from '../support/call-engine.js';

let bed: Bed;
let calls: CallEngine;
let tts: EspeakWasmTts;
const utterances: CallUtterance[] = [];
const REAL_TOMORROW = '/usr/share/asterisk/sounds/en/digits/tomorrow.wav';

beforeAll(async () => {
  bed = await startBed();
  calls = await startCallEngine();
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
  calls.engine.subscribe((message) => {
    if (message.event === 'call.utterance') utterances.push(message.data as CallUtterance);
  });
  tts = new EspeakWasmTts();
  await tts.init();
}, 300_000);

afterAll(async () => {
  await calls?.stop();
  await bed?.stop();
});

/** 16 kHz mono samples of a WAV file. */
async function wavSamples(path: string): Promise<Int16Array> {
  const wav = await readWav(path);
  const mono = toMono(wav.samples);
  return floatToInt16(wav.sampleRate === 16_000 ? mono : resample(mono, wav.sampleRate, 16_000));
}

/** Debian's espeak-ng binary (not the build the trainer uses). */
async function debianEspeak(text: string, voice: string, wordsPerMinute: number, pitch: number): Promise<Int16Array> {
  const dir = join(bed.dir, 'customer');
  mkdirSync(dir, { recursive: true });
  const raw = join(dir, `${Buffer.from(text).toString('hex').slice(0, 24)}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-p', String(pitch), '-w', raw, '--', text]);
  return wavSamples(raw);
}

/** A customer track: each utterance starts at its time (ms from the answer); silence elsewhere. */
async function customerTrack(name: string, parts: Array<{ atMs: number; samples: Int16Array }>, tailMs = 30_000): Promise<{ path: string; durationMs: number }> {
  const end = Math.max(...parts.map((p) => p.atMs + (p.samples.length / 16))) + tailMs;
  const track = new Int16Array(Math.ceil((end * 16_000) / 1000));
  for (const part of parts) track.set(part.samples.subarray(0, track.length - Math.round(part.atMs * 16)), Math.round(part.atMs * 16));
  const path = join(bed.dir, `${name}.wav`);
  await writeWav(path, { sampleRate: 16_000, channels: [track] });
  return { path, durationMs: end };
}

/** How long the bot's rendering of a node's prompt lasts, in ms (same engine, voice and cache as the bot). */
async function promptMs(flow: Flow, nodeId: string, field: 'text' | 'prompt' | 'say', fields: Record<string, string | number>): Promise<number> {
  const node = flow.nodes[nodeId] as unknown as Record<string, unknown>;
  const { text } = renderTemplate(promptIn(node[field] as string, flow.language), (k) => fields[k] ?? flow.variables?.[k]);
  const voice = flow.language === 'zh-CN' ? { language: flow.language, voice: 'cmn-latn-pinyin', rate: 1, pitch: 50 } : { language: flow.language, voice: 'en-us', rate: 1, pitch: 50 };
  return (await calls.engine.bot.prompts.render(text, voice)).durationMs;
}

/** Places a call that runs `flowName` and waits for the bot to finish. */
async function botCall(user: string, flowName: string, fields: Record<string, string | number>, trackPath: string, callLengthS: number) {
  const prepared = await calls.engine.bot.prepare({ name: flowName });
  const phone = await bed.phone({ user, play: trackPath, answer: 'auto', callLengthS });
  const session = await calls.engine.telephony.dial({ number: user, trunk: 'main' });
  const bot = calls.engine.bot.attach(session, prepared, { fields });
  const outcome = (await bot.run()) as BotOutcome;
  const end = await session.whenEnded();
  return { phone, session, outcome, end, prepared };
}

function linesOf(callId: string): CallUtterance[] {
  return utterances.filter((u) => u.callId === callId);
}

describe('the bot runs the sample flows over real calls', () => {
  it('English appointment: "call me back later" (held-out synthetic voice), then a real human "tomorrow" → callback scheduled', async () => {
    const fields = { name: 'Alex', appointment_date: 'December 3rd', appointment_time: '10 am' };
    const { flow } = await calls.engine.flows.load('appointment-confirm-en');
    const greetMs = await promptMs(flow, 'greet', 'text', fields);
    const askMs = await promptMs(flow, 'ask_callback_time', 'prompt', fields);
    const later = await debianEspeak('call me back later', 'en-us+m7', 150, 40);
    const tomorrow = await wavSamples(REAL_TOMORROW);
    // "call me back later" 2 s into the question (barge-in); "tomorrow" 1 s after the follow-up question.
    const firstAt = greetMs + 500 + 2000;
    const secondAt = firstAt + later.length / 16 + 700 + askMs + 1000;
    const track = await customerTrack('appointment-customer', [
      { atMs: firstAt, samples: later },
      { atMs: secondAt, samples: tomorrow },
    ]);
    const { session, outcome, end, phone, prepared } = await botCall('3101', 'appointment-confirm-en', fields, track.path, Math.ceil(track.durationMs / 1000) + 5);
    const events = calls.eventsOf(session.callId);
    const intents = events.filter((e) => e.type === 'intent').map((e) => `${String(e.data.nodeId)}:${String(e.data.intent)}@${String(e.data.confidence)}`);
    console.info(`[en] path ${outcome.path.join(' → ')}; intents ${intents.join(', ')}; disposition ${outcome.storedDisposition}`);
    for (const line of linesOf(session.callId)) console.info(`[en]   ${String(line.startMs).padStart(6)}–${String(line.endMs).padEnd(6)} ${line.speaker.padEnd(8)} ${line.text || '(not understood)'}${line.intent ? ` [${line.intent} ${line.confidence}]` : ''}${line.cutAtMs !== null ? ` (cut at ${line.cutAtMs})` : ''}`);
    expect(outcome.path).toEqual(['greet', 'has_appointment', 'confirm', 'ask_callback_time', 'schedule_callback', 'callback_ok']);
    expect(events.filter((e) => e.type === 'intent').map((e) => e.data.intent)).toEqual(['call_later', 'time']);
    expect(events.some((e) => e.type === 'callback_requested')).toBe(true);
    expect(outcome.callbackAt).toBeInstanceOf(Date);
    expect(end.outcome).toBe('completed');
    // Stored: disposition, flow version, and the whole transcript with times.
    const stored = (await calls.engine.request('calls.get', { id: session.callId })) as { call: { disposition: string | null }; utterances: Array<Omit<CallUtterance, 'callId' | 'at' | 'nodeId'>> };
    expect(outcome.disposition).toBe('callback_scheduled');
    expect(stored.call.disposition).toBe('callback_scheduled');
    const record = await calls.engine.store.calls.get(session.callId);
    expect(record?.flowVersion).toBe(prepared.flowRef?.version);
    const customer = stored.utterances.filter((u) => u.speaker === 'customer');
    expect(customer.map((u) => u.intent)).toEqual(['call_later', 'time']);
    expect(stored.utterances.filter((u) => u.speaker === 'bot').length).toBeGreaterThanOrEqual(4);
    for (const u of stored.utterances) expect(u.endMs).toBeGreaterThanOrEqual(u.startMs);
    // The customer's first answer came during the question: the question was cut there.
    const question = stored.utterances.find((u) => u.speaker === 'bot' && u.text.startsWith('Will you be able'));
    expect(question?.cutAtMs).not.toBeNull();
    await phone.stop();
  }, 240_000);
});
