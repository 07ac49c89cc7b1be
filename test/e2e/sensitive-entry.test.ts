/**
 * Sensitive entry end to end (issue 15 §2), over the real test bed: a bot call whose flow takes a
 * card number at a sensitive collect node. The customer (a baresip phone) talks the whole call
 * (a looped clip) and keys a valid UnionPay number by DTMF (baresip sends RFC 4733; Chromium's
 * NetEq plays the events out as tones, which the engine's in-band detector hears). Then:
 * - the stored recording (fetched through the media route, as History plays it) is digital
 *   silence on both channels over the sensitive span, holds sound before and after it, and no key
 *   of the card can be heard anywhere in it;
 * - the transcript, the call's events (the keys too), the engine's log and History's CSV export
 *   show the number only masked (622202******7894), never the raw digits;
 * - the call transfers to an agent (Chromium's fake microphone) whose Agent desk shows the
 *   transcript with the masked number only;
 * - a supervisor's privacy.unmask of the card's transcript line and of the phone number is audited,
 *   and the line unmasked still holds only the masked card (the raw number was never stored).
 * The engine runs in this process (its log is captured) with the built console and media host.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient } from '../../electron/engine/api/client.js';
import type { CallDetail, CallEventStreamItem } from '../../electron/engine/api/contract.js';
import type { RecordingInfo } from '../../electron/engine/api/history.js';
import { floatToInt16, parseWav, readWav, toMono } from '../../electron/engine/audio/index.js';
import type { Logger } from '../../electron/engine/index.js';
import { DtmfDetector } from '../../electron/engine/telephony/dtmf-detector.js';
import { type CallEngine, startCallEngine } from '../support/call-engine.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole, switchUser } from '../support/console-auth.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import { type Bed, startBed } from '../telephony/index.js';

/** A valid UnionPay test number (Luhn) and how every view may show it. */
const CARD = '6222021234567894';
const MASKED = '622202******7894';

const cardFlow = {
  id: 'card-entry-test',
  name: 'Card entry test',
  language: 'en',
  start: 'hello',
  nodes: {
    hello: {
      kind: 'say',
      text: 'Hello {name}. This is Acme Bank about your new card.',
      bargeIn: false,
      next: 'card',
    },
    card: {
      kind: 'collect',
      prompt: 'Please key in your card number, then the hash key.',
      bargeIn: false,
      variable: 'card',
      digits: { min: 16, max: 19, terminator: '#', interDigitTimeoutMs: 4000 },
      check: 'luhn',
      sensitive: true,
      store: 'masked',
      next: 'handoff',
      noInput: 'handoff',
      invalid: 'handoff',
    },
    handoff: {
      kind: 'transfer',
      say: 'Thank you, card {card} is noted. I am connecting you to an agent.',
      queue: 'default',
      reason: 'card activation',
    },
  },
};

const MARIA = { username: 'maria', password: 'maria-password-1' };
const SAM = { username: 'sam', password: 'sam-password-1' };

let bed: Bed;
let calls: CallEngine;
let browser: Browser;
let page: Page;
const logLines: string[] = [];
const previousFakeMic = process.env.OUTBOUND_FAKE_MIC;

