/**
 * The speech bot on real calls through the test bed, measured where the customer is: at a
 * baresip phone's own recordings of what it sent (the customer) and what it heard (the bot), one
 * clock, so no clock offset.
 *   - turn latency: end of the customer's answer → first bot audio at the phone;
 *   - processing share: the endpointer's decision that the answer ended → the reply's first frame
 *     handed to the media host (recognition, dialog, prompt), from the engine's call events;
 *   - barge-in stop: the customer's speech onset → the bot's audio stopping at the phone;
 *   - greeting: the answer → the first frame of the call's first prompt handed to the media host,
 *     with the phone answering at once: the flow's AI and recording disclosure (on in new flows
 *     and the samples; a fixed text from the prompt cache), and, in a flow without one, a
 *     personal greeting ("Hello {name}…", rendered for that call only);
 *   - the engine's event-loop delay (p50/p99) while the calls run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import {
  floatToInt16,
  readWav,
  resample,
  toMono,
  writeWav,
} from '../electron/engine/audio/index.js';
import {
  MIN_BARGE_IN_SPEECH_MS,
  SAY_MIN_BARGE_IN_SPEECH_MS,
} from '../electron/engine/bot/interruption.js';
import {
  END_CONFIDENT_MS,
  END_HESITANT_MS,
  END_INCOMPLETE_MS,
  END_UNSURE_MS,
} from '../electron/engine/bot/turn-detector.js';
import { DEFAULT_DISCLOSURE_TEXT } from '../electron/engine/dialog/index.js';
import { Engine } from '../electron/engine/index.js';
import { startHeadlessServer } from '../electron/headless/index.js';
import { createChromiumMediaHostLauncher } from '../electron/headless/media-host-launcher.js';
import { speechCacheDir } from '../test/support/speech-cache-dir.js';
import { type Bed, startBed } from '../test/telephony/index.js';
import { type BenchRow, type BenchSuite, ms, percentile } from './harness.js';
import { loudness, stretches } from './loudness.js';

const quiet = { info() {}, warn() {}, error() {} };
/**
 * BOT_BENCH_PARTS=turns: only the turn-latency calls (to look into a turn-taking change without the
 * rest; run the suite directly then, not through bench/run.ts, which would write a partial section).
 * BOT_BENCH_DETAIL=1 prints each turn's end judgement and latency on stderr.
 */
const TURNS_ONLY = process.env.BOT_BENCH_PARTS === 'turns';
const DETAIL = process.env.BOT_BENCH_DETAIL === '1';
const TURN_CALLS = 3;
const TURNS_PER_CALL = 6;
const BARGE_CALLS = TURNS_ONLY ? 0 : 6;
const GREETING_CALLS = TURNS_ONLY ? 0 : 4;

const QUESTION = 'Shall I go on?';
const LOOP_FLOW = {
  id: 'bench-turns',
  name: 'Bench: turns',
  language: 'en',
  start: 'q',
  nodes: {
    q: {
      kind: 'ask',
      prompt: QUESTION,
      intents: [
        { name: 'go', examples: ['yes', 'go on', 'sure', 'yes please'], next: 'q' },
        { name: 'stop', examples: ['no', 'stop', 'that is enough'], next: 'bye' },
      ],
      noInput: { maxAttempts: 2, next: 'bye' },
      noMatch: { maxAttempts: 3, next: 'bye' },
    },
    bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'completed' },
  },
};
const GREETING_FLOW = {
  id: 'bench-greeting',
  name: 'Bench: greeting',
  language: 'en',
  start: 'q',
  // As new flows and the samples open: the disclosure first (dialog/schema.ts's default text).
  disclosure: { enabled: true },
  nodes: {
    q: {
      kind: 'ask',
      prompt: 'Hello {name}. Shall I go on?',
      timeoutMs: 1000,
      intents: [{ name: 'go', examples: ['yes', 'go on'], next: 'bye' }],
      noInput: { maxAttempts: 1, next: 'bye' },
      noMatch: { maxAttempts: 1, next: 'bye' },
    },
    bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'completed' },
  },
};
/** The greeting flow without the disclosure: its first prompt is the personal greeting. */
const GREETING_PERSONAL_FLOW = {
  ...GREETING_FLOW,
  id: 'bench-greeting-personal',
  name: 'Bench: personal greeting',
  disclosure: { enabled: false },
};
const LONG_PROMPT =
  'Thank you for taking our call. Before we start, here is a long list of the options you have today: you can confirm, you can reschedule, you can ask for a person, or you can stop these calls.';
