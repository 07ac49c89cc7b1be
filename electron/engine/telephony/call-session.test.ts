/**
 * CallSession on a real SQLite store with a stand-in media host (no SIP bed): the fake host answers
 * the session's requests as the real one does and plays the far end's milestones when a test says.
 *
 * - No call without a row (issue 10): a queued call id the store does not know is never dialed, and
 *   a live call whose state change cannot be stored is hung up with the reason.
 * - A call's life: start → ringing → answered → ended, whenAnswered()/whenEnded(), every event
 *   stored and streamed typed (each passes the API contract's check of the live stream), playback
 *   played out or stopped, DTMF listeners, hang-ups mid-prompt from either side, an unconfirmed
 *   hang-up, and the media host dying under the call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { callEvents } from '../api/calls.js';
import type { CallMilestone, HostEventData } from '../api/media-host.js';
import type { Logger } from '../log.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite-store.js';
import { callEventProblem, isCallEvent } from './call-events.js';
import {
  type CallEnd,
  type CallEventPayload,
  type CallRecorderLike,
  CallSession,
  type DialTrunk,
} from './call-session.js';
import type { MediaHostClient } from './media-host-client.js';

const TRUNK: DialTrunk = {
  id: 1,
  name: 'main',
  uri: 'ws://127.0.0.1:1',
  domain: 'example.test',
  username: null,
  password: null,
  register: false,
  callerId: null,
  maxConcurrentCalls: 5,
  role: 'primary',
  updatedAt: 0,
};

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbound-call-session-'));
  store = await openSqliteStore({ dataDir: dir });
  await store.trunks.create({
    name: 'main',
    uri: TRUNK.uri,
    domain: TRUNK.domain,
    username: null,
    passwordCipher: null,
    callerId: null,
    register: false,
    maxConcurrentCalls: 5,
    role: 'primary',
  });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function harness(callId: string, queued: boolean) {
  const requests: Array<{ command: string; params: unknown }> = [];
  const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const recorders: string[] = [];
  let hostAsked = 0;
  const client = {
    request: (command: string, params: unknown) => {
      requests.push({ command, params });
      return Promise.resolve({});
    },
    sendPlayback: () => undefined,
  } as unknown as MediaHostClient;
  const log: Logger = {
    info: () => undefined,
    warn: () => undefined,
    error: (message, fields) => errors.push({ message, ...(fields ? { fields } : {}) }),
  };
  const session = new CallSession(
    {
      store,
      log,
      host: () => {
        hostAsked++;
        return Promise.resolve(client);
      },
      ensureTrunk: () => Promise.resolve(),
      createRecorder: (id): CallRecorderLike | null => {
        recorders.push(id);
        return null;
      },
      relativePath: (path) => path,
      onEvent: () => undefined,
      onState: () => undefined,
      onEnded: () => undefined,
    },
    {
      callId,
      queued,
      channel: 1,
      number: '+8613900000001',
      trunks: [TRUNK],
      ringTimeoutMs: 30_000,
      rtpTimeoutMs: 15_000,
      startedAt: Date.now(),
    },
  );
  return { session, requests, errors, recorders, hostAsked: () => hostAsked };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('a call session and its row', () => {
  it('never dials a queued call id the store does not know', async () => {
    const h = harness('not-in-the-store', true);
    await expect(h.session.start()).rejects.toThrow(
      /Call not-in-the-store was not dialed: its queued row could not be stored as dialing \(Call "not-in-the-store" does not exist/,
    );
    await settle();
    expect(h.hostAsked()).toBe(0);
    expect(h.requests).toEqual([]);
    expect(await store.calls.get('not-in-the-store')).toBeNull();
  });

  it('dials a queued call whose row exists, moving it on to dialing', async () => {
    await store.calls.create({
      id: 'queued-1',
      number: '+8613900000001',
      startedAt: Date.now(),
      state: 'queued',
    });
    const h = harness('queued-1', true);
    await h.session.start();
    await settle();
    expect(h.requests.map((r) => r.command)).toEqual(['call.dial']);
    expect((await store.calls.get('queued-1'))?.state).toBe('dialing');
  });

  it('hangs up a live call whose state change cannot be stored, saying why, and records nothing for it', async () => {
    const h = harness('vanishing', false);
    await h.session.start();
    await settle();
    // The row disappears under the live call (as a second engine's recovery once made it do).
    await store.database.run("DELETE FROM calls WHERE id = 'vanishing'");
    const at = Date.now();
    const milestone = {
      callId: 'vanishing',
      at,
      sipCode: 200,
      sipReason: 'OK',
      originator: null,
      detail: null,
      stats: null,
    };
    h.session.onMilestone({ ...milestone, milestone: 'ringing', sipCode: 180 });
    await settle();
    expect(h.requests.map((r) => r.command)).toEqual(['call.dial', 'call.hangup']);
    expect(h.requests[1]!.params).toMatchObject({
      callId: 'vanishing',
      reason: expect.stringMatching(
        /^its state change to "ringing" could not be stored \(Call "vanishing" does not exist/,
      ) as unknown,
    });
    expect(h.errors.map((e) => e.message)).toContain(
      'A call state change could not be stored; ending the call',
    );
    // An answer arriving before the hang-up lands starts no recording for a call the store lost.
    h.session.onMilestone({ ...milestone, milestone: 'answered' });
    expect(h.recorders).toEqual([]);
  });
});

/**
 * A stand-in media host. Requests are answered as the real host does (a hang-up is confirmed by
 * the line's end milestone, unless `confirmsHangup` is off); `milestone()` plays the far end.
 */