/** Everything the engine logs, as text (nothing of it may hold the card number). */
const capturingLog: Logger = {
  info: (message, fields) => logLines.push(`info ${message} ${JSON.stringify(fields ?? {})}`),
  warn: (message, fields) => logLines.push(`warn ${message} ${JSON.stringify(fields ?? {})}`),
  error: (message, fields) => logLines.push(`error ${message} ${JSON.stringify(fields ?? {})}`),
};

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  bed = await startBed();
  const agentClip = await bed.clip('agent-mic', {
    text: 'Hello, this is Maria from Acme Bank. Your card is active now.',
    voice: 'en',
    rate: 16000,
    pitch: 80,
    leadMs: 300,
  });
  process.env.OUTBOUND_FAKE_MIC = agentClip.path; // read when the media host Chromium starts
  calls = await startCallEngine({ log: capturingLog });
  const { engine } = calls;
  await calls.addTrunk({ name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
  await engine.request('flows.save', { definition: cardFlow });
  await engine.request('settings.update', { changes: { wrapUpMs: 60_000, language: 'en' } });
  await engine.request('users.add', {
    username: MARIA.username,
    displayName: 'Maria Chen',
    role: 'agent',
    password: MARIA.password,
  });
  await engine.request('users.add', {
    username: SAM.username,
    displayName: 'Sam Lee',
    role: 'supervisor',
    password: SAM.password,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(calls.server.url);
  await signInConsole(page);
  await switchUser(page, MARIA);
  await page.getByTestId('page-agent').waitFor();
  await page.getByTestId('agent-go-available').click();
  await page.getByTestId('agent-status').filter({ hasText: 'Available' }).waitFor();
}, 180_000);

afterAll(async () => {
  if (previousFakeMic === undefined) delete process.env.OUTBOUND_FAKE_MIC;
  else process.env.OUTBOUND_FAKE_MIC = previousFakeMic;
  await browser?.close();
  await calls?.stop();
  await bed?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first event of this type on the call that matches, once it has come. */
async function eventOf(
  callId: string,
  type: string,
  match: (e: CallEventStreamItem) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<CallEventStreamItem> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = calls.eventsOf(callId).find((e) => e.type === type && match(e));
    if (found) return found;
    if (Date.now() > until) throw new Error(`no ${type} event on call ${callId}`);
    await sleep(50);
  }
}

function rms(samples: Float32Array, fromMs: number, toMs: number, rate: number): number {
  const from = Math.max(0, Math.round((fromMs * rate) / 1000));
  const to = Math.min(samples.length, Math.round((toMs * rate) / 1000));
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

function peak(samples: Float32Array, fromMs: number, toMs: number, rate: number): number {
  const from = Math.max(0, Math.round((fromMs * rate) / 1000));
  const to = Math.min(samples.length, Math.round((toMs * rate) / 1000));
  let max = 0;
  for (let i = from; i < to; i++) max = Math.max(max, Math.abs(samples[i]!));
  return max;
}

/** Keys an in-band detector hears in a channel (16 kHz). */
function keysIn(samples: Float32Array): string {
  const pcm = floatToInt16(samples);
  const detector = new DtmfDetector();
  let keys = '';
  for (let i = 0; i + 320 <= pcm.length; i += 320)
    keys += detector.push(pcm.subarray(i, i + 320)) ?? '';
  return keys;
}

describe('sensitive entry', () => {
  it('keys a card number at a sensitive node: silent recording over the span, masked everywhere, masked for the agent', async () => {
    const { engine } = calls;
    // The customer talks all along: the clip repeats for the whole call.
    const talk = await bed.clip('customer-talk', {
      text: 'Yes, hold on, I am getting my card out of my wallet now. Here it is.',
      voice: 'en',
      rate: 16000,
      pitch: 40,
      leadMs: 200,
    });
    const phone = await bed.phone({
      user: '4301',
      play: talk.path,
      loop: true,
      answer: 'auto',
      callLengthS: 90,
    });
    const { callId } = (await engine.request('calls.dial', {
      number: '4301',
      trunk: 'main',
      flow: { name: 'card-entry-test' },
      contact: { name: 'Ann Customer' },
    })) as { callId: string };

    // The span starts with the card prompt; the customer keys once it has been said.
    await eventOf(callId, 'sensitive_started');
    const prompt = await eventOf(
      callId,
      'bot_prompt',
      (e) => (e.data as { nodeId?: unknown }).nodeId === 'card',
    );
    await sleep(Number((prompt.data as { durationMs: number }).durationMs) + 300);
    for (const key of `${CARD}#`) {
      await phone.command('sndcode', key);
      await sleep(220);
    }
    const ended = await eventOf(callId, 'sensitive_ended', undefined, 15_000);
    const digits = await eventOf(callId, 'digits_collected');
    expect(digits.data).toMatchObject({
      nodeId: 'card',
      result: 'collected',
      masked: MASKED,
      count: 16,
      endedBy: 'terminator',
    });

    // The agent is offered the call; the transcript on the card shows the number masked.
    const offer = page.getByTestId('agent-offer');
    await offer.waitFor({ timeout: 30_000 });
    expect(await offer.getAttribute('data-call-id')).toBe(callId);
    await expect.poll(() => page.getByTestId('offer-transcript').innerText()).toContain(MASKED);
    await page.getByTestId('agent-accept').click();
    await page.getByTestId('agent-call').waitFor({ timeout: 10_000 });
    await expect
      .poll(() => page.getByTestId('agent-call-transcript').innerText())
      .toContain(MASKED);
    const desk = await page.getByTestId('page-agent').innerText();
    expect(desk).not.toContain(CARD);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'sensitive-entry-agent.png') });
    await sleep(3000); // the agent talks (the fake microphone)
    await page.getByTestId('agent-hangup').click();
    await page.getByTestId('agent-wrapup-form').waitFor({ timeout: 15_000 });
    await page.getByTestId('wrapup-disposition').selectOption('resolved');
    await page.getByTestId('wrapup-submit').click();
    await phone.stop();

    const detail = (await engine.request('calls.get', { id: callId })) as CallDetail;
    const started = detail.events.find((e) => e.type === 'sensitive_started')!;
    const spanStart = Number((started.data as { atMs: number }).atMs);
    const spanEnd = Number((ended.data as { atMs: number }).atMs);
    console.info(`[sensitive] span ${spanStart}–${spanEnd} ms from the answer`);
    // Every key was heard (16 digits and #), and each is stored only as *.
    const keys = detail.events.filter((e) => e.type === 'dtmf_in');
    expect(keys.map((e) => (e.data as { detail?: string }).detail)).toEqual(
      Array.from({ length: CARD.length + 1 }, () => '*'),
    );
    // The customer spoke during the span (the engine heard speech start in it).
    const answeredAt = detail.call.answeredAt ?? 0;
    expect(
      detail.events.some(
        (e) =>
          e.type === 'speech_start' && e.at - answeredAt > spanStart && e.at - answeredAt < spanEnd,
      ),
    ).toBe(true);

    // Nowhere the raw number: events, transcript, log, CSV export. The masked form is there.
    const stored = JSON.stringify(detail);
    expect(stored).not.toContain(CARD);
    expect(stored).toContain(MASKED);
    expect(detail.utterances.map((u) => u.text).join('\n')).toContain(MASKED);
    expect(logLines.join('\n')).not.toContain(CARD);
    const exported = await engine.request('calls.export', {});
    const csv = JSON.stringify(exported);
    expect(csv).toContain(MASKED);
    expect(csv).not.toContain(CARD);

    // A supervisor unmasks the card's transcript line and the number, each audited (who, call,
    // field; never the value). The line holds only the masked card: the number was never stored.
    const consoleUrl = new URL(calls.server.url);
    const transport = nodeWebSocketTransport(
      `ws://${consoleUrl.host}/api?token=${consoleUrl.searchParams.get('token') ?? ''}`,
    );
    await transport.ready();
    try {
      const supervisor = createApiClient(transport);
      await supervisor.request('auth.signIn', SAM);
      const line = detail.utterances.findIndex((u) => u.text.includes(MASKED));
      const unmasked = await supervisor.request('privacy.unmask', {
        callId,
        field: `utterance.${line}`,
      });
      expect(unmasked.value).toContain(MASKED);
      expect(unmasked.value).not.toContain(CARD);
      expect(await supervisor.request('privacy.unmask', { callId, field: 'number' })).toEqual({
        value: '4301',
      });
    } finally {
      transport.close();
    }
    const audited = await engine.store.audit.list({ actions: ['privacy.unmask'] });
    expect(audited.map((a) => [a.actor, a.role, a.subject, a.details])).toEqual(
      expect.arrayContaining([
        [SAM.username, 'supervisor', callId, { field: 'number' }],
        [SAM.username, 'supervisor', callId, { field: expect.stringMatching(/^utterance\.\d+$/) }],
      ]),
    );
    expect(audited).toHaveLength(2);

    // The recording, as History's player fetches it.
    const info = (await engine.request('calls.recording', { id: callId })) as RecordingInfo;
    const url = new URL(calls.server.url);
    url.pathname = `/media/${info.mediaPath}`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const wav = parseWav(new Uint8Array(await response.arrayBuffer()));
    expect(wav.samples).toHaveLength(2);
    const [customer, heard] = wav.samples as [Float32Array, Float32Array];
    const rate = wav.sampleRate;
    // Digital silence over the span on both channels (a margin for the capture's latency).
    for (const channel of [customer, heard])
      expect(peak(channel, spanStart + 150, spanEnd - 150, rate)).toBe(0);
    // Sound around it: the greeting and the customer before; the thank-you, the agent and the customer after.
    const levels = {
      customerBefore: rms(customer, 0, spanStart - 100, rate),
      heardBefore: rms(heard, 0, spanStart - 100, rate),
      customerAfter: rms(customer, spanEnd + 300, spanEnd + 4300, rate),
      heardAfter: rms(heard, spanEnd + 300, spanEnd + 4300, rate),
    };
    console.info(`[sensitive] levels around the span ${JSON.stringify(levels)}`);
    for (const level of Object.values(levels)) expect(level).toBeGreaterThan(0.005);
    // No key of the card can be heard anywhere in the recording.
    expect(keysIn(customer) + keysIn(heard)).toBe('');
    // The phone did send the keys and the words (its own recording of what it sent).
    const sent = await readWav(await phone.sentWav());
    expect(rms(toMono(sent.samples), spanStart, spanEnd, sent.sampleRate)).toBeGreaterThan(0.005);
  }, 120_000);
});
