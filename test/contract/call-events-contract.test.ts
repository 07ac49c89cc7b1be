/**
 * Call events over every transport, against the one table of kinds (telephony/call-events.ts):
 * - every kind, with data as the engine writes it, crosses the live `call.event` stream and
 *   comes back from `calls.get` as it was stored (the samples' type makes a new kind need one);
 * - the stream refuses an event of an unknown kind or of the wrong shape, naming the field, and
 *   keeps delivering the next ones;
 * - history from before the table (a kind no longer written, an older shape) still loads.
 */
import { describe, expect, it } from 'vitest';

import type { ApiError } from '../../electron/engine/api/errors.js';
import {
  CALL_EVENT_TYPES,
  type CallEventData,
  type CallEventType,
  isCallEvent,
} from '../../electron/engine/telephony/index.js';
import { API_TRANSPORTS, useContractEngine } from '../support/api-transports.js';

const milestone = { trunk: 'main', sipCode: 180, sipReason: 'Ringing' };
const stats = {
  packetsReceived: 900,
  packetsSent: 880,
  packetsLost: 2,
  jitterMs: 4.5,
  roundTripMs: null,
};

/** One event of every kind, with data as its writer stores it. */
const SAMPLES: { [K in CallEventType]: CallEventData<K> } = {
  created: { state: 'dialing' },
  closed_after_crash: { previousState: 'bot', campaignId: 4 },
  closed_seat_lost: { seat: 'desk-7-1a2b3c4d', previousState: 'bot', campaignId: 4 },
  wrap_up: { agentId: 2, reason: 'wrap-up time ran out' },
  dial: { number: '+8613900000001', trunk: 'main' },
  sending: { trunk: 'main' },
  trying: { trunk: 'main', sipCode: 100, sipReason: 'Trying' },
  ringing: milestone,
  early_media: { ...milestone, sipCode: 183 },
  answered: { trunk: 'main', sipCode: 200, sipReason: 'OK' },
  confirmed: { trunk: 'main' },
  ice: { trunk: 'main', detail: 'connected' },
  media_flowing: { trunk: 'main', stats },
  media_timeout: { trunk: 'main', detail: 'RTP Timeout' },
  media_resumed: { trunk: 'main' },
  dtmf_in: { trunk: 'main', detail: '5' },
  dtmf_out: { trunk: 'main', detail: '5 (rfc4733)' },
  hold: { trunk: 'main' },
  unhold: { trunk: 'main' },
  renegotiated: { trunk: 'main' },
  refer: { trunk: 'main', detail: 'transfer succeeded (200)' },
  sip_failed: { trunk: 'main', sipCode: 486, sipReason: 'Busy Here', originator: 'remote' },
  sip_ended: { trunk: 'main', originator: 'remote', detail: 'Terminated', stats },
  dial_refused: { trunk: 'main', code: 'TRUNK_DOWN', detail: 'the trunk is down' },
  failover: { from: 'main', to: 'backup', reason: 'trunk unreachable (503)' },
  ring_timeout: { afterMs: 30_000 },
  line_status: {
    status: 'powered_off',
    language: 'zh-CN',
    phrase: '您拨打的电话已关机',
    confidence: 0.93,
    heardMs: 2560,
  },
  hangup_requested: { reason: 'bot: flow ended (confirmed)', by: 'bot' },
  hangup_unconfirmed: { afterMs: 3000 },
  refer_requested: { target: 'sip:200@example.test' },
  media_host_lost: { reason: 'the page crashed' },
  state_bot: { flow: 'appointment', version: 3 },
  state_transferring: { queue: 'sales', reason: 'asked for a person' },
  agent_connected: { agentId: 2, input: 'Headset mic' },
  seat_handoff: { from: 'seat-a', to: 'seat-b', agentId: 2, referMs: 640 },
  agent_muted: {},
  supervisor_joined: { by: 'lin', mode: 'listen', input: 'Headset' },
  supervisor_mode: { by: 'lin', from: 'listen', to: 'whisper' },
  supervisor_left: { by: 'lin', mode: 'barge' },
  supervisor_takeover: { by: 'lin', from: 'bot' },
  agent_unmuted: {},
  ended: { outcome: 'completed', reason: 'customer hung up', stats },
  recording_error: { code: 'DISK_FULL', message: 'no space left on device' },
  speech_start: { atMs: 2_410 },
  speech_end: { startMs: 2_410, endMs: 3_020, reason: 'silence', decisionLagMs: 352 },
  barge_in: { speechAtMs: 2_410, decisionLagMs: 96 },
  speech_error: { message: 'the speech worker stopped' },
  speech_behind: { atMs: 12_380, skippedMs: 1_504, maxLagMs: 2_000 },
  prompt_paused: { nodeId: 'greet', speechAtMs: 2_410, decisionLagMs: 96 },
  false_interruption: { nodeId: 'greet', cause: 'backchannel', speechMs: 320, text: 'uh-huh' },
  prompt_resumed: { nodeId: 'greet', cutAtMs: 1_200, resumeAtMs: 1_000 },
  bot_prompt: {
    nodeId: 'greet',
    source: 'memory',
    renderMs: 3,
    prefetched: true,
    sinceAnswerMs: 212,
    durationMs: 2_840,
  },
  recognition_wait: { waitedMs: 0, sinceDecisionMs: 12 },
  intent: { nodeId: 'confirm', intent: 'yes', confidence: 0.912, matchedBy: 'recognizer' },
  no_input: { nodeId: 'confirm', attempt: 1, exhausted: false },
  no_match: { nodeId: 'confirm', attempt: 2, exhausted: true },
  transfer_requested: { nodeId: 'agent', queue: 'sales', reason: 'asked for a person' },
  callback_requested: { at: '2026-12-07T09:00:00.000Z' },
  callback_unavailable: { nodeId: 'when', reason: 'too_soon' },
  digits_collected: {
    nodeId: 'card',
    result: 'collected',
    masked: '622202******1234',
    count: 16,
    endedBy: 'terminator',
    attempt: 1,
  },
  sensitive_started: { nodeId: 'card', atMs: 5_200 },
  sensitive_ended: { nodeId: 'card', atMs: 14_900, durationMs: 9_700 },
  dialog_ended: { reason: 'hangup', disposition: 'confirmed' },
  voicemail_started: { atMs: 41_000 },
  amd: {
    result: 'machine',
    reason: 'long_greeting',
    atMs: 2_240,
    revised: false,
    initialSilenceMs: 420,
    greetingMs: 1_800,
    words: 3,
  },
  amd_beep: { frequencyHz: 1000, startMs: 5_100, endMs: 5_500 },
  amd_action: { action: 'message', after: 'beep' },
  voicemail_ended: { startMs: 41_000, endMs: 61_000 },
  transfer_unanswered: { queue: 'sales', reason: 'no agent available' },
  transfer_routed: { queue: 'sales', rule: null, flowQueue: 'sales', reason: 'asked' },
  agent_offered: { agentId: 2, queue: 'sales', expiresAt: 1_800_000_000_000 },
  agent_accepted: { agentId: 2, agentName: 'Ann', queue: 'sales', waitedMs: 4_100 },
  offer_expired: { agentId: 2, afterMs: 15_000 },
  offer_declined: { agentId: 3 },
  transfer_fallback: {
    queue: 'sales',
    fallback: 'voicemail',
    waitedMs: 60_000,
    offeredTo: [2, 3],
  },
};

