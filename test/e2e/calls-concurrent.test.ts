/**
 * Twenty calls at once from one media host to twenty phones, every one verified both ways: each
 * phone hears its own bot clip and the engine hears each phone's own clip (distinct sentences, so
 * a crossed line would show).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { envelopeCorrelation, loadPrompt, readWav, toMono } from '../../electron/engine/audio/index.js';
import type { CallSession } from '../../electron/engine/telephony/index.js';
import { startBed, type Bed, type Phone } from '../telephony/index.js';
import { startCallEngine, type CallEngine } from '../support/call-engine.js';

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Please call me back tomorrow afternoon.',
  'I would like to speak to a real person now.',
  'My account number is seven seven four two.',
  'Yes, that works fine for me, thank you.',
  'No, I already paid that invoice on Monday.',
  'Could you repeat that a little more slowly?',
  'We moved to a new address in March.',
  'Sorry, I cannot talk right now, I am driving.',
  'Is this about the appointment on Friday?',
  'Seven hundred and fifty dollars exactly.',
  'Remove my number from your list, please.',
  'The weather has been terrible all week.',
  'I think there is a mistake on my bill.',
  'Hello? Hello? Can you hear me at all?',
  'My daughter usually handles these things.',
  'Send the details to my email instead.',
  'What time does your office open tomorrow?',
  'I never ordered anything from your company.',
  'Alright, go ahead and book it for Tuesday.',
];
const CALLS = SENTENCES.length;

let bed: Bed;
let calls: CallEngine;

beforeAll(async () => {
  bed = await startBed();
  calls = await startCallEngine();
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain, maxConcurrentCalls: 50 });
}, 120_000);

afterAll(async () => {
  await calls?.stop();
  await bed?.stop();
});

it(`carries ${CALLS} concurrent calls, each verified in both directions`, { timeout: 180_000 }, async () => {
  const customerClips = await Promise.all(SENTENCES.map((text, i) => bed.clip(`customer-${i}`, { text, voice: 'en', rate: 8000 })));
  // Each call's bot says a different sentence than its customer (shifted by half the list).
  const botClips = customerClips.map((_, i) => customerClips[(i + CALLS / 2) % CALLS]!);
  const phones: Phone[] = [];
  for (let i = 0; i < CALLS; i++) phones.push(await bed.phone({ user: String(3000 + i), play: customerClips[i]!.path, answer: 'auto' }));

  const heard = new Map<string, Int16Array[]>();
  const sessions: CallSession[] = await Promise.all(
    phones.map(async (phone) => {
      const session = await calls.engine.telephony.dial({ number: phone.user, trunk: 'main' });
      const frames: Int16Array[] = [];
      heard.set(session.callId, frames);
      session.onAudio((frame) => {
        if (session.answeredAt !== null) frames.push(frame.left.slice());
      });
      return session;
    }),
  );
  await Promise.all(
    sessions.map(async (session, i) => {
      const started = Date.now();
      while (session.answeredAt === null) {
        if (session.state === 'done' || Date.now() - started > 30_000) throw new Error(`call ${i} was not answered: ${(await session.whenEnded()).reason}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const prompt = await loadPrompt(botClips[i]!.path);
      const played = await session.play(prompt.frames);
      expect(played.completed).toBe(true);
      // Let the customer's own clip finish, then hang up.
      const waitMs = customerClips[i]!.durationMs + 800 - (Date.now() - session.answeredAt);
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      await session.hangup('test done');
    }),
  );
  const ends = await Promise.all(sessions.map((s) => s.whenEnded()));
  expect(ends.map((e) => e.outcome)).toEqual(ends.map(() => 'completed'));

  const scores: Array<{ call: number; engineHeard: number; phoneHeard: number; wrongClip: number }> = [];
  for (let i = 0; i < CALLS; i++) {
    const session = sessions[i]!;
    const frames = heard.get(session.callId)!;
    const engineHeard = new Float32Array(frames.length * 320);
    frames.forEach((f, k) => engineHeard.set(Float32Array.from(f, (v) => v / 32768), k * 320));
    const customer = await readWav(customerClips[i]!.path);
    const bot = await readWav(botClips[i]!.path);
    const phoneHeard = await readWav(await phones[i]!.heardWav());
    const score = (clip: typeof customer, samples: Float32Array, rate: number): number =>
      envelopeCorrelation(toMono(clip.samples), clip.sampleRate, samples, rate).correlation;
    scores.push({
      call: i,
      engineHeard: score(customer, engineHeard, 16_000),
      phoneHeard: score(bot, toMono(phoneHeard.samples), phoneHeard.sampleRate),
      // The same check against another call's clip: far lower, so a crossed line would fail.
      wrongClip: score(await readWav(customerClips[(i + 1) % CALLS]!.path), engineHeard, 16_000),
    });
  }
  console.info(scores.map((s) => `call ${s.call}: engine heard ${s.engineHeard.toFixed(2)}, phone heard ${s.phoneHeard.toFixed(2)}, wrong clip ${s.wrongClip.toFixed(2)}`).join('\n'));
  for (const s of scores) {
    expect(s.engineHeard, `call ${s.call}: the engine heard its customer`).toBeGreaterThanOrEqual(0.8);
    expect(s.phoneHeard, `call ${s.call}: the phone heard its bot`).toBeGreaterThanOrEqual(0.8);
  }
  await Promise.all(phones.map((p) => p.stop()));
});
