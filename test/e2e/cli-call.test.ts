/**
 * `outbound call` as a user runs it: the built CLI, its own engine and media host in Chromium,
 * through the real bed. Exit codes tell the outcome; --json prints one record per milestone.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { envelopeCorrelation, readWav, toMono } from '../../electron/engine/audio/index.js';
import { confirmOrderFlow } from '../support/flows.js';
import { readStoredRecording } from '../support/recordings.js';
import { assertBuilt, CLI } from '../support/serve.js';
import { type Bed, type Clip, startBed } from '../telephony/index.js';

let bed: Bed;
let data: string;
let customer: Clip;
let bot: Clip;

interface Run {
  code: number | null;
  records: Array<Record<string, unknown>>;
  stderr: string;
}

function outbound(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `outbound ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const records = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return { text: line };
          }
        });
      resolve({ code, records, stderr });
    });
  });
}

beforeAll(async () => {
  assertBuilt();
  bed = await startBed();
  data = await mkdtemp(join(tmpdir(), 'outbound-cli-call-'));
  customer = await bed.clip('cli-customer', {
    text: 'Yes hello, I can talk now, go ahead please.',
    voice: 'en',
    rate: 8000,
  });
  bot = await bed.clip('cli-bot', {
    text: 'This is a test call from the outbound console command line.',
    voice: 'en',
    rate: 16000,
  });
  const added = await outbound([
    'trunk',
    'add',
    'main',
    '--uri',
    bed.wsUri.open,
    '--domain',
    bed.sipDomain,
    '--json',
  ]);
  expect(added.code).toBe(0);
});

afterAll(async () => {
  await bed?.stop();
  if (data) await rm(data, { recursive: true, force: true });
});

describe('outbound call', () => {
  it('places a call, plays the WAV, records the customer and prints every milestone with its time', async () => {
    const phone = await bed.phone({ user: '2101', play: customer.path, answer: 'auto' });
    const heardPath = join(data, 'heard.wav');
    const run = await outbound([
      'call',
      '2101',
      '--trunk',
      'main',
      '--play',
      bot.path,
      '--record',
      heardPath,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const milestones = run.records.filter((r) => r.event === 'call.event');
    const types = milestones.map((r) => r.type);
    for (const type of ['dial', 'trying', 'ringing', 'answered', 'media_flowing', 'ended'])
      expect(types).toContain(type);
    for (const record of milestones) {
      expect(typeof record.eventAt).toBe('string');
      expect(typeof record.sinceDialMs).toBe('number');
    }
    expect(run.records.at(-1)).toMatchObject({
      event: 'result',
      outcome: 'answered',
      callOutcome: 'completed',
      sipCode: 200,
      reason: 'the WAV has played',
    });
    const heard = await readWav(heardPath);
    const clip = await readWav(customer.path);
    expect(
      envelopeCorrelation(
        toMono(clip.samples),
        clip.sampleRate,
        toMono(heard.samples),
        heard.sampleRate,
      ).correlation,
    ).toBeGreaterThanOrEqual(0.8);
    const phoneHeard = await readWav(await phone.heardWav());
    const botWav = await readWav(bot.path);
    expect(
      envelopeCorrelation(
        toMono(botWav.samples),
        botWav.sampleRate,
        toMono(phoneHeard.samples),
        phoneHeard.sampleRate,
      ).correlation,
    ).toBeGreaterThanOrEqual(0.8);
    await phone.stop();
  });

  it('exits with the outcome when the call fails: invalid number → 5', async () => {
    const run = await outbound(['call', '4040404', '--trunk', 'main', '--json']);
    expect(run.code).toBe(5);
    expect(run.records.at(-1)).toMatchObject({
      event: 'result',
      outcome: 'invalid_number',
      sipCode: 404,
    });
  });

  it('no answer → 4, after the ring timeout', async () => {
    const phone = await bed.phone({ user: '2102', answer: 'manual' });
    const run = await outbound(['call', '2102', '--trunk', 'main', '--ring-timeout', '5000']);
    expect(run.code).toBe(4);
    expect(run.records.map((r) => r.text).join('\n')).toMatch(
      /no_answer \(SIP 487[^)]*\): no answer within 5 s/,
    );
    await phone.stop();
  });

  it('refuses bad input before dialing, naming it', async () => {
    const letters = await outbound(['call', '12ab', '--trunk', 'main']);
    expect(letters.code).toBe(2);
    expect(letters.stderr).toMatch(/number: "12ab" contains letters/);
    const missing = await outbound([
      'call',
      '2101',
      '--trunk',
      'main',
      '--play',
      join(data, 'nope.wav'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--play: .*nope\.wav: cannot read the file/);
    const noTrunk = await outbound(['call', '2101', '--trunk', 'nosuch']);
    expect(noTrunk.code).toBe(2);
    expect(noTrunk.stderr).toMatch(/No trunk named "nosuch" \(trunks: main\)/);
  });
});

describe('a crash mid-call', () => {
  it('kill -9 of the process during a call: the next start closes the call and keeps what was recorded', async () => {
    const { Engine } = await import('../../electron/engine/index.js');
    const phone = await bed.phone({
      user: '2103',
      play: customer.path,
      loop: true,
      answer: 'auto',
    });
    const child = spawn(
      process.execPath,
      [CLI, 'call', '2103', '--trunk', 'main', '--data', data, '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let callId = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the call was not answered in time')),
        30_000,
      );
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (const line of buffered.split('\n').slice(0, -1)) {
          const record = JSON.parse(line) as { event: string; callId?: string; type?: string };
          if (record.event === 'call' && record.callId) callId = record.callId;
          if (record.event === 'call.event' && record.type === 'answered') {
            clearTimeout(timer);
            resolve();
          }
        }
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
    });
    // Long enough that the recording holds the customer's whole clip even after losing the last
    // half second a kill -9 may cost.
    await new Promise((r) => setTimeout(r, customer.durationMs + 2500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // The next start (any command) closes the call and finalizes its recording.
    const engine = await Engine.start({ dataDir: data, transport: 'in-process', version: 'test' });
    try {
      const call = await engine.store.calls.get(callId);
      expect(call).toMatchObject({ state: 'done', outcome: 'completed' });
      expect(call!.endReason).toMatch(/stopped during the call/);
      const recording = await engine.store.calls.recording(callId);
      expect(recording).toMatchObject({ channels: 2, sampleRate: 16_000 });
      expect(recording!.durationMs).toBeGreaterThan(customer.durationMs + 1000);
      const stereo = await readStoredRecording(data, join(data, recording!.path));
      const clip = await readWav(customer.path);
      expect(
        envelopeCorrelation(
          toMono(clip.samples),
          clip.sampleRate,
          stereo.samples[0]!,
          stereo.sampleRate,
        ).correlation,
      ).toBeGreaterThanOrEqual(0.8);
    } finally {
      await engine.stop();
    }
    await phone.stop();
  });

  it('--flow runs the bot: prints each turn with intent, confidence and times, then the outcome and disposition', async () => {
    const flow = confirmOrderFlow('cli-confirm', 'CLI confirmation');
    const flowPath = join(data, 'confirm.flow.json');
    await writeFile(flowPath, JSON.stringify(flow));
    // The customer (Debian's espeak-ng, a voice the trainer does not use) answers 4 s after the answer.
    const yes = await bed.clip('cli-yes', { text: 'yes please', voice: 'en', rate: 8000 });
    const track = join(bed.dir, 'cli-yes-track.wav');
    execFileSync('sox', [yes.path, track, 'pad', '4', '8']);
    const phone = await bed.phone({ user: '2104', play: track, answer: 'auto' });
    const run = await outbound(
      ['call', '2104', '--trunk', 'main', '--flow', flowPath, '--contact', 'name=Sam', '--json'],
      180_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const turns = run.records.filter((r) => r.event === 'turn');
    expect(turns.map((t) => t.speaker)).toEqual(['bot', 'customer', 'bot']);
    expect(turns[0]).toMatchObject({
      speaker: 'bot',
      text: 'Hello Sam. Can you confirm your order? Please say yes or no.',
    });
    expect(turns[1]).toMatchObject({ speaker: 'customer', intent: 'yes' });
    expect(turns[1]!.confidence).toBeGreaterThan(0.5);
    for (const t of turns) expect(Number(t.endMs)).toBeGreaterThanOrEqual(Number(t.startMs));
    expect(run.records.at(-1)).toMatchObject({
      event: 'result',
      outcome: 'answered',
      disposition: 'confirmed',
      dialogEnd: 'hangup',
      path: ['q', 'ok'],
    });
    await phone.stop();
  }, 240_000);

  it('--flow with a broken flow file prints node-level errors and exits 2 without dialing', async () => {
    const flowPath = join(data, 'broken.flow.json');
    await writeFile(
      flowPath,
      JSON.stringify({
        id: 'broken',
        name: 'Broken',
        language: 'en',
        start: 'a',
        nodes: { a: { kind: 'say', text: 'Hi', next: 'nowhere' } },
      }),
    );
    const run = await outbound(['call', '2105', '--trunk', 'main', '--flow', flowPath, '--json']);
    expect(run.code).toBe(2);
    expect(JSON.stringify(run.records)).toContain('nowhere');
    expect(run.records.some((r) => r.event === 'call.event')).toBe(false);
  });
});