describe.each(API_TRANSPORTS)('Call events over %s', (_name, makeHarness) => {
  const h = useContractEngine(makeHarness, 'outbound-call-events-contract-');

  it('streams every kind of event and gives each back from calls.get as stored', async () => {
    const { store } = h.engine;
    // As stored: the admin sees raw values here (the masked view has its own suite, masking-contract).
    await h.api.request('settings.update', { changes: { maskForAdmin: false } });
    const callId = 'every-kind';
    await store.calls.create({ id: callId, number: '+8613900000001', startedAt: 1_000 });
    const received: Array<{ type: string; data: unknown }> = [];
    const errors: ApiError[] = [];
    const off = h.api.on('call.event', (event) => {
      if (event.callId === callId) received.push({ type: event.type, data: event.data });
    });
    const offErrors = h.api.onProtocolError((error) => errors.push(error));
    const kinds = CALL_EVENT_TYPES.filter((type) => type !== 'created'); // the store writes it
    kinds.forEach((type, i) => {
      const event = { callId, at: 2_000 + i, type, data: SAMPLES[type] };
      h.engine.events.emit('call.event', event);
    });
    for (const [i, type] of kinds.entries())
      await store.calls.appendEvent(callId, { at: 2_000 + i, type, data: SAMPLES[type] });
    await expect.poll(() => received.length).toBe(kinds.length);
    off();
    offErrors();
    expect(errors).toEqual([]);
    expect(received).toEqual(kinds.map((type) => ({ type, data: SAMPLES[type] })));
    const detail = await h.api.request('calls.get', { id: callId });
    expect(detail.events.map((e) => ({ type: e.type, data: e.data }))).toEqual(
      CALL_EVENT_TYPES.map((type) => ({
        type,
        data: type === 'created' ? { state: 'queued' } : SAMPLES[type],
      })),
    );
    expect(detail.events.every((e) => isCallEvent(e, e.type as CallEventType))).toBe(true);
  });

  it('refuses a live event of an unknown kind or the wrong shape, naming it, and goes on', async () => {
    const received: string[] = [];
    const errors: ApiError[] = [];
    const off = h.api.on('call.event', (event) => received.push(event.type));
    const offErrors = h.api.onProtocolError((error) => errors.push(error));
    const emit = (type: string, data: Record<string, unknown>) =>
      // Wrong on purpose: the engine's own writers (CallSession.note) cannot build these.
      h.engine.events.emit('call.event', { callId: 'bad', at: 5_000, type, data });
    emit('intnet', { nodeId: 'confirm' });
    emit('intent', { nodeId: 'confirm', intent: 'yes', confidence: 'high', matchedBy: 'dtmf' });
    emit('speech_start', { atMs: 10 });
    await expect.poll(() => received).toEqual(['speech_start']);
    await expect.poll(() => errors.length).toBe(2);
    off();
    offErrors();
    expect(errors.map((e) => e.code)).toEqual(['PROTOCOL_ERROR', 'PROTOCOL_ERROR']);
    expect(errors[0]!.message).toMatch(/unknown call event type "intnet"/);
    expect(errors[1]!.message).toMatch(/call event "intent": data\.confidence/);
  });

  it('loads history stored before the table: a kind no longer written, and an older shape', async () => {
    const { store } = h.engine;
    const callId = 'old-history';
    await store.calls.create({ id: callId, number: '+8613900000002', startedAt: 1_000 });
    await store.calls.appendEvent(callId, { at: 1_100, type: 'step', data: { step: 'one' } });
    await store.calls.appendEvent(callId, { at: 1_200, type: 'intent', data: { label: 'yes' } });
    await store.calls.appendEvent(callId, { at: 1_300, type: 'ringing', data: SAMPLES.ringing });
    const detail = await h.api.request('calls.get', { id: callId });
    expect(detail.events.slice(1)).toEqual([
      { at: 1_100, type: 'step', data: { step: 'one' } },
      { at: 1_200, type: 'intent', data: { label: 'yes' } },
      { at: 1_300, type: 'ringing', data: SAMPLES.ringing },
    ]);
    // A reader that wants today's kinds skips the old shape instead of misreading it.
    const [, step, oldIntent, ringing] = detail.events;
    expect(isCallEvent(step!, 'intent')).toBe(false);
    expect(isCallEvent(oldIntent!, 'intent')).toBe(false);
    expect(isCallEvent(ringing!, 'ringing')).toBe(true);
  });
});