const BARGE_FLOW = {
  id: 'bench-barge-in',
  name: 'Bench: barge-in',
  language: 'en',
  start: 'menu',
  nodes: {
    menu: {
      kind: 'ask',
      prompt: LONG_PROMPT,
      intents: [{ name: 'agent', examples: ['talk to a person', 'operator'], next: 'bye' }],
      noInput: { maxAttempts: 1, next: 'bye' },
      noMatch: { maxAttempts: 1, next: 'bye' },
    },
    bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'completed' },
  },
};

/** Backchannels and coughs during a say node's prompt (no question model: the spotter or the length decides). */
const SAY_TEXT = {
  en: 'Thank you for being with us for so many years. We would like to tell you about a few changes to your plan, which take effect next month, and about the new opening hours of our service desk, which is now open on weekends as well.',
  'zh-CN':
    '感谢您多年来对我们的支持。我们想告诉您，您的套餐从下个月起会有一些变化，另外我们的服务台现在周末也开放，营业时间也有所调整，详细内容会通过短信发送给您。',
} as const;
const BACKCHANNELS = {
  en: ['uh-huh', 'mm-hmm', 'okay', 'ok', 'yeah', 'right', 'yes', 'sure'],
  'zh-CN': ['嗯', '对', '对对', '好的', '是的', '嗯嗯', '好', '行'],
} as const;
/** Customer voices for the backchannels: Debian's espeak-ng binary, variants training never uses. */
const BACKCHANNEL_VOICES = {
  en: [
    { voice: 'en-us+m7', wpm: 150, pitch: 40 },
    { voice: 'en-us+klatt4', wpm: 175, pitch: 55 },
  ],
  'zh-CN': [
    { voice: 'cmn+m7', wpm: 150, pitch: 40 },
    { voice: 'cmn+klatt4', wpm: 175, pitch: 55 },
  ],
} as const;
/** A burst every this-many ms, from 2 s into the call. */
const BURST_EVERY_MS = 2300;
const SAY_BARGE_CALLS = TURNS_ONLY ? 0 : 3;
const SAY_BARGE_SPEECH = 'hold on, I have a question about my bill';

function sayFlow(language: 'en' | 'zh-CN', id: string, repeats: number): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  for (let i = 1; i <= repeats; i++)
    nodes[`s${i}`] = {
      kind: 'say',
      text: SAY_TEXT[language],
      next: i < repeats ? `s${i + 1}` : 'bye',
    };
  nodes.bye = {
    kind: 'hangup',
    say: language === 'en' ? 'Goodbye.' : '再见。',
    disposition: 'completed',
  };
  return { id, name: `Bench: ${id}`, language, start: 's1', nodes };
}

function stats(values: number[]): { median: number; p95: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), n: values.length };
}

async function espeak(
  bed: Bed,
  text: string,
  voice: { voice: string; wpm: number; pitch: number } = { voice: 'en-us+m7', wpm: 150, pitch: 40 },
): Promise<Int16Array> {
  const raw = join(
    bed.dir,
    `bench-${Buffer.from(`${voice.voice}|${voice.wpm}|${text}`).toString('hex').slice(0, 48)}.wav`,
  );
  execFileSync('espeak-ng', [
    '-v',
    voice.voice,
    '-s',
    String(voice.wpm),
    '-p',
    String(voice.pitch),
    '-w',
    raw,
    '--',
    text,
  ]);
  const wav = await readWav(raw);
  return floatToInt16(resample(toMono(wav.samples), wav.sampleRate, 16_000));
}

