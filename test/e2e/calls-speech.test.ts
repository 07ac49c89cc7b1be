/**
 * The speech stack on a real call: the customer's audio through the bed reaches Silero VAD in the
 * speech workers; speech start and end become call events; speech during a prompt cuts it
 * (barge-in) and the phone stops hearing the bot.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { loadPrompt, readWav, toMono } from '../../electron/engine/audio/index.js';
import { listenToCall } from '../../electron/engine/bot/index.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { type Bed, type Clip, startBed } from '../telephony/index.js';

let bed: Bed;
let calls: CallEngine;
let customer: Clip;

beforeAll(async () => {
  bed = await startBed();
  customer = await bed.clip('speech-customer', {
    text: 'Yes, I already paid the bill on Monday.',
    voice: 'en',
    rate: 8000,
  });
  calls = await startCallEngine();
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
});

afterAll(async () => {
  await calls?.stop();
  await bed?.stop();
});

async function answered(callId: string): Promise<number> {
  return (await calls.waitForEvent(callId, 'answered', 20_000)).at;
}

it("turns the customer's speech into speech_start and speech_end events at the right times", async () => {
  const phone = await bed.phone({ user: '2401', play: customer.path, answer: 'auto' });
  const session = await calls.engine.telephony.dial({ number: '2401', trunk: 'main' });
  listenToCall(session, calls.engine.speechPool());
  const answeredAt = await answered(session.callId);
  const start = await calls.waitForEvent(session.callId, 'speech_start', 10_000);
  const end = await calls.waitForEvent(session.callId, 'speech_end', 15_000);
  // The phone starts its clip at the answer; espeak's clip has ~no leading silence.
  expect(start.at - answeredAt).toBeLessThan(800);
  const spokenMs = end.at - start.at;
  console.info(
    `speech_start ${start.at - answeredAt} ms after the answer; speech lasted ${spokenMs} ms for a ${customer.durationMs} ms clip`,
  );
  expect(spokenMs).toBeGreaterThan(customer.durationMs - 600);
  expect(spokenMs).toBeLessThan(customer.durationMs + 600);
  await session.hangup('test done');
  await session.whenEnded();
  await phone.stop();
});

it('barge-in: the customer speaking during a prompt stops it, and the phone stops hearing the bot', async () => {
  // The customer starts talking 2 s into the call, while the bot's long prompt plays.
  const late = join(bed.dir, 'late-customer.wav');
  execFileSync('sox', [customer.path, late, 'pad', '2', '0']);
  const phone = await bed.phone({ user: '2402', play: late, answer: 'auto' });
  const session = await calls.engine.telephony.dial({ number: '2402', trunk: 'main' });
  listenToCall(session, calls.engine.speechPool());
  await answered(session.callId);
  const bot = await bed.clip('speech-bot', {
    text: 'This is a long announcement about your account, your balance, your payment options, and the many ways you can reach us during business hours.',
    voice: 'en',
    rate: 16000,
  });
  const prompt = await loadPrompt(bot.path);
  const played = await session.play(prompt.frames);
  expect(played.completed).toBe(false);
  const bargeIn = await calls.waitForEvent(session.callId, 'barge_in', 1000);
  const speechStart = await calls.waitForEvent(session.callId, 'speech_start', 1000);
  console.info(
    `barge-in: speech at ${String(speechStart.data.atMs)} ms into the stream, decided ${String(bargeIn.data.decisionLagMs)} ms later, flushed at ${bargeIn.at - speechStart.at} ms; the prompt played ${played.playedFrames * 20} ms of ${prompt.durationMs.toFixed(0)} ms`,
  );
  expect(Number(bargeIn.data.decisionLagMs)).toBeLessThan(600);
  expect(played.playedFrames * 20).toBeLessThan(4000);
  await new Promise((r) => setTimeout(r, 1500));
  await session.hangup('test done');
  await session.whenEnded();
  // What the phone heard: the bot until the cut, then nothing from it (loud frames stop).
  const heard = await readWav(await phone.heardWav());
  const samples = toMono(heard.samples);
  const loudAfter = (fromMs: number): number => {
    let loud = 0;
    const frame = heard.sampleRate / 50;
    for (
      let at = Math.floor((fromMs / 1000) * heard.sampleRate);
      at + frame <= samples.length;
      at += frame
    ) {
      let energy = 0;
      for (let i = at; i < at + frame; i++) energy += (samples[i] ?? 0) ** 2;
      if (Math.sqrt(energy / frame) > 0.02) loud++;
    }
    return loud;
  };
  expect(loudAfter(0)).toBeGreaterThan(25); // the prompt's start was heard
  expect(loudAfter(played.playedFrames * 20 + 1500)).toBeLessThan(5); // and nothing of it after the cut
  await phone.stop();
});
