/**
 * Supervision end to end (issue 13), over the real test bed: the built headless engine (`outbound
 * serve`) whose media host Chromium has a fake microphone speaking a distinctive clip (the same
 * device serves the agent and the supervisor at this one desktop), the console in two Chromium tabs
 * (the Agent desk and the supervisor's Live wall), and a baresip phone as the customer repeating a
 * clip of its own.
 *
 * What each person hears is checked at the receiving end by envelope correlation: the phone's
 * recording of what it heard, and the agent's and the supervisor's speakers, tapped in the media
 * host page (attached over the DevTools protocol: OUTBOUND_MEDIA_HOST_DEBUG_PORT) from the very
 * <audio> elements that play to their output devices. Agent and supervisor speak the same clip, so
 * the agent is muted whenever the test asks whether the supervisor is heard.
 *
 * 1. An agent call: listen (the supervisor hears the customer and the agent; neither the phone nor
 *    the agent hears the supervisor), whisper (the agent hears the supervisor, the phone does not,
 *    and neither recording channel has it), barge (the phone hears the supervisor), leave; the
 *    call stays up through every switch and after leaving.
 * 2. A bot call: listen (the supervisor hears the customer and the bot; the phone does not hear
 *    the supervisor); whisper is not offered; barge takes the call from the bot (it stops, the
 *    phone hears the supervisor); leaving a call taken over hangs it up.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import type { CallDetail } from '../../electron/engine/api/contract.js';
import { envelopeCorrelation, readWav, toMono } from '../../electron/engine/audio/index.js';
import { launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { signInConsole, switchUser } from '../support/console-auth.js';
import {
  CUSTOMER_TEXT,
  earWindow,
  HEARD,
  type Party,
  PHASE_MS,
  SUPERVISOR_TEXT,
  tapEar as tapEarOn,
  WRONG_TEXTS,
} from '../support/ear-tap.js';
import { attachMediaHost } from '../support/media-host-page.js';
import { freePort } from '../support/ports.js';
import { readStoredRecording } from '../support/recordings.js';
import { transferFlow } from '../support/seats.js';
import { serve, type Served } from '../support/serve.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';
import { type Bed, startBed } from '../telephony/index.js';

const agentFlow = transferFlow('supervise-agent', 'Supervise agent call');

const LONG_TEXT =
  'Hello {name}. This is Acme Deliveries with an update about your order: your parcel left our ' +
  'warehouse this morning, and the courier will bring it to your door tomorrow morning.';
const botFlow = {
  id: 'supervise-bot',
  name: 'Supervise bot call',
  language: 'en',
  start: 'hello',
  nodes: {
    hello: { kind: 'say', text: LONG_TEXT, bargeIn: false, next: 'again' },
    again: { kind: 'say', text: LONG_TEXT, bargeIn: false, next: 'bye' },
    bye: { kind: 'hangup', say: 'Goodbye.', disposition: 'completed' },
  },
};

let bed: Bed;
let served: Served;
let dataDir: string;
let api: OutboundApi;
let closeApi: () => void;
let browser: Browser;
let agentPage: Page;
let supPage: Page;
let hostBrowser: Browser | null = null;
let hostPage: Page | null = null;
let debugPort: number;
let supervisorClip: Float32Array;
let customerClip: Float32Array;
let wrongClips: Float32Array[];
let clipRate: number;
let customerClipPath: string;
const MEI = { username: 'mei', password: 'mei-password-1' };
const LIN = { username: 'lin', password: 'lin-password-1' };
const saved = {
  mic: process.env.OUTBOUND_FAKE_MIC,
  port: process.env.OUTBOUND_MEDIA_HOST_DEBUG_PORT,
};

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  bed = await startBed();
  const clipOptions = { voice: 'en', rate: 16000 } as const;
  const supervisor = await bed.clip('supervisor-mic', {
    ...clipOptions,
    text: SUPERVISOR_TEXT,
    pitch: 85,
    wordsPerMinute: 150,
    leadMs: 400,
  });
  const customer = await bed.clip('customer-voice', {
    ...clipOptions,
    text: CUSTOMER_TEXT,
    pitch: 20,
    wordsPerMinute: 140,
    // Half of each repeat is silence, so the customer does not drown the supervisor in a mix.
    leadMs: 2000,
  });
  const wrong = await Promise.all(
    WRONG_TEXTS.map((text, i) =>
      bed.clip(`never-played-${i}`, { ...clipOptions, text, pitch: 30 + 25 * i }),
    ),
  );
  customerClipPath = customer.path;
  const read = async (path: string) => {
    const wav = await readWav(path);
    clipRate = wav.sampleRate;
    return toMono(wav.samples);
  };
  supervisorClip = await read(supervisor.path);
  customerClip = await read(customer.path);
  wrongClips = await Promise.all(wrong.map((clip) => read(clip.path)));
  debugPort = await freePort();
  // Inherited by `outbound serve` and its media host Chromium.
  process.env.OUTBOUND_FAKE_MIC = supervisor.path;
  process.env.OUTBOUND_MEDIA_HOST_DEBUG_PORT = String(debugPort);
  dataDir = await mkdtemp(join(tmpdir(), 'outbound-e2e-supervise-'));
  served = await serve(dataDir);
  const transport = nodeWebSocketTransport(
    `ws://127.0.0.1:${served.port}/api?token=${served.adminToken}`,
  );
  await transport.ready();
  api = createApiClient(transport);
  closeApi = () => transport.close();
  await api.request('trunks.create', { name: 'main', uri: bed.wsUri.open, domain: bed.sipDomain });
  await api.request('flows.save', { definition: agentFlow });
  await api.request('flows.save', { definition: botFlow });
  await api.request('settings.update', { changes: { wrapUpMs: 120_000, language: 'en' } });
  // The agent and the supervisor sign in as themselves (issue 13): the engine takes the agent's
  // agentId from her sign-in, and supervision is for supervisors (and admins).
  await api.request('users.add', {
    username: MEI.username,
    displayName: 'Mei Agent',
    role: 'agent',
    password: MEI.password,
  });
  await api.request('users.add', {
    username: LIN.username,
    displayName: 'Lin Supervisor',
    role: 'supervisor',
    password: LIN.password,
  });
  browser = await launchChromium();
  // One desktop, two tabs: the agent's desk and the supervisor's Live wall.
  agentPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  supPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await supPage.goto(served.url);
  await signInConsole(supPage); // the first admin, through the console's form
  await switchUser(supPage, LIN);
  await agentPage.goto(served.url);
  await signInConsole(agentPage, MEI);
  for (const page of [agentPage, supPage]) {
    await page.getByTestId('lang-en').click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  }
}, 120_000);

afterAll(async () => {
  for (const [key, value] of [
    ['OUTBOUND_FAKE_MIC', saved.mic],
    ['OUTBOUND_MEDIA_HOST_DEBUG_PORT', saved.port],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  closeApi?.();
  await hostBrowser?.close().catch(() => undefined);
  await browser?.close();
  await served?.stop();
  await bed?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The media host page, attached over DevTools once the engine has launched it. */