async function track(
  bed: Bed,
  name: string,
  parts: Array<{ atMs: number; samples: Int16Array }>,
  tailMs: number,
): Promise<{ path: string; seconds: number }> {
  const endMs = Math.max(...parts.map((p) => p.atMs + p.samples.length / 16)) + tailMs;
  const out = new Int16Array(Math.ceil(endMs * 16));
  for (const p of parts) out.set(p.samples, Math.round(p.atMs * 16));
  const path = join(bed.dir, `${name}.wav`);
  await writeWav(path, { sampleRate: 16_000, channels: [out] });
  return { path, seconds: Math.ceil(endMs / 1000) };
}

const suite: BenchSuite = {
  title: 'The speech bot on real calls',
  method: [
    `Through the SIP test bed on loopback (Kamailio, rtpengine, baresip phones), the engine with its media host in Chromium running a flow on each call. The customer is a baresip phone playing an espeak-ng voice the recognizer was not trained on; times come from the phone's own recordings of what it sent and what it heard (one clock), by 10 ms frames louder than −40 dBFS.`,
    `Turn latency: ${TURN_CALLS} calls × ${TURNS_PER_CALL} answers ("yes" → the bot asks "${QUESTION}" again): from the last loud frame of the customer's answer to the first loud frame of the bot's reply. It contains the wait for the end of the turn (the bot ends it after ${END_CONFIDENT_MS} ms of silence when its speculative recognition already holds a confident answer, ${END_HESITANT_MS} ms after a negation or hedge start such as the closing "no", ${END_UNSURE_MS} ms when unsure, up to ${END_INCOMPLETE_MS} ms when nothing matched yet or the hesitation spotter heard only a filler or an opener since the last pause; see bot/turn-detector.ts) and the network path both ways.`,
    "Processing share: from the endpointer deciding the answer is over to the reply's first frame handed to the media host (speculative recognition already started at the first 128 ms of silence, the dialog step, the prompt from the cache), from the engine's call events.",
    `Greeting: from the answer to the first frame of the call's first prompt handed to the media host (its bot_prompt sinceAnswerMs, engine clock), phones answering at once. The first prompt is the flow's AI and recording disclosure ("${DEFAULT_DISCLOSURE_TEXT.en}", ${GREETING_CALLS} calls; a fixed text, rendered when the flow is saved and said from the prompt cache), as in new flows and the samples. Then the same flow without the disclosure (${GREETING_CALLS} calls), opening with "${GREETING_FLOW.nodes.q.prompt}" and a different name each call (so it is synthesized for that call, never cached). The bot renders the opening prompts while the call rings and says a personal prompt sentence by sentence; the sentence without a name comes from the prompt cache.`,
    `Backchannels and coughs during a say node's prompt (no question model): per language, ${BACKCHANNELS.en.length} backchannels (${BACKCHANNELS.en.join(', ')}; ${BACKCHANNELS['zh-CN'].join('、')}) in each of ${BACKCHANNEL_VOICES.en.length} Debian espeak-ng voices training never uses, one every ${BURST_EVERY_MS} ms into a chain of long say prompts, and 6 coughs (a breath and a short voiced burst); each set twice, with the backchannel spotter (the library's affirm model) and with the speech length alone (a say prompt is stopped for good by ${SAY_MIN_BARGE_IN_SPEECH_MS} ms of speech; before, by ${MIN_BARGE_IN_SPEECH_MS} ms like a question, which kept 15/16 English and 13/16 Mandarin backchannels over the bed at load 18). A burst counts as kept when it caused no barge_in event (the prompt never paused, or paused and resumed). Real barge-in on the same prompt: ${SAY_BARGE_CALLS} calls saying "${SAY_BARGE_SPEECH}", stop measured at the phone as below.`,
    `Barge-in stop: ${BARGE_CALLS} calls where the customer starts talking ~1 s into a 12 s prompt: from the onset of the customer's speech to the end of the bot's audio at the phone.`,
    "Event-loop delay: the engine process's event loop (perf_hooks.monitorEventLoopDelay, 10 ms resolution) over all these calls; the engine, the speech worker and the media host share the 2 cores with the bed.",
  ].join(' '),
  async run() {
    process.env.OUTBOUND_SPEECH_CACHE = speechCacheDir();
    const bed = await startBed();
    const dataDir = await mkdtemp(join(tmpdir(), 'outbound-bench-bot-'));
    const engine = await Engine.start({
      dataDir,
      transport: 'in-process',
      version: 'bench',
      log: quiet,
    });
    const server = await startHeadlessServer({
      api: engine,
      rendererDir: join(import.meta.dirname, '..', 'out', 'renderer'),
      port: 0,
      log: quiet,
    });
    engine.telephony.setLauncher(createChromiumMediaHostLauncher({ server, log: quiet }));
    await engine.request('settings.update', { changes: { recordCalls: false } });
    await engine.request('trunks.create', {
      name: 'bed',
      uri: bed.wsUri.open,
      domain: bed.sipDomain,
      maxConcurrentCalls: 100,
    });
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const rows: BenchRow[] = [];
    try {
      await engine.request('flows.save', { definition: LOOP_FLOW });
      await engine.request('flows.save', { definition: BARGE_FLOW });
      await engine.request('flows.save', { definition: GREETING_FLOW });
      await engine.request('flows.save', { definition: GREETING_PERSONAL_FLOW });
      const turns = await engine.bot.prepare({ name: LOOP_FLOW.id });
      const barge = await engine.bot.prepare({ name: BARGE_FLOW.id });
      const voice = { language: 'en' as const, voice: 'en-us', rate: 1, pitch: 50 };
      const questionMs = (await engine.bot.prompts.render(QUESTION, voice)).durationMs;
      await engine.bot.prompts.render(LONG_PROMPT, voice);
      await engine.bot.prompts.render('Goodbye.', voice);
      const yes = await espeak(bed, 'yes please');
      const no = await espeak(bed, 'no');
      const speech = await espeak(bed, 'talk to a person');
      loop.enable();

      // Warm-up call: starts Chromium and the speech worker, not measured.
      const warm = await bed.phone({ user: '4800', answer: 'auto', callLengthS: 4 });
      const warmCall = await engine.telephony.dial({ number: '4800', trunk: 'bed' });
      await warmCall.whenEnded();
      await warm.stop();

      const turnMs: number[] = [];
      const processingMs: number[] = [];
      // How the bot judged each answer's end (bot/turn-detector.ts), to say why a slow turn waited.
      const judged = new Map<string, number>();
      for (let c = 0; c < TURN_CALLS; c++) {
        // Answers 1.2 s after each question ends (the bot answers ~0.5 s after the customer stops).
        const parts: Array<{ atMs: number; samples: Int16Array }> = [];
        let at = 300 + questionMs + 1200;
        for (let t = 0; t < TURNS_PER_CALL; t++) {
          parts.push({ atMs: at, samples: yes });
          at += yes.length / 16 + 600 + questionMs + 1200;
        }
        parts.push({ atMs: at, samples: no });
        const customer = await track(bed, `turns-${c}`, parts, 6000);
        const phone = await bed.phone({
          user: `481${c}`,
          play: customer.path,
          answer: 'auto',
          callLengthS: customer.seconds + 5,
        });
        const session = await engine.telephony.dial({ number: `481${c}`, trunk: 'bed' });
        const bot = engine.bot.attach(session, turns);
        const events: Array<{ type: string; data: Record<string, unknown> }> = [];
        const off = engine.subscribe((m) => {
          if (m.event === 'call.event' && (m.data as { callId: string }).callId === session.callId)
            events.push(m.data as { type: string; data: Record<string, unknown> });
        });
        await bot.run();
        await session.whenEnded();
        off();
        for (const e of events) {
          if (e.type === 'bot_prompt' && typeof e.data.sinceDecisionMs === 'number')
            processingMs.push(e.data.sinceDecisionMs);
          if (e.type === 'speech_end') {
            // endOfTurn with the endpointer's reason: what held the turn until its hangover.
            const how =
              typeof e.data.endOfTurn !== 'string'
                ? String(e.data.reason)
                : e.data.reason === 'decided'
                  ? e.data.endOfTurn
                  : `${e.data.endOfTurn} (to the ${String(e.data.reason)} hangover)`;
            judged.set(String(how), (judged.get(String(how)) ?? 0) + 1);
          }
        }
        const sent = stretches(loudness(await readWav(await phone.sentWav())), 250);
        const heard = stretches(loudness(await readWav(await phone.heardWav())), 250);
        for (const [, end] of sent) {
          const reply = heard.find(([start]) => start >= end);
          if (reply && reply[0] - end < 3000) turnMs.push(reply[0] - end);
        }
        if (DETAIL)
          process.stderr.write(
            `call ${c}: ${events
              .filter((e) => ['speech_end', 'intent', 'recognition_wait'].includes(e.type))
              .map((e) => `${e.type} ${JSON.stringify(e.data)}`)
              .join('\n  ')}\n  turn ms: ${turnMs.slice(-(TURNS_PER_CALL + 1)).join(', ')}\n`,
          );
        await phone.stop();
      }

      const stopMs: number[] = [];
      for (let c = 0; c < BARGE_CALLS; c++) {
        const customer = await track(
          bed,
          `barge-${c}`,
          [{ atMs: 1200 + c * 40, samples: speech }],
          6000,
        );
        const phone = await bed.phone({
          user: `482${c}`,
          play: customer.path,
          answer: 'auto',
          callLengthS: customer.seconds + 5,
        });
        const session = await engine.telephony.dial({ number: `482${c}`, trunk: 'bed' });
        await engine.bot.attach(session, barge).run();
        await session.whenEnded();
        const sentLoud = loudness(await readWav(await phone.sentWav()));
        const onset = sentLoud.indexOf(true) * 10;
        const heard = stretches(loudness(await readWav(await phone.heardWav())), 300);
        const cut = heard.find(([start, end]) => start < onset && end > onset);
        if (cut) stopMs.push(cut[1] - onset);
        await phone.stop();
      }
      // Backchannels and coughs during a say node's prompt, with the spotter and without it (the
      // length-only rule the bot had before), and real barge-ins on the same kind of prompt.
      const burstsOf = async (
        language: 'en' | 'zh-CN',
      ): Promise<Array<{ label: string; bursts: Int16Array[] }>> => {
        const out = [];
        for (const voice of BACKCHANNEL_VOICES[language]) {
          const bursts: Int16Array[] = [];
          for (const word of BACKCHANNELS[language]) bursts.push(await espeak(bed, word, voice));
          out.push({ label: `${voice.voice} ${voice.wpm} wpm`, bursts });
        }
        return out;
      };
      // A cough as the bed's understanding test makes one (test/support/customer-track.ts): a
      // breath, then a short voiced "heh", at six speeds and pitches.
      const coughs: Int16Array[] = [];
      for (let i = 0; i < 6; i++) {
        const voiced = await espeak(bed, 'heh', {
          voice: 'en-us+klatt4',
          wpm: 240 + i * 10,
          pitch: 25 + i * 5,
        });
        const breath = new Int16Array(640);
        for (let k = 0; k < breath.length; k++)
          breath[k] = Math.round(
            ((Math.sin(k * 12.9898 + i) * 43758.5453) % 1) *
              6000 *
              Math.sin((Math.PI * k) / breath.length),
          );
        const out = new Int16Array(breath.length + voiced.length);
        out.set(breath);
        out.set(voiced, breath.length);
        coughs.push(out);
      }
      const sayRuns: Array<{
        language: 'en' | 'zh-CN';
        what: string;
        spotter: boolean;
        bursts: number;
        bargeIns: number;
        resumed: number;
      }> = [];
      let userNo = 0;
      for (const language of TURNS_ONLY ? [] : (['en', 'zh-CN'] as const)) {
        const id = `bench-say-${language === 'en' ? 'en' : 'zh'}`;
        await engine.request('flows.save', { definition: sayFlow(language, id, 3) });
        const prepared = await engine.bot.prepare({ name: id });
        const { backchannels: _spotter, ...lengthOnly } = prepared;
        const sets = [
          ...(await burstsOf(language)),
          ...(language === 'en' ? [{ label: 'coughs', bursts: coughs }] : []),
        ];
        for (const set of sets)
          for (const spotter of [true, false]) {
            const parts = set.bursts.map((samples, i) => ({
              atMs: 2000 + i * BURST_EVERY_MS,
              samples,
            }));
            const customer = await track(bed, `say-${userNo}`, parts, 3000);
            const user = `484${String(userNo++).padStart(2, '0')}`;
            const phone = await bed.phone({
              user,
              play: customer.path,
              answer: 'auto',
              callLengthS: customer.seconds + 2,
            });
            const session = await engine.telephony.dial({ number: user, trunk: 'bed' });
            const types: string[] = [];
            const off = engine.subscribe((m) => {
              if (
                m.event === 'call.event' &&
                (m.data as { callId: string }).callId === session.callId
              )
                types.push((m.data as { type: string }).type);
            });
            await engine.bot.attach(session, spotter ? prepared : lengthOnly).run();
            await session.whenEnded();
            off();
            await phone.stop();
            sayRuns.push({
              language,
              what: set.label,
              spotter,
              bursts: set.bursts.length,
              bargeIns: types.filter((t) => t === 'barge_in').length,
              resumed: types.filter((t) => t === 'prompt_resumed').length,
            });
          }
      }
      // Real barge-in on a say node: the prompt stops for good, and how fast at the phone.
      const sayBarge = TURNS_ONLY ? barge : await engine.bot.prepare({ name: 'bench-say-en' });
      const bargeSpeech = await espeak(bed, SAY_BARGE_SPEECH);
      const sayStopMs: number[] = [];
      let sayBarged = 0;
      for (let c = 0; c < SAY_BARGE_CALLS; c++) {
        const customer = await track(
          bed,
          `say-barge-${c}`,
          [{ atMs: 2500 + c * 170, samples: bargeSpeech }],
          4000,
        );
        const user = `485${c}`;
        const phone = await bed.phone({
          user,
          play: customer.path,
          answer: 'auto',
          callLengthS: customer.seconds + 2,
        });
        const session = await engine.telephony.dial({ number: user, trunk: 'bed' });
        const types: string[] = [];
        const off = engine.subscribe((m) => {
          if (m.event === 'call.event' && (m.data as { callId: string }).callId === session.callId)
            types.push((m.data as { type: string }).type);
        });
        await engine.bot.attach(session, sayBarge).run();
        await session.whenEnded();
        off();
        if (types.includes('barge_in')) sayBarged++;
        const sentLoud = loudness(await readWav(await phone.sentWav()));
        const onset = sentLoud.indexOf(true) * 10;
        const heard = stretches(loudness(await readWav(await phone.heardWav())), 300);
        const cut = heard.find(([start, end]) => start < onset && end > onset);
        if (cut) sayStopMs.push(cut[1] - onset);
        await phone.stop();
      }

      const greetingMs: number[] = [];
      const personalMs: number[] = [];
      for (let c = 0; c < 2 * GREETING_CALLS; c++) {
        const disclosed = c < GREETING_CALLS;
        const greeting = await engine.bot.prepare({
          name: disclosed ? GREETING_FLOW.id : GREETING_PERSONAL_FLOW.id,
        });
        const phone = await bed.phone({ user: `483${c}`, answer: 'auto', callLengthS: 10 });
        const session = await engine.telephony.dial({ number: `483${c}`, trunk: 'bed' });
        const events: Array<{ type: string; data: Record<string, unknown> }> = [];
        const off = engine.subscribe((m) => {
          if (m.event === 'call.event' && (m.data as { callId: string }).callId === session.callId)
            events.push(m.data as { type: string; data: Record<string, unknown> });
        });
        await engine.bot
          .attach(session, greeting, { fields: { name: ['Robin', 'Ann', 'Wang', 'Lee'][c % 4]! } })
          .run();
        await session.whenEnded();
        off();
        const first = events.find((e) => e.type === 'bot_prompt');
        if (typeof first?.data.sinceAnswerMs === 'number')
          (disclosed ? greetingMs : personalMs).push(first.data.sinceAnswerMs);
        await phone.stop();
      }
      loop.disable();

      const turn = stats(turnMs);
      const proc = stats(processingMs);
      const stop = stats(stopMs);
      rows.push({
        name: 'turn latency (end of answer → bot audio at the phone)',
        values: {
          median: ms(turn.median),
          p95: ms(turn.p95),
          samples: String(turn.n),
          goal: 'p50 ≤ 500 ms, p95 ≤ 700 ms',
        },
      });
      rows.push({
        name: "  how the bot judged the answers' ends (bot/turn-detector.ts; else the endpointer's reason)",
        values: {
          median: [...judged].map(([how, n]) => `${how} ${n}`).join(', '),
          p95: '',
          samples: String([...judged.values()].reduce((a, b) => a + b, 0)),
          goal: '',
        },
      });
      rows.push({
        name: '  of which the end-of-turn wait for a confident answer (configured)',
        values: {
          median: ms(END_CONFIDENT_MS),
          p95: '',
          samples: '',
          goal: '250–350 ms',
        },
      });
      rows.push({
        name: 'processing (end decided → first reply frame sent)',
        values: {
          median: ms(proc.median),
          p95: ms(proc.p95),
          samples: String(proc.n),
          goal: '≤ 60 ms',
        },
      });
      const greet = stats(greetingMs);
      rows.push({
        name: 'greeting (answer → first frame of the first prompt sent: the AI disclosure, cached)',
        values: {
          median: ms(greet.median),
          p95: ms(greet.p95),
          samples: String(greet.n),
          goal: '≤ 100 ms',
        },
      });
      const personal = stats(personalMs);
      rows.push({
        name: '  in a flow without the disclosure: first frame of a personal greeting sent',
        values: {
          median: ms(personal.median),
          p95: ms(personal.p95),
          samples: String(personal.n),
          goal: '≤ 100 ms',
        },
      });
      rows.push({
        name: 'barge-in stop (speech onset → bot silent at the phone)',
        values: {
          median: ms(stop.median),
          p95: ms(stop.p95),
          samples: String(stop.n),
          goal: '≤ 300 ms',
        },
      });
      for (const language of ['en', 'zh-CN'] as const)
        for (const spotter of [true, false]) {
          const runs = sayRuns.filter(
            (r) => r.language === language && r.spotter === spotter && r.what !== 'coughs',
          );
          const bursts = runs.reduce((n, r) => n + r.bursts, 0);
          const kept = bursts - runs.reduce((n, r) => n + r.bargeIns, 0);
          rows.push({
            name: `backchannels during a say prompt, ${language === 'en' ? 'English' : 'Mandarin'}: prompt continued or resumed (${spotter ? 'length + backchannel spotter' : 'length alone, no spotter'})`,
            values: {
              median: `${kept}/${bursts} (${((kept / Math.max(1, bursts)) * 100).toFixed(0)} %)`,
              p95: `${runs.reduce((n, r) => n + r.resumed, 0)} resumes`,
              samples: `${BACKCHANNELS[language].join(', ')}; ${runs.map((r) => r.what).join(' / ')}`,
              goal: '≥ 95 %',
            },
          });
        }
      for (const spotter of [true, false]) {
        const run = sayRuns.find((r) => r.what === 'coughs' && r.spotter === spotter);
        if (run)
          rows.push({
            name: `coughs during a say prompt: prompt continued or resumed (${spotter ? 'with the spotter' : 'length alone, no spotter'})`,
            values: {
              median: `${run.bursts - run.bargeIns}/${run.bursts}`,
              p95: `${run.resumed} resumes`,
              samples: 'a breath and a short voiced burst, 6 pitches and speeds',
              goal: '≥ 95 %',
            },
          });
      }
      const sayStop = stats(sayStopMs);
      rows.push({
        name: `real barge-in during a say prompt ("${SAY_BARGE_SPEECH}"): stopped for good, stop at the phone`,
        values: {
          median: `${sayBarged}/${SAY_BARGE_CALLS} barged in; stop ${ms(sayStop.median)}`,
          p95: ms(sayStop.p95),
          samples: String(sayStop.n),
          goal: 'all, ≤ 300 ms',
        },
      });
      rows.push({
        name: 'engine event-loop delay during the calls',
        values: {
          median: ms(loop.percentile(50) / 1e6),
          p95: `p99 ${ms(loop.percentile(99) / 1e6)}`,
          samples: String(loop.count),
          goal: 'small',
        },
      });
    } finally {
      await engine.stop();
      await server.close();
      await bed.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
    return rows;
  },
};

export default suite;