class FakeHost {
  readonly requests: Array<{ command: string; params: Record<string, unknown> }> = [];
  /** Sequence numbers of the playback frames sent to the host's player. */
  readonly sent: number[] = [];
  confirmsHangup = true;
  session: CallSession | null = null;
  readonly client = {
    request: (command: string, params: Record<string, unknown>) => {
      this.requests.push({ command, params });
      if (command === 'call.hangup' && this.confirmsHangup) {
        const answered = this.session?.answeredAt !== null;
        setTimeout(() =>
          this.milestone(answered ? 'ended' : 'failed', {
            originator: 'local',
            detail: answered ? 'Terminated' : 'Canceled',
          }),
        );
      }
      if (command === 'call.takeover') return Promise.resolve({ inputLabel: 'Headset mic' });
      if (command === 'call.supervise') return Promise.resolve({ inputLabel: 'Supervisor mic' });
      if (command === 'call.hold') return Promise.resolve({ done: true });
      return Promise.resolve({});
    },
    sendPlayback: (_channel: number, seq: number) => this.sent.push(seq),
  } as unknown as MediaHostClient; // only request and sendPlayback are used by a session

  commands(): string[] {
    return this.requests.map((r) => r.command);
  }

  milestone(
    milestone: CallMilestone,
    more: Partial<Omit<HostEventData<'call.milestone'>, 'milestone'>> = {},
  ): void {
    this.session?.onMilestone({
      callId: this.session.callId,
      milestone,
      at: Date.now(),
      sipCode: null,
      sipReason: null,
      originator: null,
      detail: null,
      stats: null,
      ...more,
    });
  }

  /** The host's player has played this many frames of the call. */
  played(frames: number): void {
    this.session?.onPlayout(
      {
        callId: this.session.callId,
        playedFrames: frames,
        bufferedFrames: 0,
        underruns: 0,
        droppedFrames: 0,
      },
      0,
    );
  }
}

