/**
 * Issue 16 §3 end to end, the REFER path: a trunk in `refer` mode moves a bot call from seat A to
 * the agent's seat B, over the real SIP bed and one throwaway PostgreSQL shared by two built
 * engines (`outbound serve --database`, each with its own media host Chromium and fake microphone).
 *
 * - REFER: the flow's transfer on A offers the call to Mei on B; she accepts; A sends the
 *   customer's leg (a baresip phone) a REFER to B's seat line naming the call; the phone calls B,
 *   B answers it as the call itself (its agent's microphone and speaker at once), the NOTIFY
 *   reports 200 and A hangs its leg up. Checked: the customer hears Mei and Mei hears the customer
 *   (by correlation), A has no call left (its live list, and the phone holds one call), the store
 *   says B holds the call, a supervisor signed on at A listens through a leg to B and hears the
 *   customer, Mei hangs up and wraps up on B, and the call's recording (A's part and
 *   B's part) plays as one through the recordings share.
 * - Fallback: the bed's proxy refuses REFER for phones 48xx (a PBX that says it transfers but does
 *   not); the call is bridged from A as before, with the reason in its events.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OutboundApi } from '../../electron/engine/api/client.js';
import type { CallDetail } from '../../electron/engine/api/contract.js';
import type { AgentOffer } from '../../electron/engine/api/routing.js';
import {
  envelopeCorrelation,
  parseWav,
  readWav,
  toMono,
} from '../../electron/engine/audio/index.js';
import {
  openPostgresStore,
  type PostgresStore,
} from '../../electron/engine/store/postgres/store.js';
import { CUSTOMER_TEXT, earWindow, HEARD, PHASE_MS, tapEar } from '../support/ear-tap.js';
import { freshPostgresUrl, sharedPostgres } from '../support/postgres.js';
import {
  AGENT_TEXT,
  hangUpToWrapUp,
  hold,
  MEI,
  Seats,
  speechClip,
  transferFlow,
} from '../support/seats.js';
import { type Bed, type Phone, startBed } from '../telephony/index.js';

const flow = transferFlow('seats-refer', 'Seats refer');

let bed: Bed;
let url: string;
let pg: PostgresStore;
const seats = new Seats<'a' | 'b'>('outbound-e2e-refer');
const LIN = { username: 'lin', password: 'lin-password-1' };
let adminA: OutboundApi;
let adminB: OutboundApi;
let mei: OutboundApi;
let meiId: number;
const offers: AgentOffer[] = [];
let clipRate = 16000;
let agentClip: Float32Array;
let customerClip: Float32Array;
let customerClipPath: string;
let shareDir: string;

function heard(clip: Float32Array, audio: Float32Array, rate: number): number {
  return envelopeCorrelation(clip, clipRate, audio, rate, { minOverlap: 0.6 }).correlation;
}

beforeAll(async () => {
  bed = await startBed();
  const clip = async (name: string, text: string, pitch: number, leadMs: number) => {
    const made = await speechClip(bed, name, text, pitch, leadMs);
    clipRate = made.rate;
    return made;
  };
  const agent = await clip('refer-agent-mic', AGENT_TEXT, 80, 400);
  const customer = await clip('refer-customer-voice', CUSTOMER_TEXT, 20, 2000);
  agentClip = agent.samples;
  customerClip = customer.samples;
  customerClipPath = customer.path;

  url = await freshPostgresUrl();
  pg = await openPostgresStore({ url, max: 1 });
  const a = await seats.start('a', { url, mic: agent.path });
  adminA = await seats.connect(a);
  // A bad transfer mode is refused, naming the field and the choices.
  await expect(
    adminA.request('trunks.create', {
      name: 'main',
      uri: bed.wsUri.open,
      domain: bed.sipDomain,
      transferMode: 'blind' as 'refer',
    }),
  ).rejects.toThrow(/transferMode: must be "bridge" .* or "refer"/);
  await adminA.request('trunks.create', {
    name: 'main',
    uri: bed.wsUri.open,
    domain: bed.sipDomain,
    transferMode: 'refer',
  });
  await adminA.request('flows.save', { definition: flow });
  await adminA.request('settings.update', { changes: { wrapUpMs: 120_000, language: 'en' } });
  await adminA.request('users.add', {
    username: MEI.username,
    displayName: 'Mei Agent',
    role: 'agent',
    password: MEI.password,
  });
  await adminA.request('users.add', {
    username: LIN.username,
    displayName: 'Lin Supervisor',
    role: 'supervisor',
    password: LIN.password,
  });
  // With the recording key as well: any seat plays any seat's recordings.
  const b = await seats.start('b', { url, mic: agent.path, keyFrom: a.dir, recordingKeys: true });
  adminB = await seats.connect(b);
  // Each seat's recordings folder mounted in one share as <share>/<seat id> (docs/POSTGRES.md).
  shareDir = await mkdtemp(join(tmpdir(), 'outbound-e2e-refer-share-'));
  for (const seat of ['a', 'b'] as const) {
    await mkdir(join(seats.get(seat).dir, 'recordings'), { recursive: true });
    await symlink(join(seats.get(seat).dir, 'recordings'), join(shareDir, `seat-${seat}`));
  }
  await adminA.request('seat.update', { recordingsShare: shareDir });
  await adminB.request('seat.update', { recordingsShare: shareDir });

  // The seats' lines are registered on the PBX and stored for the other seat.
  for (let i = 0; ; i++) {
    const lines = await pg.database.all<{ seat_id: string }>(
      'SELECT seat_id FROM seat_lines ORDER BY 1',
    );
    if (lines.map((r) => r.seat_id).join(',') === 'seat-a,seat-b') break;
    if (i > 300) throw new Error('the seat lines were not registered within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await seats.favourMediaHosts();
  mei = await seats.connect(b, MEI);
  meiId = (await mei.request('auth.status', {})).user!.agentId!;
  mei.on('agent.offer', (offer) => offers.push(offer));
  await mei.request('agents.setStatus', { agentId: meiId, status: 'available' });
}, 150_000);

afterAll(async () => {
  await seats.stop();
  if (shareDir) await rm(shareDir, { recursive: true, force: true });
  await pg?.close();
  await bed?.stop();
  await (await sharedPostgres()).stop();
}, 90_000);

/** Dials `number` from seat A with the flow; Mei takes the offer on seat B. */
async function transferToMei(number: string): Promise<{ callId: string; phone: Phone }> {
  const phone = await bed.phone({
    user: number,
    answer: 'auto',
    play: customerClipPath,
    loop: true,
    callLengthS: 120,
  });
  const before = offers.length;
  const { callId } = await adminA.request('calls.dial', {
    number,
    trunk: 'main',
    flow: { name: 'seats-refer' },
    contact: { name: 'Ann Customer' },
  });
  await expect.poll(() => offers.length, { timeout: 60_000 }).toBeGreaterThan(before);
  expect(offers.at(-1)).toMatchObject({ callId, agentId: meiId });
  await mei.request('agents.accept', { callId, agentId: meiId });
  return { callId, phone };
}

