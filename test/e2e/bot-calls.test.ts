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
import {
  floatToInt16,
  readWav,
  resample,
  toMono,
  writeWav,
} from '../../electron/engine/audio/index.js';
import type { BotOutcome } from '../../electron/engine/bot/index.js';
import {
  DISCLOSURE_NODE_ID,
  disclosureText,
  type Flow,
  promptIn,
  renderTemplate,
} from '../../electron/engine/dialog/index.js';
import { EspeakWasmTts } from '../../electron/engine/tts/index.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { type Bed, startBed } from '../telephony/index.js';

let bed: Bed;
let calls: CallEngine;
let tts: EspeakWasmTts;
const utterances: CallUtterance[] = [];
// The voice's own folder (asterisk-core-sounds-en-wav), not the sounds/en alternatives link.
const REAL_TOMORROW = '/usr/share/asterisk/sounds/en_US_f_Allison/digits/tomorrow.wav';

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
async function debianEspeak(
  text: string,
  voice: string,
  wordsPerMinute: number,
  pitch: number,
): Promise<Int16Array> {
  const dir = join(bed.dir, 'customer');
  mkdirSync(dir, { recursive: true });
  const raw = join(dir, `${Buffer.from(text).toString('hex').slice(0, 24)}.wav`);
  execFileSync('espeak-ng', [
    '-v',
    voice,
    '-s',
    String(wordsPerMinute),
    '-p',
    String(pitch),
    '-w',
    raw,
    '--',
    text,
  ]);
  return wavSamples(raw);
}

/** A customer track: each utterance starts at its time (ms from the answer); silence elsewhere. */
async function customerTrack(
  name: string,
  parts: Array<{ atMs: number; samples: Int16Array }>,
  tailMs = 30_000,
): Promise<{ path: string; durationMs: number }> {
  const end = Math.max(...parts.map((p) => p.atMs + p.samples.length / 16)) + tailMs;
  const track = new Int16Array(Math.ceil((end * 16_000) / 1000));
  for (const part of parts)
    track.set(
      part.samples.subarray(0, track.length - Math.round(part.atMs * 16)),
      Math.round(part.atMs * 16),
    );
  const path = join(bed.dir, `${name}.wav`);
  await writeWav(path, { sampleRate: 16_000, channels: [track] });
  return { path, durationMs: end };
}

/** How long the bot's rendering of a node's prompt lasts, in ms (same engine, voice and cache as the bot). */
async function promptMs(
  flow: Flow,
  nodeId: string,
  field: 'text' | 'prompt' | 'say',
  fields: Record<string, string | number>,
): Promise<number> {
  const node = flow.nodes[nodeId] as unknown as Record<string, unknown>;
  const { text } = renderTemplate(
    promptIn(node[field] as string, flow.language),
    (k) => fields[k] ?? flow.variables?.[k],
  );
  const voice =
    flow.language === 'zh-CN'
      ? { language: flow.language, voice: 'cmn-latn-pinyin', rate: 1, pitch: 50 }
      : { language: flow.language, voice: 'en-us', rate: 1, pitch: 50 };
  return (await calls.engine.bot.prompts.render(text, voice)).durationMs;
}

/** How long the bot's rendering of the flow's AI disclosure lasts, in ms (said before the start node). */
async function disclosureMs(flow: Flow): Promise<number> {
  const text = disclosureText(flow);
  if (text === null) return 0;
  const voice =
    flow.language === 'zh-CN'
      ? { language: flow.language, voice: 'cmn-latn-pinyin', rate: 1, pitch: 50 }
      : { language: flow.language, voice: 'en-us', rate: 1, pitch: 50 };
  return (await calls.engine.bot.prompts.render(text, voice)).durationMs;
}

/** The flow's disclosure opens the call whole: first line, bot, never cut. */
function expectDisclosedFirst(
  utterances: Array<{
    speaker: string;
    text: string;
    cutAtMs: number | null;
    nodeId?: string | null;
  }>,
  flow: Flow,
): void {
  expect(utterances[0]).toMatchObject({
    speaker: 'bot',
    text: disclosureText(flow),
    cutAtMs: null,
    nodeId: DISCLOSURE_NODE_ID,
  });
}