function liveCall(
  callId: string,
  options: { ringTimeoutMs?: number; hangupGraceMs?: number; recorder?: CallRecorderLike } = {},
) {
  const host = new FakeHost();
  const events: CallEventPayload[] = [];
  const ends: CallEnd[] = [];
  const session = new CallSession(
    {
      store,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      host: () => Promise.resolve(host.client),
      ensureTrunk: () => Promise.resolve(),
      createRecorder: () => options.recorder ?? null,
      relativePath: (path) => path,
      onEvent: (event) => events.push(event),
      onState: () => undefined,
      onEnded: (_session, end) => ends.push(end),
    },
    {
      callId,
      channel: 3,
      number: '+8613900000002',
      trunks: [TRUNK],
      ringTimeoutMs: options.ringTimeoutMs ?? 30_000,
      rtpTimeoutMs: 15_000,
      startedAt: Date.now(),
      ...(options.hangupGraceMs === undefined ? {} : { hangupGraceMs: options.hangupGraceMs }),
    },
  );
  host.session = session;
  const types = () => events.map((e) => e.type);
  return {
    session,
    host,
    events,
    ends,
    types,
    /** Dials and waits for the INVITE to go out. */
    async dial(): Promise<void> {
      await session.start();
      await vi.waitFor(() => expect(host.commands()).toContain('call.dial'));
    },
    /** Dials, rings and answers. */
    async answer(): Promise<void> {
      await this.dial();
      host.milestone('ringing', { sipCode: 180, sipReason: 'Ringing' });
      host.milestone('answered', { sipCode: 200, sipReason: 'OK' });
      host.milestone('media_flowing');
    },
  };
}

/** Every event streamed passes the contract's live check, and the store holds the same ones (after its own 'created'). */
async function expectContractEvents(callId: string, streamed: CallEventPayload[]): Promise<void> {
  for (const event of streamed) {
    const parsed = callEvents['call.event'].safeParse(event);
    expect(parsed.success, `${event.type}: ${parsed.error?.message ?? ''}`).toBe(true);
  }
  const stored = await store.calls.events(callId);
  expect(stored.map((e) => e.type)).toEqual(['created', ...streamed.map((e) => e.type)]);
  expect(stored.map((e) => callEventProblem(e.type, e.data)).filter(Boolean)).toEqual([]);
}

const frames = (n: number) => Array.from({ length: n }, () => new Int16Array(320));

