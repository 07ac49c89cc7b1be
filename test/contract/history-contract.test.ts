/**
 * History over every transport: calls.list's filters (disposition, start-time range beside
 * outcome and text), calls.export's CSV pages, calls.recording's peaks and media path, dnc.add
 * from a call, and the live wall's extra fields (bot reply latency, agent) on call.updated — each
 * validated by the client against the contract on the way back.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';

import type { EventData } from '../../electron/engine/api/contract.js';
import { encodeWav } from '../../electron/engine/audio/index.js';
import { API_TRANSPORTS, useContractEngine } from '../support/api-transports.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 8);

describe.each(API_TRANSPORTS)('History over %s', (_name, makeHarness) => {
  const h = useContractEngine(makeHarness, 'outbound-history-contract-');

  beforeAll(async () => {
    const { store } = h.engine;
    for (let i = 0; i < 5; i++) {
      const id = `h${i}`;
      await store.calls.create({ id, number: `+86138000000${i}0`, startedAt: T0 + i * DAY });
      await store.calls.update(id, {
        state: 'done',
        outcome: i % 2 === 0 ? 'completed' : 'busy',
        dispositionCode: i === 4 ? 'opted_out' : i % 2 === 0 ? 'completed' : 'busy',
        answeredAt: T0 + i * DAY + 1_000,
        endedAt: T0 + i * DAY + 31_000,
      });
      await store.calls.addUtterance(id, {
        speaker: 'bot',
        text: `Hello number ${i}, is now a good time?`,
        startMs: 200,
        endMs: 2_000,
      });
      await store.calls.addUtterance(id, {
        speaker: 'customer',
        text: i === 4 ? 'take me off your list' : 'yes',
        startMs: 2_400,
        endMs: 3_000,
      });
    }
    await mkdir(join(h.dataDir, 'recordings'), { recursive: true });
    const rate = 16_000;
    const left = new Float32Array(rate * 3).map((_, i) =>
      i > rate * 2.4 ? 0.6 * Math.sin(i / 9) : 0,
    );
    const right = new Float32Array(rate * 3).map((_, i) =>
      i < rate * 2 ? 0.4 * Math.sin(i / 5) : 0,
    );
    await writeFile(
      join(h.dataDir, 'recordings', 'h4.wav'),
      encodeWav({ sampleRate: rate, channels: [left, right] }),
    );
    await store.calls.addRecording({
      callId: 'h4',
      path: 'recordings/h4.wav',
      channels: 2,
      sampleRate: rate,
      durationMs: 3_000,
      bytes: 0,
    });
  });

  it('filters by disposition and a start-time range', async () => {
    const ids = async (params: object) =>
      (await h.api.request('calls.list', params)).calls.map((c) => c.id);
    expect(await ids({ disposition: 'opted_out' })).toEqual(['h4']);
    expect(await ids({ from: T0 + DAY, to: T0 + 3 * DAY })).toEqual(['h2', 'h1']);
    expect(await ids({ from: T0 + DAY, outcome: 'completed', search: 'good time' })).toEqual([
      'h4',
      'h2',
    ]);
    await expect(h.api.request('calls.list', { from: -1 })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      field: 'from',
    });
  });

  it('exports CSV pages with the transcripts', async () => {
    const first = await h.api.request('calls.export', { limit: 3, outcome: 'completed' });
    expect(first).toMatchObject({ rows: 3, total: 3, nextOffset: null });
    const records = parse(first.csv, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => r.call_id)).toEqual(['h4', 'h2', 'h0']);
    expect(records[0]!.transcript).toBe(
      '[0:00.2] Bot: Hello number 4, is now a good time?\n[0:02.4] Customer: take me off your list',
    );
    const paged = await h.api.request('calls.export', { limit: 2, offset: 2 });
    expect(paged).toMatchObject({ rows: 2, total: 5, nextOffset: 4 });
    expect(paged.csv.startsWith('call_id')).toBe(false);
    await expect(h.api.request('calls.export', { limit: 5_000 })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      field: 'limit',
    });
  });

  it('describes a recording for the player, and says when there is none', async () => {
    const info = await h.api.request('calls.recording', { id: 'h4' });
    expect(info).toMatchObject({
      callId: 'h4',
      durationMs: 3_000,
      channels: 2,
      sampleRate: 16_000,
      channelRoles: ['customer', 'outgoing'],
      mediaPath: expect.stringMatching(/^recordings\/h4\/[A-Za-z0-9_-]{43}$/),
      binMs: 20,
    });
    expect(info.peaks.map((p) => p.length)).toEqual([150, 150]);
    expect(Math.max(...info.peaks[0]!.slice(0, 100))).toBe(0);
    expect(Math.max(...info.peaks[1]!.slice(0, 100))).toBeGreaterThan(0.35);
    await expect(h.api.request('calls.recording', { id: 'h1' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it("adds a call's number to the DNC list with the call in the audit", async () => {
    const result = await h.api.request('dnc.add', {
      numbers: ['+8613800000040'],
      source: 'agent',
      callId: 'h4',
    });
    expect(result.numbers).toEqual(['+8613800000040']);
    const audit = await h.engine.store.audit.list({ limit: 5, offset: 0 });
    expect(audit.find((a) => a.action === 'dnc.add')?.details).toMatchObject({
      source: 'agent',
      callId: 'h4',
    });
  });

  it('carries the bot reply latency and the agent on call.updated', async () => {
    const seen: Array<EventData<'call.updated'>> = [];
    const off = h.api.on('call.updated', (call) => seen.push(call));
    const base = {
      id: 'live-1',
      number: '+861',
      contactName: null,
      campaignId: null,
      campaignName: null,
      state: 'bot' as const,
      outcome: null,
      disposition: null,
      sipCode: null,
      startedAt: Date.now(),
      answeredAt: Date.now(),
      endedAt: null,
      durationMs: null,
      lastUtterance: null,
    };
    h.engine.liveCalls.upsert(base);
    h.engine.liveCalls.noteCallEvent({
      callId: 'live-1',
      type: 'bot_prompt',
      data: { sinceSpeechEndMs: 740 },
    });
    h.engine.liveCalls.patch('live-1', { agentName: 'Ann' });
    await expect
      .poll(() => seen.at(-1))
      .toMatchObject({ id: 'live-1', botLatencyMs: 740, agentName: 'Ann' });
    expect((await h.api.request('live.list')).calls.find((c) => c.id === 'live-1')).toMatchObject({
      botLatencyMs: 740,
      agentName: 'Ann',
    });
    h.engine.liveCalls.upsert({ ...base, state: 'done', endedAt: Date.now() });
    off();
  });
});