/** Places a call that runs `flowName` and waits for the bot to finish. */
async function botCall(
  user: string,
  flowName: string,
  fields: Record<string, string | number>,
  trackPath: string,
  callLengthS: number,
) {
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
    const openingMs = await disclosureMs(flow);
    const greetMs = await promptMs(flow, 'greet', 'text', fields);
    const askMs = await promptMs(flow, 'ask_callback_time', 'prompt', fields);
    const later = await debianEspeak('call me back later', 'en-us+m7', 150, 40);
    const tomorrow = await wavSamples(REAL_TOMORROW);
    // After the disclosure and the greeting: "call me back later" 2 s into the question (barge-in);
    // "tomorrow" 1 s after the follow-up question.
    const firstAt = openingMs + 300 + greetMs + 500 + 2000;
    const secondAt = firstAt + later.length / 16 + 700 + askMs + 1000;
    const track = await customerTrack('appointment-customer', [
      { atMs: firstAt, samples: later },
      { atMs: secondAt, samples: tomorrow },
    ]);
    const { session, outcome, end, phone, prepared } = await botCall(
      '3101',
      'appointment-confirm-en',
      fields,
      track.path,
      Math.ceil(track.durationMs / 1000) + 5,
    );
    const events = calls.eventsOf(session.callId);
    const intents = events
      .filter((e) => e.type === 'intent')
      .map((e) => `${String(e.data.nodeId)}:${String(e.data.intent)}@${String(e.data.confidence)}`);
    console.info(
      `[en] path ${outcome.path.join(' → ')}; intents ${intents.join(', ')}; disposition ${outcome.storedDisposition}`,
    );
    const t0 = session.answeredAt ?? 0;
    for (const e of events.filter((e) =>
      [
        'speech_start',
        'speech_end',
        'barge_in',
        'bot_prompt',
        'recognition_wait',
        'intent',
      ].includes(e.type),
    ))
      console.info(`[en]   @${e.at - t0} ${e.type} ${JSON.stringify(e.data)}`);
    for (const line of linesOf(session.callId))
      console.info(
        `[en]   ${String(line.startMs).padStart(6)}–${String(line.endMs).padEnd(6)} ${line.speaker.padEnd(8)} ${line.text || '(not understood)'}${line.intent ? ` [${line.intent} ${line.confidence}]` : ''}${line.cutAtMs !== null ? ` (cut at ${line.cutAtMs})` : ''}`,
      );
    expect(outcome.path).toEqual([
      'greet',
      'has_appointment',
      'confirm',
      'ask_callback_time',
      'schedule_callback',
      'callback_ok',
    ]);
    expect(events.filter((e) => e.type === 'intent').map((e) => e.data.intent)).toEqual([
      'call_later',
      'time',
    ]);
    expect(events.some((e) => e.type === 'callback_requested')).toBe(true);
    expect(outcome.callbackAt).toBeInstanceOf(Date);
    expect(end.outcome).toBe('completed');
    // Stored: disposition, flow version, and the whole transcript with times.
    const stored = (await calls.engine.request('calls.get', { id: session.callId })) as {
      call: { disposition: string | null };
      utterances: Array<Omit<CallUtterance, 'callId' | 'at'>>;
    };
    expect(outcome.disposition).toBe('callback_scheduled');
    expect(stored.call.disposition).toBe('callback_scheduled');
    const record = await calls.engine.store.calls.get(session.callId);
    expect(record?.flowVersion).toBe(prepared.flowRef?.version);
    const customer = stored.utterances.filter((u) => u.speaker === 'customer');
    expect(customer.map((u) => u.intent)).toEqual(['call_later', 'time']);
    expect(stored.utterances.filter((u) => u.speaker === 'bot').length).toBeGreaterThanOrEqual(5);
    expectDisclosedFirst(stored.utterances, flow);
    for (const u of stored.utterances) expect(u.endMs).toBeGreaterThanOrEqual(u.startMs);
    // The customer's first answer came during the question: the question was cut there.
    const question = stored.utterances.find(
      (u) => u.speaker === 'bot' && u.text.startsWith('Will you be able'),
    );
    expect(question?.cutAtMs).not.toBeNull();
    // Each line keeps the flow node it belongs to: the answer is stored with the question's node.
    expect(question?.nodeId).toBeTruthy();
    expect(customer[0]?.nodeId).toBe(question?.nodeId);
    await phone.stop();
  }, 240_000);

  it('Mandarin bill reminder: 你是谁 then 明天还 (voice variants the trainer never used) → promise to pay, callback tomorrow 10:00', async () => {
    const fields = { name: '王先生', amount: 1280, due_date: '12月5日' };
    const { flow } = await calls.engine.flows.load('bill-reminder-zh');
    const openingMs = await disclosureMs(flow);
    const greetMs = await promptMs(flow, 'greet', 'text', fields);
    const noticeMs = await promptMs(flow, 'disclosure', 'text', fields);
    const whoMs = await promptMs(flow, 'who_say', 'text', fields);
    const who = (
      await tts.synthesize('你是谁', { language: 'zh-CN', voice: 'cmn+m7', rate: 0.95, pitch: 42 })
    ).samples;
    const tomorrow = (
      await tts.synthesize('明天还', {
        language: 'zh-CN',
        voice: 'cmn-latn-pinyin+m7',
        rate: 1.05,
        pitch: 45,
      })
    ).samples;
    // The AI disclosure and the amount notice cannot be cut: the customer speaks 2 s into the
    // question after them, then 2 s into the question asked again.
    const firstAt = openingMs + 300 + greetMs + noticeMs + 600 + 2000;
    const secondAt = firstAt + who.length / 16 + 700 + whoMs + 300 + 2000;
    const track = await customerTrack('bill-customer', [
      { atMs: firstAt, samples: who },
      { atMs: secondAt, samples: tomorrow },
    ]);
    const { session, outcome, end, phone } = await botCall(
      '3102',
      'bill-reminder-zh',
      fields,
      track.path,
      Math.ceil(track.durationMs / 1000) + 5,
    );
    const events = calls.eventsOf(session.callId);
    console.info(`[zh] path ${outcome.path.join(' → ')}; disposition ${outcome.storedDisposition}`);
    for (const line of linesOf(session.callId))
      console.info(
        `[zh]   ${String(line.startMs).padStart(6)}–${String(line.endMs).padEnd(6)} ${line.speaker.padEnd(8)} ${line.text || '(not understood)'}${line.intent ? ` [${line.intent} ${line.confidence}]` : ''}${line.cutAtMs !== null ? ` (cut at ${line.cutAtMs})` : ''}`,
      );
    expect(outcome.path).toEqual([
      'greet',
      'check_amount',
      'disclosure',
      'ask_pay',
      'who_say',
      'ask_pay',
      'schedule',
      'bye_promise',
    ]);
    expect(events.filter((e) => e.type === 'intent').map((e) => e.data.intent)).toEqual([
      'who',
      'tomorrow',
    ]);
    expect(outcome.storedDisposition).toBe('promise_to_pay');
    // 明天还 → tomorrow at the node's default hour, in the contact's zone (Asia/Shanghai).
    const at = outcome.callbackAt!;
    const shanghai = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
    expect(shanghai.find((p) => p.type === 'hour')?.value).toBe('10');
    expect(end.outcome).toBe('completed');
    const stored = (await calls.engine.request('calls.get', { id: session.callId })) as {
      call: { disposition: string | null };
      utterances: Array<{
        speaker: string;
        text: string;
        intent: string | null;
        cutAtMs: number | null;
        nodeId: string | null;
      }>;
    };
    expect(stored.call.disposition).toBe('promise_to_pay');
    expectDisclosedFirst(stored.utterances, flow);
    expect(stored.utterances.filter((u) => u.speaker === 'customer').map((u) => u.intent)).toEqual([
      'who',
      'tomorrow',
    ]);
    // The amount notice (bargeIn: false) played to its end.
    expect(stored.utterances.find((u) => u.text.startsWith('温馨提示'))?.cutAtMs).toBeNull();
    await phone.stop();
  }, 240_000);

  it('barge-in: the customer talks 1 s into a long prompt; the phone hears the bot stop within 300 ms of the speech onset', async () => {
    const flow = {
      id: 'barge-in-test',
      name: 'Barge-in test',
      language: 'en',
      start: 'menu',
      nodes: {
        menu: {
          kind: 'ask',
          prompt:
            'Thank you for taking our call. Before we start, here is a long list of the options you have today: you can confirm, you can reschedule, you can ask for a person, or you can stop these calls.',
          intents: [
            {
              name: 'agent',
              examples: ['talk to a person', 'operator', 'a real person please'],
              next: 'bye',
            },
          ],
          noInput: { maxAttempts: 1, next: 'bye' },
          noMatch: { maxAttempts: 1, next: 'bye' },
        },
        bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'completed' },
      },
    };
    const saved = (await calls.engine.request('flows.save', { definition: flow })) as {
      name: string;
      version: number;
    };
    const prepared = await calls.engine.bot.prepare({ name: saved.name, version: saved.version });
    const voice = { language: 'en' as const, voice: 'en-us', rate: 1, pitch: 50 };
    await calls.engine.bot.prompts.render(flow.nodes.menu.prompt, voice);
    const speech = await debianEspeak('talk to a person', 'en-us+m7', 150, 40);
    // The bot starts its prompt ~0.1–0.3 s after the answer; the customer 1.2 s after the answer.
    const track = await customerTrack('barge-customer', [{ atMs: 1200, samples: speech }], 15_000);
    const phone = await bed.phone({
      user: '3103',
      play: track.path,
      answer: 'auto',
      callLengthS: Math.ceil(track.durationMs / 1000) + 5,
    });
    const session = await calls.engine.telephony.dial({ number: '3103', trunk: 'main' });
    const bot = calls.engine.bot.attach(session, prepared, {});
    const outcome = await bot.run();
    await session.whenEnded();
    expect(outcome?.path).toEqual(['menu', 'bye']);
    // On the phone's own clock: when its voice started (what it sent) and when the bot's stopped (what it heard).
    const sent = await readWav(await phone.sentWav());
    const heard = await readWav(await phone.heardWav());
    const loud = (wav: Awaited<ReturnType<typeof readWav>>, threshold: number): boolean[] => {
      const x = toMono(wav.samples);
      const frame = wav.sampleRate / 100; // 10 ms
      const out: boolean[] = [];
      for (let at = 0; at + frame <= x.length; at += frame) {
        let e = 0;
        for (let i = at; i < at + frame; i++) e += x[i]! ** 2;
        out.push(Math.sqrt(e / frame) > threshold);
      }
      return out;
    };
    const sentLoud = loud(sent, 0.01);
    const onsetMs = sentLoud.indexOf(true) * 10;
    const heardLoud = loud(heard, 0.01);
    const promptStartMs = heardLoud.indexOf(true) * 10;
    // The prompt ends at the first 300 ms without bot audio after it started.
    let stopMs = -1;
    for (let i = promptStartMs / 10; i < heardLoud.length; i++) {
      if (heardLoud[i]) continue;
      if (heardLoud.slice(i, i + 30).every((v) => !v)) {
        stopMs = i * 10;
        break;
      }
    }
    const lines = linesOf(session.callId);
    const cut = lines.find((l) => l.speaker === 'bot' && l.nodeId === 'menu');
    console.info(
      `[barge-in] phone clock: prompt heard from ${promptStartMs} ms, customer onset ${onsetMs} ms (${onsetMs - promptStartMs} ms into the prompt), bot audio stopped ${stopMs} ms → stop latency ${stopMs - onsetMs} ms; transcript cut at ${String(cut?.cutAtMs)} ms of the call`,
    );
    expect(onsetMs - promptStartMs).toBeGreaterThan(700);
    expect(onsetMs - promptStartMs).toBeLessThan(1400);
    expect(stopMs).toBeGreaterThan(onsetMs);
    expect(stopMs - onsetMs).toBeLessThanOrEqual(300);
    expect(cut?.cutAtMs).not.toBeNull();
    await phone.stop();
  }, 120_000);
});