describe('a call session from dial to hang-up', () => {
  it('dials, rings, is answered and ends when the customer hangs up: whenAnswered, whenEnded, typed events stored and streamed', async () => {
    const call = liveCall('life-1');
    const answered = call.session.whenAnswered();
    await call.dial();
    expect(call.session.state).toBe('dialing');
    call.host.milestone('ringing', { sipCode: 180, sipReason: 'Ringing' });
    expect(call.session.state).toBe('ringing');
    expect(call.session.isUp).toBe(false);
    call.host.milestone('answered', { sipCode: 200, sipReason: 'OK' });
    expect(await answered).toBe(true);
    expect(call.session.isUp).toBe(true);
    call.session.enterPhase('bot', { flow: 'appointment', version: 3 });
    expect(call.session.state).toBe('bot');
    call.host.milestone('ended', { originator: 'remote', detail: 'Terminated' });
    const end = await call.session.whenEnded();
    expect(end).toMatchObject({
      callId: 'life-1',
      outcome: 'completed',
      sipCode: 200,
      reason: 'customer hung up',
      trunk: 'main',
    });
    expect(call.ends).toEqual([end]);
    expect(await call.session.whenAnswered()).toBe(true); // answered, although over now
    expect(call.session.isUp).toBe(false);
    expect(call.types()).toEqual([
      'dial',
      'ringing',
      'answered',
      'state_bot',
      'sip_ended',
      'ended',
    ]);
    const answer = call.events.find((e) => e.type === 'answered');
    expect(answer?.data).toEqual({ trunk: 'main', sipCode: 200, sipReason: 'OK' });
    await expectContractEvents('life-1', call.events);
    const row = await store.calls.get('life-1');
    expect(row).toMatchObject({ state: 'done', outcome: 'completed', sipCode: 200 });
  });

  it('says false from whenAnswered when the call ends unanswered (busy)', async () => {
    const call = liveCall('busy-1');
    await call.dial();
    call.host.milestone('ringing', { sipCode: 180 });
    call.host.milestone('failed', { sipCode: 486, sipReason: 'Busy Here', originator: 'remote' });
    expect(await call.session.whenAnswered()).toBe(false);
    expect((await call.session.whenEnded()).outcome).toBe('busy');
    expect(call.types()).toEqual(['dial', 'ringing', 'sip_failed', 'ended']);
    await expectContractEvents('busy-1', call.events);
  });

  it('cancels at the ring timeout: whenAnswered false, outcome no_answer', async () => {
    const call = liveCall('ring-1', { ringTimeoutMs: 80 });
    await call.dial();
    call.host.milestone('ringing', { sipCode: 180 });
    expect(await call.session.whenAnswered()).toBe(false);
    const end = await call.session.whenEnded();
    expect(end.outcome).toBe('no_answer');
    expect(end.reason).toMatch(/ring timeout/);
    expect(call.host.commands()).toEqual(['call.dial', 'call.hangup']);
    expect(call.events.find((e) => e.type === 'ring_timeout')?.data).toEqual({ afterMs: 80 });
    await expectContractEvents('ring-1', call.events);
  });

  it('stores and streams what other subsystems note, typed by kind, and nothing after the end', async () => {
    const call = liveCall('note-1');
    await call.answer();
    call.session.note('speech_start', { atMs: 1_200 }, 1_000_000);
    call.session.note('intent', {
      nodeId: 'confirm',
      intent: 'yes',
      confidence: 0.91,
      matchedBy: 'recognizer',
      text: 'yes please',
    });
    call.session.note('no_input', { nodeId: 'confirm', attempt: 1, exhausted: false });
    call.session.note('no_input', { afterMs: 5_000 }); // a bare listener's kind of no-input
    const typeChecks = (): void => {
      // @ts-expect-error -- not a kind of call event
      call.session.note('intnet', { nodeId: 'confirm' });
      // @ts-expect-error -- an intent carries its confidence
      call.session.note('intent', { nodeId: 'confirm', intent: 'yes', matchedBy: 'recognizer' });
      // @ts-expect-error -- barge_in's flags are `true` or absent
      call.session.note('barge_in', { beforePrompt: false });
    };
    void typeChecks;
    const speech = call.events.find((e) => e.type === 'speech_start');
    expect(speech?.at).toBe(1_000_000);
    const intent = call.events.find((e) => e.type === 'intent');
    if (intent?.type !== 'intent') throw new Error('no intent event');
    expect(intent.data.confidence).toBe(0.91); // typed: the union narrows data by type
    await call.session.hangup('bot: flow ended (confirmed)', 'bot');
    await call.session.whenEnded();
    const count = call.events.length;
    call.session.note('speech_error', { message: 'too late' });
    expect(call.events).toHaveLength(count);
    expect(call.types().slice(-3)).toEqual(['hangup_requested', 'sip_ended', 'ended']);
    expect((await call.session.whenEnded()).reason).toBe('bot: flow ended (confirmed)');
    await expectContractEvents('note-1', call.events);
    const stored = await store.calls.events('note-1');
    const row = stored.find((e) => e.type === 'intent');
    expect(row && isCallEvent(row, 'intent') ? row.data.intent : null).toBe('yes');
  });

  it('plays a prompt to its end at the pace of the host player, and stops one at once (barge-in)', async () => {
    const call = liveCall('play-1');
    await call.answer();
    const whole = call.session.play(frames(10));
    expect(call.host.sent).toHaveLength(10);
    expect(call.session.isPlaying).toBe(true);
    call.host.played(10);
    expect(await whole).toEqual({ completed: true, playedFrames: 10 });
    expect(call.session.isPlaying).toBe(false);

    const cut = call.session.play(frames(100));
    call.host.played(10 + 7);
    call.session.stopPlayback();
    expect(await cut).toEqual({ completed: false, playedFrames: 7 });
    expect(call.host.commands()).toContain('call.flush');
    expect(call.session.isPlaying).toBe(false);
    await call.session.hangup('done', 'test');
    await call.session.whenEnded();
  });

  it('plays nothing before the answer or once an agent has the call', async () => {
    const call = liveCall('play-2');
    await call.dial();
    expect(await call.session.play(frames(5))).toEqual({ completed: false, playedFrames: 0 });
    call.host.milestone('answered', { sipCode: 200 });
    call.session.enterPhase('transferring', { queue: 'sales', reason: 'asked for a person' });
    const agent = await store.users.create({
      username: 'ann',
      displayName: 'Ann',
      role: 'agent',
      skills: [],
    });
    await call.session.agentTakeover(agent.id, { inputDeviceId: '', outputDeviceId: '' });
    expect(call.session.state).toBe('agent');
    expect(await call.session.play(frames(5))).toEqual({ completed: false, playedFrames: 0 });
    expect(call.host.sent).toEqual([]);
    await call.session.muteAgent(true);
    call.host.milestone('ended', { originator: 'remote' });
    const end = await call.session.whenEnded();
    expect(end.outcome).toBe('transferred'); // an agent had it: it waits in wrap-up
    expect((await store.calls.get('play-2'))?.state).toBe('wrap_up');
    expect(call.types()).toEqual([
      'dial',
      'answered',
      'state_transferring',
      'agent_connected',
      'agent_muted',
      'sip_ended',
      'ended',
    ]);
    await expectContractEvents('play-2', call.events);
  });

  it('lets a supervisor listen, whisper and barge on an agent call without touching it, and leave it up', async () => {
    const call = liveCall('supervise-1');
    await call.answer();
    call.session.enterPhase('transferring', { queue: 'sales', reason: 'asked for a person' });
    const agent = await store.users.create({
      username: 'bo',
      displayName: 'Bo',
      role: 'agent',
      skills: [],
    });
    await call.session.agentTakeover(agent.id, { inputDeviceId: '', outputDeviceId: '' });
    const devices = { inputDeviceId: 'sup-mic', outputDeviceId: 'sup-out' };
    expect(await call.session.supervise('listen', devices, 'lin')).toEqual({
      mode: 'listen',
      previous: null,
      takeover: false,
    });
    expect(await call.session.supervise('whisper', devices, 'lin')).toMatchObject({
      previous: 'listen',
    });
    // One supervisor at a time.
    await expect(call.session.supervise('listen', devices, 'max')).rejects.toThrow(
      /lin is already supervising/,
    );
    await call.session.supervise('barge', devices, 'lin');
    expect(call.session.supervisor).toEqual({ mode: 'barge', by: 'lin' });
    expect(await call.session.unsupervise('lin')).toEqual({ mode: 'barge', hungUp: false });
    expect(call.session.supervisor).toBeNull();
    expect(call.session.state).toBe('agent'); // the call goes on as it was
    expect(call.session.isUp).toBe(true);
    const sent = call.host.requests.filter((r) => r.command.includes('supervise'));
    expect(sent.map((r) => [r.command, r.params.mode, r.params.takeover])).toEqual([
      ['call.supervise', 'listen', false],
      ['call.supervise', 'whisper', false],
      ['call.supervise', 'barge', false],
      ['call.unsupervise', undefined, undefined],
    ]);
    expect(sent[0]?.params).toMatchObject(devices);
    call.host.milestone('ended', { originator: 'remote' });
    await call.session.whenEnded();
    expect(call.types().filter((t) => t.startsWith('supervisor_'))).toEqual([
      'supervisor_joined',
      'supervisor_mode',
      'supervisor_mode',
      'supervisor_left',
    ]);
    await expectContractEvents('supervise-1', call.events);
  });

  it("refuses whisper on a bot call; a barge takes it from the bot, stops the bot's audio, and leaving hangs it up", async () => {
    const call = liveCall('supervise-2');
    await call.answer();
    call.session.enterPhase('bot', { flow: 'appointment', version: 1 });
    const devices = { inputDeviceId: '', outputDeviceId: '' };
    await expect(call.session.supervise('whisper', devices, 'lin')).rejects.toThrow(
      /Whisper is for a call an agent has/,
    );
    let tookOver = 0;
    call.session.onSupervisorTakeover(() => tookOver++);
    await call.session.supervise('listen', devices, 'lin');
    expect(tookOver).toBe(0);
    const playing = call.session.play(frames(200));
    const result = await call.session.supervise('barge', devices, 'lin');
    expect(result).toEqual({ mode: 'barge', previous: 'listen', takeover: true });
    expect(tookOver).toBe(1);
    expect((await playing).completed).toBe(false); // the bot's prompt stopped at the takeover
    expect(call.session.state).toBe('agent');
    expect(call.session.takenOverBySupervisor).toBe(true);
    expect(await call.session.play(frames(5))).toEqual({ completed: false, playedFrames: 0 });
    await expect(call.session.muteAgent(true)).rejects.toThrow(/no agent/);
    expect(await call.session.unsupervise('lin')).toEqual({ mode: 'barge', hungUp: true });
    const end = await call.session.whenEnded();
    expect(end.outcome).toBe('transferred');
    // No agent to wrap it up: done at once, through bot → transferring → agent.
    await vi.waitFor(async () =>
      expect((await store.calls.get('supervise-2'))?.state).toBe('done'),
    );
    const transitions = await store.calls.transitions('supervise-2');
    expect(transitions.map((t) => t.to).slice(-4)).toEqual([
      'bot',
      'transferring',
      'agent',
      'done',
    ]);
    expect(call.events.find((e) => e.type === 'supervisor_takeover')?.data).toEqual({
      by: 'lin',
      from: 'bot',
    });
    await expectContractEvents('supervise-2', call.events);
  });

  it('tells DTMF listeners each key the customer presses, until they unsubscribe', async () => {
    const call = liveCall('dtmf-1');
    await call.answer();
    const heard: string[] = [];
    const also: string[] = [];
    const off = call.session.onDtmf((tone) => heard.push(tone));
    call.session.onDtmf((tone) => also.push(tone));
    call.host.milestone('dtmf_in', { detail: '5' });
    call.host.milestone('dtmf_in', { detail: '#' });
    off();
    call.host.milestone('dtmf_in', { detail: '1' });
    expect(heard).toEqual(['5', '#']);
    expect(also).toEqual(['5', '#', '1']);
    expect(call.events.filter((e) => e.type === 'dtmf_in').map((e) => e.data)).toEqual([
      { trunk: 'main', detail: '5' },
      { trunk: 'main', detail: '#' },
      { trunk: 'main', detail: '1' },
    ]);
    await call.session.hangup('done', 'test');
    await call.session.whenEnded();
  });

  it('in a sensitive span records silence on both channels and stores keys masked; hears in-band keys', async () => {
    const recorded: Array<{ left: number; right: number }> = [];
    const recorder: CallRecorderLike = {
      push: (frame) =>
        recorded.push({
          left: Math.max(...frame.left.map(Math.abs)),
          right: Math.max(...frame.right.map(Math.abs)),
        }),
      finish: () =>
        Promise.resolve({
          path: 'r.wav',
          channels: 2,
          sampleRate: 16_000,
          durationMs: 0,
          bytes: 0,
        }),
      abort: () => Promise.resolve(),
    };
    const call = liveCall('sensitive-1', { recorder });
    await call.answer();
    const keys: string[] = [];
    call.session.onDtmf((tone) => keys.push(tone));
    let seq = 0;
    const capture = (left: Int16Array, right: Int16Array = left) =>
      call.session.onCapture({ channel: 3, seq: seq++, timestampMs: Date.now(), left, right });
    const loud = () => new Int16Array(320).fill(1000);
    /** Key 7 (852 + 1209 Hz) for 100 ms, as the host's capture gives it. */
    const tone7 = (frame: number) =>
      Int16Array.from({ length: 320 }, (_, i) => {
        const t = (frame * 320 + i) / 16_000;
        return Math.round(
          5000 * Math.sin(2 * Math.PI * 852 * t) + 5000 * Math.sin(2 * Math.PI * 1209 * t),
        );
      });
    capture(loud());
    call.host.milestone('dtmf_in', { detail: '1' });
    call.session.setSensitive(true, 'card');
    expect(call.session.sensitive).toBe(true);
    capture(loud());
    call.host.milestone('dtmf_in', { detail: '5' });
    for (let f = 0; f < 5; f++) capture(tone7(f), loud());
    capture(new Int16Array(320));
    call.session.setSensitive(false, 'card');
    // The last key's tone may still sound: silence goes on for the tail.
    capture(loud());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(call.session.sensitive).toBe(false);
    capture(loud());
    expect(keys).toEqual(['1', '5', '7']);
    expect(call.events.filter((e) => e.type === 'dtmf_in').map((e) => e.data.detail)).toEqual([
      '1',
      '*',
      '*',
    ]);
    expect(recorded.map((r) => r.left)).toEqual([1000, 0, 0, 0, 0, 0, 0, 0, 0, 1000]);
    expect(recorded.map((r) => r.right)).toEqual([1000, 0, 0, 0, 0, 0, 0, 0, 0, 1000]);
    const started = call.events.find((e) => e.type === 'sensitive_started');
    const ended = call.events.find((e) => e.type === 'sensitive_ended');
    expect(started?.data).toMatchObject({ nodeId: 'card' });
    expect(ended?.data).toMatchObject({ nodeId: 'card' });
    expect(Number(ended?.data.durationMs)).toBeGreaterThanOrEqual(400);
    await call.session.hangup('done', 'test');
    await call.session.whenEnded();
    await expectContractEvents('sensitive-1', call.events);
  });

  it('cuts the prompt when the customer hangs up mid-prompt', async () => {
    const call = liveCall('hup-1');
    await call.answer();
    const prompt = call.session.play(frames(200));
    call.host.played(30);
    call.host.milestone('ended', { originator: 'remote', detail: 'Terminated' });
    expect(await prompt).toEqual({ completed: false, playedFrames: 30 });
    expect((await call.session.whenEnded()).reason).toBe('customer hung up');
    expect(await call.session.play(frames(5))).toEqual({ completed: false, playedFrames: 0 });
    await expectContractEvents('hup-1', call.events);
  });

  it('cuts the prompt when the engine hangs up mid-prompt, and ends the call when the host never confirms', async () => {
    const call = liveCall('hup-2', { hangupGraceMs: 60 });
    call.host.confirmsHangup = false;
    await call.answer();
    const prompt = call.session.play(frames(200));
    await call.session.hangup('operator ended it', 'supervisor');
    const end = await call.session.whenEnded();
    expect(await prompt).toMatchObject({ completed: false });
    expect(end).toMatchObject({ outcome: 'completed', reason: 'operator ended it' });
    expect(call.types().slice(-3)).toEqual(['hangup_requested', 'hangup_unconfirmed', 'ended']);
    expect(call.events.find((e) => e.type === 'hangup_unconfirmed')?.data).toEqual({
      afterMs: 60,
    });
    await expectContractEvents('hup-2', call.events);
  });

  it('ends the call when the media host dies under it, answered or not', async () => {
    const up = liveCall('lost-1');
    await up.answer();
    const prompt = up.session.play(frames(50));
    up.session.onHostLost('the page crashed');
    expect(await prompt).toMatchObject({ completed: false });
    expect(await up.session.whenEnded()).toMatchObject({
      outcome: 'completed',
      reason: 'the media host stopped (the page crashed)',
    });
    expect(up.types().slice(-2)).toEqual(['media_host_lost', 'ended']);
    await expectContractEvents('lost-1', up.events);

    const ringing = liveCall('lost-2');
    await ringing.dial();
    ringing.host.milestone('ringing', { sipCode: 180 });
    ringing.session.onHostLost('the page crashed');
    expect(await ringing.session.whenAnswered()).toBe(false);
    expect((await ringing.session.whenEnded()).outcome).toBe('failed');
    await expectContractEvents('lost-2', ringing.events);
  });

  it('ends an answered call whose media host died at its last audio frame, not when the engine heard of it', async () => {
    const call = liveCall('lost-3');
    await call.answer();
    const answeredAt = await vi.waitFor(async () => {
      const at = (await store.calls.get('lost-3'))?.answeredAt;
      if (!at) throw new Error('the answer is not stored yet');
      return at;
    });
    const silent = new Int16Array(320);
    for (let seq = 0; seq < 50; seq++)
      call.session.onCapture({
        channel: 3,
        seq,
        timestampMs: answeredAt + 20 * (seq + 1),
        left: silent,
        right: silent,
      });
    // The link closes 400 ms after the last frame (a starved page sends nothing meanwhile).
    await new Promise((resolve) => setTimeout(resolve, 400));
    call.session.onHostLost('the page crashed');
    await call.session.whenEnded();
    await vi.waitFor(async () =>
      expect(await store.calls.get('lost-3')).toMatchObject({
        state: 'done',
        endedAt: answeredAt + 1_000,
      }),
    );
  });

  it('says false from whenAnswered when the call could not even be stored to dial', async () => {
    const call = liveCall('never');
    await store.close(); // the store refuses every write
    await expect(call.session.start()).rejects.toThrow(/was not dialed/);
    expect(await call.session.whenAnswered()).toBe(false);
    store = await openSqliteStore({ dataDir: dir }); // for afterEach
  });
});