/** Mei hangs up on seat B and submits the wrap-up there; the call is done. */
async function hangUpAndWrapUp(callId: string): Promise<void> {
  await hangUpToWrapUp(mei, adminA, callId, 'Delivery moved to Friday.');
  await expect
    .poll(async () => (await adminA.request('calls.get', { id: callId })).call.state, {
      timeout: 10_000,
    })
    .toBe('done');
  await expect
    .poll(
      async () =>
        (await mei.request('agents.states', {})).agents.find((x) => x.id === meiId)?.status,
      { timeout: 10_000 },
    )
    .toBe('available');
}

/** What the phone heard between two wall-clock times of its latest call (which started at `from0`). */
async function phoneHeard(phone: Phone, callStart: number, from: number, to: number) {
  const wav = await readWav(await phone.heardWav());
  const mono = toMono(wav.samples);
  return {
    rate: wav.sampleRate,
    samples: mono.slice(
      Math.max(0, Math.round(((from - callStart) * wav.sampleRate) / 1000)),
      Math.round(((to - callStart) * wav.sampleRate) / 1000),
    ),
  };
}

describe('a transfer to another seat by REFER (one PostgreSQL, the SIP bed)', () => {
  it('moves the call to the agent seat: both hear each other, seat A has no leg left, the store says seat B holds it, and the recording plays whole', async () => {
    const a = seats.get('a');
    const b = seats.get('b');
    const { callId, phone } = await transferToMei('4701');

    // The call lives on seat B now: the store says so, and seat A holds nothing.
    await expect
      .poll(
        async () =>
          (
            await pg.database.get<{ seat_id: string; state: string }>(
              'SELECT seat_id, state FROM calls WHERE id = $id',
              { $id: callId },
            )
          )?.seat_id,
        { timeout: 25_000 },
      )
      .toBe('seat-b');
    await expect
      .poll(async () => (await adminA.request('live.list', {})).calls.length, { timeout: 10_000 })
      .toBe(0);
    expect((await adminB.request('live.list', {})).calls.map((c) => c.id)).toEqual([callId]);
    // The offer's leg is over: the REFER took its place.
    await expect
      .poll(() =>
        pg.database.get<{ state: string; detail: string | null }>(
          "SELECT state, detail FROM seat_legs WHERE call_id = $id AND role = 'agent'",
          { $id: callId },
        ),
      )
      .toEqual({ state: 'ended', detail: 'the call moved to the agent seat by REFER' });
    // The phone holds one call: to seat B's line (its first call, to seat A's trunk, is over).
    const calls = await phone.command('listcalls');
    console.info(`[refer] the phone's calls: ${calls.replace(/\s+/g, ' ')}`);
    expect(calls).toMatch(/seat-seat-b/);

    const page = await seats.hostPage(b);
    await tapEar(page, 'agent');
    const phase = await hold(PHASE_MS + 1500);
    // A supervisor on seat A, which held the call before the REFER, listens: her leg goes to seat B,
    // which holds it now and makes the mix. Mei mutes herself meanwhile (her seat holds the call
    // now, so that is local): the supervisor's ear mixes everyone, and Mei talking all along would
    // drown the customer's envelope (0.49 unmuted, with Mei at 0.84).
    expect(await mei.request('calls.mute', { callId, muted: true })).toEqual({ muted: true });
    const lin = await seats.connect(a, LIN);
    expect(await lin.request('calls.supervise', { callId, mode: 'listen' })).toMatchObject({
      mode: 'listen',
    });
    const pageA = await seats.hostPage(a);
    await tapEar(pageA, 'supervisor');
    await new Promise((r) => setTimeout(r, 500));
    const listen = await hold();
    await lin.request('calls.unsupervise', { callId });
    expect(await mei.request('calls.mute', { callId, muted: false })).toEqual({ muted: false });
    const supervisorHearsCustomer = heard(
      customerClip,
      await earWindow(pageA, 'supervisor', listen.from, listen.to),
      16000,
    );
    await hangUpAndWrapUp(callId);

    // --- What each end heard ------------------------------------------------------------------
    const detail: CallDetail = await adminA.request('calls.get', { id: callId });
    const at = (type: string) => detail.events.find((e) => e.type === type)?.at ?? 0;
    const referAt = at('refer_requested');
    const handoff = detail.events.find((e) => e.type === 'seat_handoff');
    const flowingOnB = detail.events.filter((e) => e.type === 'media_flowing').at(-1)?.at ?? 0;
    const established = phone.events.filter((e) => e.type === 'CALL_ESTABLISHED').at(-1)!.at;
    const toPhone = await phoneHeard(phone, established, phase.from, phase.to);
    const customerHearsAgent = heard(agentClip, toPhone.samples, toPhone.rate);
    const agentEar = await earWindow(page, 'agent', phase.from, phase.to);
    const agentHearsCustomer = heard(customerClip, agentEar, 16000);
    console.info(
      `[refer] REFER → NOTIFY 200 ${String((handoff?.data as { referMs?: number } | undefined)?.referMs)} ms, ` +
        `REFER → agent's audio flowing on seat B ${flowingOnB - referAt} ms, ` +
        `REFER sent ${referAt - (detail.call.answeredAt ?? 0)} ms after the answer; ` +
        `customer←agent ${customerHearsAgent.toFixed(3)}, agent←customer ${agentHearsCustomer.toFixed(3)}, ` +
        `supervisor on seat A←customer ${supervisorHearsCustomer.toFixed(3)}`,
    );
    expect(customerHearsAgent).toBeGreaterThanOrEqual(HEARD);
    expect(agentHearsCustomer).toBeGreaterThanOrEqual(HEARD);
    expect(supervisorHearsCustomer).toBeGreaterThanOrEqual(HEARD);
    await phone.stop();

    // --- The shared store ---------------------------------------------------------------------
    expect(handoff?.data).toMatchObject({ from: 'seat-a', to: 'seat-b', agentId: meiId });
    expect(detail.call).toMatchObject({
      state: 'done',
      outcome: 'transferred',
      disposition: 'resolved',
    });
    const states = detail.transitions.map((t) => t.to);
    expect(states.slice(states.indexOf('transferring'))).toEqual([
      'transferring',
      'agent',
      'wrap_up',
      'done',
    ]);
    expect(detail.events.find((e) => e.type === 'agent_accepted')?.data).toMatchObject({
      agentId: meiId,
    });
    expect(
      detail.utterances.some((u) => u.speaker === 'bot' && u.text.startsWith('Hello Ann')),
    ).toBe(true);
    expect(
      await pg.database.get<{ seat_id: string; notes: string }>(
        'SELECT seat_id, notes FROM calls WHERE id = $id',
        { $id: callId },
      ),
    ).toEqual({ seat_id: 'seat-b', notes: 'Delivery moved to Friday.' });

    // --- The recording: seat A's part, then seat B's, played as one on either seat --------------
    const parts = await pg.database.all<{ part: number; seat_id: string; duration_ms: number }>(
      'SELECT part, seat_id, duration_ms FROM recording_parts WHERE call_id = $id',
      { $id: callId },
    );
    expect(parts).toMatchObject([{ part: 2, seat_id: 'seat-b' }]);
    const callMs = (detail.call.endedAt ?? 0) - (detail.call.answeredAt ?? 0);
    for (const [seat, api] of [
      [a, adminA],
      [b, adminB],
    ] as const) {
      const info = await api.request('calls.recording', { id: callId });
      expect(Math.abs(info.durationMs - callMs)).toBeLessThan(1500);
      const response = await fetch(
        `http://127.0.0.1:${seat.served.port}/media/${info.mediaPath}?token=${seat.served.token}`,
      );
      expect(response.status).toBe(200);
      const wav = parseWav(Buffer.from(await response.arrayBuffer()));
      expect(wav.samples.length).toBe(2);
      // The customer (left) is heard in seat B's part, after the REFER.
      const left = wav.samples[0]!;
      const fromB = Math.round(((established - (detail.call.answeredAt ?? 0)) / 1000) * 16000);
      const inB = heard(customerClip, left.slice(Math.max(0, fromB)), wav.sampleRate);
      console.info(
        `[refer] recording on ${seat === a ? 'seat A' : 'seat B'}: ${info.durationMs} ms for a ${callMs} ms call, customer in seat B's part ${inB.toFixed(3)}`,
      );
      expect(inB).toBeGreaterThanOrEqual(HEARD);
    }
  }, 150_000);

  it('bridges the call from seat A when the PBX refuses the REFER, and says why', async () => {
    const b = seats.get('b');
    const { callId, phone } = await transferToMei('4801');
    await expect
      .poll(
        async () =>
          (
            await pg.database.get<{ state: string }>(
              "SELECT state FROM seat_legs WHERE call_id = $id AND role = 'agent'",
              { $id: callId },
            )
          )?.state,
        { timeout: 45_000 },
      )
      .toBe('connected');
    const detail0: CallDetail = await adminA.request('calls.get', { id: callId });
    const fallback = detail0.events.find(
      (e) =>
        e.type === 'refer' && String((e.data as { detail?: string }).detail).includes('bridging'),
    );
    expect((fallback?.data as { detail?: string } | undefined)?.detail).toMatch(/501/);
    expect(
      (
        await pg.database.get<{ seat_id: string }>('SELECT seat_id FROM calls WHERE id = $id', {
          $id: callId,
        })
      )?.seat_id,
    ).toBe('seat-a');
    const page = await seats.hostPage(b);
    await tapEar(page, 'agent');
    // As long as the REFER case's phase: the agent's clip must fit in it whole, wherever it starts.
    const phase = await hold(PHASE_MS + 1500);
    await hangUpAndWrapUp(callId);
    const detail: CallDetail = await adminA.request('calls.get', { id: callId });
    // As seats-transfer.test measures the bridged leg: from its connection to the phase's end.
    const connectedAt = detail.events.find((e) => e.type === 'agent_connected')!.at;
    const toPhone = await phoneHeard(
      phone,
      detail.call.answeredAt ?? 0,
      connectedAt + 300,
      phase.to,
    );
    const customerHearsAgent = heard(agentClip, toPhone.samples, toPhone.rate);
    const agentHearsCustomer = heard(
      customerClip,
      await earWindow(page, 'agent', phase.from, phase.to),
      16000,
    );
    console.info(
      `[refer] fallback: ${(fallback?.data as { detail?: string }).detail}; customer←agent ${customerHearsAgent.toFixed(3)}, agent←customer ${agentHearsCustomer.toFixed(3)}`,
    );
    expect(customerHearsAgent).toBeGreaterThanOrEqual(HEARD);
    expect(agentHearsCustomer).toBeGreaterThanOrEqual(HEARD);
    expect(detail.call).toMatchObject({ state: 'done', outcome: 'transferred' });
    await phone.stop();
  }, 120_000);
});