describe('bad input on a call never hangs the bot', () => {
  const flow = {
    id: 'robustness-test',
    name: 'Robustness test',
    language: 'en',
    start: 'q',
    nodes: {
      q: {
        kind: 'ask',
        prompt: 'Please say yes or no.',
        timeoutMs: 2000,
        intents: [
          { name: 'yes', examples: ['yes', 'yes please', 'sure'], next: 'done' },
          { name: 'no', examples: ['no', 'no thanks'], next: 'done' },
        ],
        noInput: { maxAttempts: 2, next: 'silent' },
        noMatch: { maxAttempts: 1, next: 'unclear' },
      },
      done: { kind: 'hangup', say: 'Thank you. Goodbye.', disposition: 'completed' },
      silent: {
        kind: 'hangup',
        say: 'We could not hear you. Goodbye.',
        disposition: 'no_response',
      },
      unclear: {
        kind: 'hangup',
        say: 'Sorry, we could not understand. Goodbye.',
        disposition: 'unclear',
      },
    },
  };

  async function run(user: string, track: string | undefined, callLengthS: number, tuning = {}) {
    const saved = (await calls.engine.request('flows.save', { definition: flow })) as {
      name: string;
      version: number;
    };
    const prepared = await calls.engine.bot.prepare({ name: saved.name, version: saved.version });
    const phone = await bed.phone({
      user,
      ...(track ? { play: track } : {}),
      answer: 'auto',
      callLengthS,
    });
    const session = await calls.engine.telephony.dial({ number: user, trunk: 'main' });
    const outcome = await calls.engine.bot.attach(session, prepared, {}, tuning).run();
    const end = await session.whenEnded();
    await phone.stop();
    return { outcome, end, events: calls.eventsOf(session.callId) };
  }

  it('noise only: the VAD hears no speech, so the question is asked twice and the call ends as no_response', async () => {
    const noise = join(bed.dir, 'noise.wav');
    execFileSync('sox', [
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-b',
      '16',
      noise,
      'synth',
      '25',
      'whitenoise',
      'vol',
      '0.05',
    ]);
    const { outcome, end, events } = await run('3111', noise, 30);
    expect(outcome?.path).toEqual(['q', 'silent']);
    expect(events.filter((e) => e.type === 'no_input')).toHaveLength(2);
    expect(events.some((e) => e.type === 'speech_start')).toBe(false);
    expect(outcome?.storedDisposition).toBe('no_response');
    expect(end.outcome).toBe('completed');
  }, 90_000);

  it('talking on and on: the utterance is cut at the maximum length, is not understood, and the call ends as unclear', async () => {
    const talk = await debianEspeak(
      'Well let me tell you about my weekend, we drove to the lake with my cousins and the weather was lovely and then the car broke down near the old bridge and we waited for hours',
      'en-us+m7',
      150,
      40,
    );
    const track = await customerTrack('endless-talk', [{ atMs: 2500, samples: talk }], 5000);
    const { outcome, events } = await run('3112', track.path, 40, {
      endpointer: { maxUtteranceMs: 4000 },
    });
    expect(events.find((e) => e.type === 'speech_end')?.data.reason).toBe('max_length');
    expect(outcome?.path).toEqual(['q', 'unclear']);
    expect(outcome?.storedDisposition).toBe('unclear');
  }, 90_000);

  it('the customer hangs up mid-prompt: the dialog is cancelled at once and the call is stored as completed', async () => {
    const started = Date.now();
    const { outcome, end } = await run('3113', undefined, 1);
    expect(outcome?.reason).toBe('cancelled');
    expect(end.outcome).toBe('completed');
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