describe('an operator announcement heard while the call rings (空号识别)', () => {
  const heard = {
    language: 'zh-CN',
    phrase: '您拨打的号码是空号',
    confidence: 0.91234,
    heardMs: 2240,
  };

  it('cancels the call at once and ends it with the status outcome: an empty number is invalid_number', async () => {
    const call = liveCall('announce-empty');
    await call.dial();
    call.host.milestone('early_media', { sipCode: 183, sipReason: 'Session Progress' });
    call.session.endForLineStatus({ status: 'empty_number', ...heard });
    const end = await call.session.whenEnded();
    expect(end.outcome).toBe('invalid_number');
    expect(end.reason).toBe(
      'the number does not exist (operator announcement: "您拨打的号码是空号")',
    );
    expect(end.answeredAt).toBeNull();
    expect(call.host.commands()).toContain('call.hangup');
    const event = call.events.find((e) => e.type === 'line_status');
    expect(event?.data).toEqual({ status: 'empty_number', ...heard, confidence: 0.912 });
    expect(call.types().indexOf('line_status')).toBeLessThan(call.types().indexOf('ended'));
    await expectContractEvents('announce-empty', call.events);
    const row = await store.calls.get('announce-empty');
    expect(row?.outcome).toBe('invalid_number');
    expect(row?.endReason).toContain('does not exist');
  });

  it('powered off is no_answer (retried later) and busy is busy; a second announcement changes nothing', async () => {
    const off = liveCall('announce-off');
    await off.dial();
    off.session.endForLineStatus({ status: 'powered_off', ...heard, phrase: '您拨打的电话已关机' });
    off.session.endForLineStatus({ status: 'busy', ...heard });
    expect((await off.session.whenEnded()).outcome).toBe('no_answer');
    expect(off.types().filter((t) => t === 'line_status')).toHaveLength(1);

    const busy = liveCall('announce-busy');
    await busy.dial();
    busy.session.endForLineStatus({ status: 'busy', ...heard, phrase: '您拨打的电话正在通话中' });
    const end = await busy.session.whenEnded();
    expect(end.outcome).toBe('busy');
    expect(end.reason).toContain('正在通话中');
  });

  it('is ignored once the call is answered', async () => {
    const call = liveCall('announce-late');
    await call.answer();
    call.session.endForLineStatus({ status: 'empty_number', ...heard });
    expect(call.types()).not.toContain('line_status');
    expect(call.host.commands()).not.toContain('call.hangup');
    call.host.milestone('ended', { originator: 'remote', detail: 'Terminated' });
    expect((await call.session.whenEnded()).outcome).toBe('completed');
  });
});