async function mediaHost(): Promise<Page> {
  if (hostPage) return hostPage;
  ({ browser: hostBrowser, page: hostPage } = await attachMediaHost(debugPort));
  return hostPage;
}

/** Starts recording what a party's speaker plays (once its element exists). */
async function tapEar(party: Party): Promise<void> {
  await tapEarOn(await mediaHost(), party);
}

/** What a party's speaker played between two wall-clock times (16 kHz). */
async function ear(party: Party, from: number, to: number): Promise<Float32Array> {
  return earWindow(await mediaHost(), party, from, to);
}

function slice(samples: Float32Array, rate: number, fromMs: number, toMs: number): Float32Array {
  const at = (ms: number) => Math.max(0, Math.min(samples.length, Math.round((ms * rate) / 1000)));
  return samples.slice(at(fromMs), at(toMs));
}

/** How well a clip appears in what was heard (a window at least 1.2 clips long: the clip repeats). */
function heard(clip: Float32Array, audio: Float32Array, rate: number): number {
  return envelopeCorrelation(clip, clipRate, audio, rate, { minOverlap: 0.6 }).correlation;
}

/**
 * The supervisor's clip in audio where it must not be, beside the wrong-clip level: the best
 * match of clips nobody played in the same audio. Absent means no better than those (plus 0.1),
 * and well below a real match.
 */
function notHeard(audio: Float32Array, rate: number): { clip: number; wrong: number } {
  return {
    clip: heard(supervisorClip, audio, rate),
    wrong: Math.max(...wrongClips.map((w) => heard(w, audio, rate))),
  };
}

function expectNotHeard(what: string, figure: { clip: number; wrong: number }): void {
  expect(figure.clip, what).toBeLessThan(Math.min(figure.wrong + 0.1, HEARD - 0.15));
}

async function callDetail(callId: string): Promise<CallDetail> {
  return api.request('calls.get', { id: callId });
}

function row(callId: string) {
  return supPage.locator(`[data-testid="supervise-controls"][data-call-id="${callId}"]`).first();
}

async function setMode(callId: string, mode: 'listen' | 'whisper' | 'barge'): Promise<void> {
  await row(callId).getByTestId(`supervise-${mode}`).click();
  await expect.poll(() => row(callId).getAttribute('data-mode'), { timeout: 10_000 }).toBe(mode);
}

/** Holds the current mode for PHASE_MS; returns its wall-clock window. */
async function hold(): Promise<{ from: number; to: number }> {
  const from = Date.now();
  await supPage.waitForTimeout(PHASE_MS);
  return { from, to: Date.now() };
}

describe('supervision: listen, whisper, barge', () => {
  it('on an agent call: the supervisor hears both sides, whispers to the agent only, barges in to everyone, and leaves the call up', async () => {
    await agentPage.getByTestId('nav-agent').click();
    await agentPage.getByTestId('agent-go-available').click();
    await expect.poll(() => agentPage.getByTestId('agent-status').innerText()).toBe('Available');

    const phone = await bed.phone({
      user: '4301',
      answer: 'auto',
      play: customerClipPath,
      loop: true,
      callLengthS: 120,
    });
    const { callId } = await api.request('calls.dial', {
      number: '4301',
      trunk: 'main',
      flow: { name: 'supervise-agent' },
      contact: { name: 'Ann' },
    });
    await agentPage.getByTestId('agent-offer').waitFor({ timeout: 40_000 });
    await agentPage.getByTestId('agent-accept').click();
    await agentPage.getByTestId('agent-call').waitFor({ timeout: 10_000 });
    await agentPage.getByTestId('agent-mute').click();
    await expect.poll(() => agentPage.getByTestId('agent-mute').innerText()).toBe('Unmute');

    // The supervisor's tab: the call's row on the Live wall (whisper is offered: an agent has it).
    await supPage.getByTestId('nav-live').click();
    await row(callId).waitFor({ timeout: 10_000 });
    expect(await row(callId).getByTestId('supervise-whisper').count()).toBe(1);
    await setMode(callId, 'listen');
    await tapEar('supervisor');
    await tapEar('agent');
    await supPage.waitForTimeout(500);
    const listenMuted = await hold(); // the agent muted: only the customer speaks
    await agentPage.getByTestId('agent-mute').click();
    await expect.poll(() => agentPage.getByTestId('agent-mute').innerText()).toBe('Mute');
    const listenTalking = await hold(); // the agent talks too
    await supPage.screenshot({ path: join(SCREENSHOT_DIR, 'supervise-listen.png') });
    await agentPage.getByTestId('agent-mute').click();
    await expect.poll(() => agentPage.getByTestId('agent-mute').innerText()).toBe('Unmute');

    await setMode(callId, 'whisper');
    await supPage.waitForTimeout(300);
    const whisper = await hold();
    await setMode(callId, 'barge');
    await supPage.waitForTimeout(300);
    const barge = await hold();
    await supPage.screenshot({ path: join(SCREENSHOT_DIR, 'supervise-barge.png') });

    // The call's detail on the Live page has the same controls; leave from there.
    await supPage.goto(`${served.origin}/#/live/${encodeURIComponent(callId)}`);
    const panel = supPage.getByTestId('live-supervise-panel');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.getByTestId('supervise-controls').getAttribute('data-mode')).toBe('barge');
    await panel.getByTestId('supervise-leave').click();
    await expect
      .poll(() => panel.getByTestId('supervise-controls').getAttribute('data-mode'))
      .toBe('none');
    await supPage.waitForTimeout(1500);
    // The call goes on without the supervisor: still the agent's, still up.
    const during = await callDetail(callId);
    expect(during.call.state).toBe('agent');
    expect(during.events.some((e) => e.type === 'ended')).toBe(false);
    await agentPage.getByTestId('agent-hangup').click();
    await agentPage.getByTestId('agent-wrapup-form').waitFor({ timeout: 15_000 });
    await agentPage.getByTestId('wrapup-disposition').selectOption('resolved');
    await agentPage.getByTestId('wrapup-submit').click();
    await expect
      .poll(async () => (await callDetail(callId)).call.state, { timeout: 10_000 })
      .toBe('done');

    const detail = await callDetail(callId);
    const answeredAt = detail.call.answeredAt ?? 0;
    expect(detail.call).toMatchObject({ outcome: 'transferred' });
    // Every switch was on the one call: no drop before the agent hung up.
    const kinds = detail.events.map((e) => e.type);
    expect(kinds.filter((k) => k.startsWith('supervisor_'))).toEqual([
      'supervisor_joined',
      'supervisor_mode',
      'supervisor_mode',
      'supervisor_left',
    ]);
    const leftAt = detail.events.find((e) => e.type === 'supervisor_left')!.at;
    const hungUp = detail.events.find((e) => e.type === 'hangup_requested')!;
    expect(hungUp.at).toBeGreaterThan(leftAt + 1000);
    expect(detail.transitions.map((t) => t.to).slice(-3)).toEqual(['agent', 'wrap_up', 'done']);
    // Audited: the start, each mode change and the end, newest first.
    const audit = await api.request('audit.list', { subject: callId, kind: 'supervision' });
    expect(audit.entries.map((e) => e.action)).toEqual([
      'supervision.end',
      'supervision.mode',
      'supervision.mode',
      'supervision.start',
    ]);
    expect(audit.entries.map((e) => e.details.mode)).toEqual([
      'barge',
      'barge',
      'whisper',
      'listen',
    ]);
    // Who: the signed-in supervisor (the call events say so too).
    expect(audit.entries.every((e) => e.actor === LIN.username && e.role === 'supervisor')).toBe(
      true,
    );
    expect(detail.events.find((e) => e.type === 'supervisor_joined')?.data).toMatchObject({
      by: LIN.username,
      mode: 'listen',
    });

    // What each one heard.
    const phoneWav = await readWav(await phone.heardWav());
    const phoneAudio = toMono(phoneWav.samples);
    const phoneRate = phoneWav.sampleRate;
    const onPhone = (w: { from: number; to: number }) =>
      slice(phoneAudio, phoneRate, w.from - answeredAt, w.to - answeredAt);
    const recording = await readStoredRecording(
      dataDir,
      join(dataDir, 'recordings', `${callId}.wav`),
    );
    const [customerSide, heardSide] = recording.samples as [Float32Array, Float32Array];
    const onRecording = (channel: Float32Array, w: { from: number; to: number }) =>
      slice(channel, recording.sampleRate, w.from - answeredAt, w.to - answeredAt);

    const figures = {
      // listen, the agent muted: the supervisor hears the customer; nobody hears the supervisor
      supervisorHearsCustomer: heard(
        customerClip,
        await ear('supervisor', listenMuted.from, listenMuted.to),
        16000,
      ),
      phoneHearsSupervisorListening: notHeard(onPhone(listenMuted), phoneRate),
      agentHearsSupervisorListening: notHeard(
        await ear('agent', listenMuted.from, listenMuted.to),
        16000,
      ),
      // listen, the agent talking: the supervisor hears the agent too
      supervisorHearsAgent: heard(
        supervisorClip,
        await ear('supervisor', listenTalking.from, listenTalking.to),
        16000,
      ),
      // whisper: the agent hears it, the phone and the recording do not
      agentHearsWhisper: heard(supervisorClip, await ear('agent', whisper.from, whisper.to), 16000),
      phoneHearsWhisper: notHeard(onPhone(whisper), phoneRate),
      recordingHeardSideWhisper: notHeard(onRecording(heardSide, whisper), recording.sampleRate),
      recordingCustomerSideWhisper: notHeard(
        onRecording(customerSide, whisper),
        recording.sampleRate,
      ),
      // barge: the phone and the agent hear the supervisor
      phoneHearsBarge: heard(supervisorClip, onPhone(barge), phoneRate),
      agentHearsBarge: heard(supervisorClip, await ear('agent', barge.from, barge.to), 16000),
    };
    console.info(`[supervise agent call] ${JSON.stringify(figures, null, 1)}`);
    expect(figures.supervisorHearsCustomer).toBeGreaterThanOrEqual(HEARD);
    expect(figures.supervisorHearsAgent).toBeGreaterThanOrEqual(HEARD);
    expect(figures.agentHearsWhisper).toBeGreaterThanOrEqual(HEARD);
    expect(figures.phoneHearsBarge).toBeGreaterThanOrEqual(HEARD);
    expect(figures.agentHearsBarge).toBeGreaterThanOrEqual(HEARD);
    expectNotHeard('the phone, listening', figures.phoneHearsSupervisorListening);
    expectNotHeard('the agent, listening', figures.agentHearsSupervisorListening);
    expectNotHeard('the phone, whispering', figures.phoneHearsWhisper);
    expectNotHeard(
      'what the customer heard (recording), whispering',
      figures.recordingHeardSideWhisper,
    );
    expectNotHeard(
      'the customer channel (recording), whispering',
      figures.recordingCustomerSideWhisper,
    );
    await phone.stop();
  }, 180_000);

  it('on a bot call: the supervisor listens, cannot whisper, and a barge takes the call from the bot', async () => {
    const phone = await bed.phone({
      user: '4302',
      answer: 'auto',
      play: customerClipPath,
      loop: true,
      callLengthS: 120,
    });
    const { callId } = await api.request('calls.dial', {
      number: '4302',
      trunk: 'main',
      flow: { name: 'supervise-bot' },
      contact: { name: 'Bo' },
    });
    await expect
      .poll(
        async () =>
          (await callDetail(callId)).events.some((e) => e.type === 'bot_prompt' && e.at > 0),
        { timeout: 40_000, interval: 300 },
      )
      .toBe(true);
    await supPage.goto(`${served.origin}/#/live`);
    await row(callId).waitFor({ timeout: 10_000 });
    // Whisper coaches an agent: not offered on a bot call, and refused by the engine.
    expect(await row(callId).getByTestId('supervise-whisper').count()).toBe(0);
    await expect(api.request('calls.supervise', { callId, mode: 'whisper' })).rejects.toMatchObject(
      {
        code: 'CONFLICT',
      },
    );
    await setMode(callId, 'listen');
    await tapEar('supervisor');
    await supPage.waitForTimeout(500);
    const listen = await hold();

    supPage.once('dialog', (dialog) => void dialog.accept()); // "Barging in takes it over…"
    await setMode(callId, 'barge');
    const bargedAt = Date.now();
    await supPage.waitForTimeout(300);
    const barge = await hold();
    await expect.poll(async () => (await callDetail(callId)).call.state).toBe('agent');
    const left = await api.request('calls.unsupervise', { callId });
    expect(left).toEqual({ mode: 'barge', hungUp: true });
    await expect
      .poll(async () => (await callDetail(callId)).call.state, { timeout: 15_000 })
      .toBe('done');

    const detail = await callDetail(callId);
    const answeredAt = detail.call.answeredAt ?? 0;
    expect(detail.call.outcome).toBe('transferred');
    expect(detail.transitions.map((t) => t.to).slice(-4)).toEqual([
      'bot',
      'transferring',
      'agent',
      'done',
    ]);
    const takeover = detail.events.find((e) => e.type === 'supervisor_takeover');
    expect(takeover?.data).toMatchObject({ from: 'bot' });
    // The bot stopped at the barge: it said nothing after, and its prompt was cut there.
    expect(detail.events.filter((e) => e.type === 'bot_prompt' && e.at > takeover!.at)).toEqual([]);
    const lastBot = detail.utterances.filter((u) => u.speaker === 'bot').at(-1)!;
    expect(lastBot.cutAtMs ?? lastBot.endMs).toBeLessThanOrEqual(takeover!.at - answeredAt + 300);
    expect(takeover!.at).toBeLessThanOrEqual(bargedAt + 200);

    const phoneWav = await readWav(await phone.heardWav());
    const phoneAudio = toMono(phoneWav.samples);
    const phoneRate = phoneWav.sampleRate;
    const onPhone = (w: { from: number; to: number }) =>
      slice(phoneAudio, phoneRate, w.from - answeredAt, w.to - answeredAt);
    const recording = await readStoredRecording(
      dataDir,
      join(dataDir, 'recordings', `${callId}.wav`),
    );
    const [customerSide, heardSide] = recording.samples as [Float32Array, Float32Array];
    // Both sides as the recording holds them (the customer left, the bot right), in the middle of
    // the listen window: the supervisor's speaker should carry that mix.
    const mid = (channel: Float32Array) =>
      slice(
        channel,
        recording.sampleRate,
        listen.from - answeredAt + 1000,
        listen.to - answeredAt - 1000,
      );
    const bothSides = mid(customerSide).map((v, i) => v + (mid(heardSide)[i] ?? 0));
    const supervisorEar = await ear('supervisor', listen.from, listen.to);
    const figures = {
      supervisorHearsBothSides: envelopeCorrelation(
        bothSides,
        recording.sampleRate,
        supervisorEar,
        16000,
        {
          minOverlap: 0.9,
        },
      ).correlation,
      supervisorHearsBot: envelopeCorrelation(
        mid(heardSide),
        recording.sampleRate,
        supervisorEar,
        16000,
        {
          minOverlap: 0.9,
        },
      ).correlation,
      phoneHearsSupervisorListening: notHeard(onPhone(listen), phoneRate),
      phoneHearsBarge: heard(supervisorClip, onPhone(barge), phoneRate),
    };
    console.info(`[supervise bot call] ${JSON.stringify(figures, null, 1)}`);
    expect(figures.supervisorHearsBothSides).toBeGreaterThanOrEqual(HEARD);
    expect(figures.phoneHearsBarge).toBeGreaterThanOrEqual(HEARD);
    expectNotHeard('the phone, listening', figures.phoneHearsSupervisorListening);
    await phone.stop();
  }, 180_000);
});
