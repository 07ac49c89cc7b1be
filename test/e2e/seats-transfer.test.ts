/**
 * Issue 16 §3 end to end: agents and supervisors on other seats, over the real SIP bed and one
 * throwaway PostgreSQL shared by three built engines (`outbound serve --database`, one process per
 * seat, each with its own media host Chromium and fake microphone).
 *
 * - Seat A holds the bot call (a baresip phone as the customer, repeating a clip of its own).
 * - Seat B: the agent Mei signs on there (her seat is stored); the flow's transfer on A offers her
 *   the call through the store, B announces the offer with its card, she accepts on B, and A
 *   bridges the call to B's seat line over the PBX (a second SIP leg). Checked by correlation at
 *   both ends: the phone hears Mei's microphone (B's fake microphone), and Mei's speaker on B
 *   (tapped in B's media host page over DevTools) plays the customer.
 * - Seat C: the supervisor Lin listens (C's speaker plays the customer; the phone does not hear
 *   C's microphone) and then barges (the phone hears C's microphone), all mixed on seat A.
 * - From her desk on B, Mei mutes herself while Lin listens (the phone hears no agent), unmutes,
 *   holds the customer (the phone's ear stops at the hold, hers hears no customer), resumes (she
 *   hears the customer again) and keys a digit (the phone detects it): each a command through
 *   the store that seat A carries out (seats/command-relay.ts), its result back on B.
 * - Mei hangs up on B; she submits the wrap-up on B; the shared store holds the call done with her
 *   disposition and notes, its transcript, the supervision events, and the legs ended.
 * - Preview from seat B: a preview campaign's contacts are shown on Mei's desk by seat B, leased
 *   under seat B; she skips one with a reason and dials the other, which seat B places with her
 *   on it (no seat leg); the phone hears her microphone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OutboundApi } from '../../electron/engine/api/client.js';
import type { CallDetail } from '../../electron/engine/api/contract.js';
import type { AgentPreview } from '../../electron/engine/api/preview.js';
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
import {
  CUSTOMER_TEXT,
  earWindow,
  HEARD,
  type Party,
  PHASE_MS,
  rmsPerSecond,
  SUPERVISOR_TEXT,
  tapEar as tapEarOn,
  untilSound,
  WRONG_TEXTS,
} from '../support/ear-tap.js';
import { freshPostgresUrl, sharedPostgres } from '../support/postgres.js';
import {
  AGENT_TEXT,
  hangUpToWrapUp,
  hold,
  MEI,
  type Seat,
  Seats,
  speechClip,
  transferFlow,
} from '../support/seats.js';
import { type Bed, startBed } from '../telephony/index.js';

const flow = transferFlow('seats-transfer', 'Seats transfer');

let bed: Bed;
let url: string;
let pg: PostgresStore;
const seats = new Seats<'a' | 'b' | 'c'>('outbound-e2e-seat');
let admin: OutboundApi;
let clipRate = 16000;
let agentClip: Float32Array;
let supervisorClip: Float32Array;
let customerClip: Float32Array;
let wrongClips: Float32Array[];
let customerClipPath: string;
const LIN = { username: 'lin', password: 'lin-password-1' };

beforeAll(async () => {
  bed = await startBed();
  const clip = async (name: string, text: string, pitch: number, leadMs: number) => {
    const made = await speechClip(bed, name, text, pitch, leadMs);
    clipRate = made.rate;
    return made;
  };
  const agent = await clip('seat-agent-mic', AGENT_TEXT, 80, 400);
  const supervisor = await clip('seat-supervisor-mic', SUPERVISOR_TEXT, 95, 400);
  // Half of each repeat is silence, so the customer does not drown the others in a mix.
  const customer = await clip('seat-customer-voice', CUSTOMER_TEXT, 20, 2000);
  const wrong = await Promise.all(
    WRONG_TEXTS.map((text, i) => clip(`seat-never-played-${i}`, text, 30 + 25 * i, 400)),
  );
  agentClip = agent.samples;
  supervisorClip = supervisor.samples;
  customerClip = customer.samples;
  customerClipPath = customer.path;
  wrongClips = wrong.map((w) => w.samples);

  url = await freshPostgresUrl();
  pg = await openPostgresStore({ url, max: 1 });
  // Seat A first: it migrates the database and makes the key; the trunk is shared through it.
  const a = await seats.start('a', { url, mic: agent.path });
  admin = await seats.connect(a);
  await admin.request('trunks.create', {
    name: 'main',
    uri: bed.wsUri.open,
    domain: bed.sipDomain,
  });
  await admin.request('flows.save', { definition: flow });
  await admin.request('settings.update', { changes: { wrapUpMs: 120_000, language: 'en' } });
  await admin.request('users.add', {
    username: MEI.username,
    displayName: 'Mei Agent',
    role: 'agent',
    password: MEI.password,
  });
  await admin.request('users.add', {
    username: LIN.username,
    displayName: 'Lin Supervisor',
    role: 'supervisor',
    password: LIN.password,
  });
  // One after the other: two engines starting at once on one database stalled here (retention's
  // start, after "Engine started"), which is not what this test is about.
  await seats.start('b', { url, mic: agent.path, keyFrom: a.dir });
  await seats.start('c', { url, mic: supervisor.path, keyFrom: a.dir });
}, 150_000);

afterAll(async () => {
  await seats.stop();
  await pg?.close();
  await bed?.stop();
  await (await sharedPostgres()).stop();
}, 90_000);

async function tapEar(seat: Seat, party: Party): Promise<void> {
  await tapEarOn(await seats.hostPage(seat), party);
}

async function ear(seat: Seat, party: Party, from: number, to: number): Promise<Float32Array> {
  return earWindow(await seats.hostPage(seat), party, from, to);
}

function heard(clip: Float32Array, audio: Float32Array, rate: number): number {
  return envelopeCorrelation(clip, clipRate, audio, rate, { minOverlap: 0.6 }).correlation;
}

function wrongLevel(audio: Float32Array, rate: number): number {
  return Math.max(...wrongClips.map((w) => heard(w, audio, rate)));
}

describe('agents and supervisors on other seats (one PostgreSQL, the SIP bed)', () => {
  it('transfers a bot call on seat A to an agent on seat B over the PBX, a supervisor on seat C listens and barges, and the wrap-up on B lands in the shared store', async () => {
    const b = seats.get('b');
    const c = seats.get('c');
    // The seats' lines are registered on the PBX and stored for the others.
    await expect
      .poll(
        async () =>
          (await pg.database.all<{ seat_id: string }>('SELECT seat_id FROM seat_lines ORDER BY 1'))
            .map((r) => r.seat_id)
            .join(','),
        { timeout: 30_000 },
      )
      .toBe('seat-a,seat-b,seat-c');
    await seats.favourMediaHosts();

    // Mei signs on at seat B.
    const mei = await seats.connect(b, MEI);
    const meiId = (await mei.request('auth.status', {})).user!.agentId!;
    const offers: AgentOffer[] = [];
    mei.on('agent.offer', (offer) => offers.push(offer));
    await mei.request('agents.setStatus', { agentId: meiId, status: 'available' });
    expect(
      (
        await pg.database.get<{ seat_id: string }>('SELECT seat_id FROM users WHERE id = $id', {
          $id: meiId,
        })
      )?.seat_id,
    ).toBe('seat-b');

    const phone = await bed.phone({
      user: '4601',
      answer: 'auto',
      play: customerClipPath,
      loop: true,
      callLengthS: 120,
    });
    const { callId } = await admin.request('calls.dial', {
      number: '4601',
      trunk: 'main',
      flow: { name: 'seats-transfer' },
      contact: { name: 'Ann Customer' },
    });
    // The offer reaches seat B's desk with the card read from the shared store.
    await expect.poll(() => offers.length, { timeout: 40_000 }).toBeGreaterThan(0);
    expect(offers[0]).toMatchObject({
      callId,
      agentId: meiId,
      context: { reason: 'the customer asks for a person', queue: { name: 'default' } },
    });
    expect(offers[0]!.context.transcript.some((l) => l.text.startsWith('Hello Ann'))).toBe(true);
    await mei.request('agents.accept', { callId, agentId: meiId });

    // Seat A bridged the call to seat B: the call is the agent's, the leg connected.
    await expect
      .poll(async () => (await admin.request('calls.get', { id: callId })).call.state, {
        timeout: 25_000,
      })
      .toBe('agent');
    await expect
      .poll(
        async () =>
          (
            await pg.database.get<{ state: string }>(
              "SELECT state FROM seat_legs WHERE call_id = $id AND role = 'agent'",
              { $id: callId },
            )
          )?.state,
        { timeout: 10_000 },
      )
      .toBe('connected');
    await tapEar(b, 'agent');
    const agentPhase = await hold(PHASE_MS + 1500);

    const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
      const start = Date.now();
      const result = await work();
      return [result, Date.now() - start];
    };
    // Seat C: Lin listens, then barges. Mei mutes herself on seat B meanwhile: carried out on
    // seat A, where the mix is (a command through the store, its result back on B).
    const [muted, muteMs] = await timed(() => mei.request('calls.mute', { callId, muted: true }));
    expect(muted).toEqual({ muted: true });
    const lin = await seats.connect(c, LIN);
    const joined = await lin.request('calls.supervise', { callId, mode: 'listen' });
    expect(joined).toMatchObject({ mode: 'listen', previous: null });
    await tapEar(c, 'supervisor');
    // The phase starts once C's speaker plays the call (the leg's track exists before its RTP
    // flows; CI heard 0.557 from a phase that started 500 ms after the track), and is long enough
    // for one whole repeat of the customer's clip after that.
    const tappedAt = Date.now();
    const listenSoundMs = await untilSound(await seats.hostPage(c), 'supervisor', tappedAt, 10_000);
    const listen = await hold(PHASE_MS + 1500);
    expect(await lin.request('calls.supervise', { callId, mode: 'barge' })).toMatchObject({
      mode: 'barge',
      previous: 'listen',
    });
    await new Promise((r) => setTimeout(r, 300));
    const barge = await hold();
    await lin.request('calls.unsupervise', { callId });

    // Mei, on seat B, unmutes, puts the customer on hold at seat A and resumes, then keys a
    // digit that must reach the customer's phone; each a command through the store.
    expect(await mei.request('calls.mute', { callId, muted: false })).toEqual({ muted: false });
    const [held, holdMs] = await timed(() => mei.request('calls.hold', { id: callId, hold: true }));
    expect(held).toEqual({ done: true });
    const heldAt = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    const onHold = await hold();
    const [resumedResult, resumeMs] = await timed(() =>
      mei.request('calls.hold', { id: callId, hold: false }),
    );
    expect(resumedResult).toEqual({ done: true });
    // The resume is a re-INVITE to the customer's phone, which then starts sending again: 300 ms
    // left part of the next phase silent on a loaded run (0.556 against 0.75, full run 16:04), and
    // 1 s did not mend it in CI (0.545); the phase is 2 s longer, so that one whole repeat of the
    // customer's clip lies inside it even when the phone resumes late.
    await new Promise((r) => setTimeout(r, 1000));
    const resumed = await hold(PHASE_MS + 2000);
    const keysBefore = phone.events.length;
    const [, dtmfMs] = await timed(() => mei.request('calls.dtmf', { id: callId, digits: '7' }));
    const key = await phone.waitForEvent('CALL_DTMF_START', { after: keysBefore, timeoutMs: 5000 });
    expect(key.param).toBe('7');

    // Mei hangs up on seat B (her leg ends, seat A ends the call); her wrap-up on seat B.
    await hangUpToWrapUp(mei, admin, callId, 'Delivery moved to Friday.');
    await expect
      .poll(
        async () =>
          (await mei.request('agents.states', {})).agents.find((x) => x.id === meiId)?.status,
        { timeout: 10_000 },
      )
      .toBe('available');

    // --- What each end heard ------------------------------------------------------------------
    const detail: CallDetail = await admin.request('calls.get', { id: callId });
    const answeredAt = detail.call.answeredAt ?? 0;
    const connectedAt = detail.events.find((e) => e.type === 'agent_connected')!.at;
    const timeline = ['transfer_routed', 'agent_offered', 'agent_connected', 'agent_accepted']
      .map(
        (type) =>
          `${type} +${(detail.events.find((e) => e.type === type)?.at ?? 0) - answeredAt} ms`,
      )
      .join(', ');
    console.info(`[seats] after the answer: ${timeline}`);
    const wav = await readWav(await phone.heardWav());
    const phoneHeard = toMono(wav.samples);
    const phoneSlice = (from: number, to: number) =>
      phoneHeard.slice(
        Math.max(0, Math.round(((from - answeredAt) * wav.sampleRate) / 1000)),
        Math.round(((to - answeredAt) * wav.sampleRate) / 1000),
      );
    // Customer ← agent (B's microphone over the seat leg, mixed on A).
    const customerHearsAgent = heard(
      agentClip,
      phoneSlice(connectedAt + 300, agentPhase.to),
      wav.sampleRate,
    );
    // Agent ← customer (B's speaker, fed by the seat leg from A).
    const agentEar = await ear(b, 'agent', agentPhase.from, agentPhase.to);
    const agentHearsCustomer = heard(customerClip, agentEar, 16000);
    // Supervisor listening: C hears the customer; the phone does not hear C.
    const supervisorEar = await ear(c, 'supervisor', listen.from, listen.to);
    const supervisorHearsCustomer = heard(customerClip, supervisorEar, 16000);
    const listenPhone = phoneSlice(listen.from, listen.to);
    const customerHearsSupervisorListening = heard(supervisorClip, listenPhone, wav.sampleRate);
    const wrongListening = wrongLevel(listenPhone, wav.sampleRate);
    // Muted from seat B while Lin listened: the customer heard no agent.
    const customerHearsAgentMuted = heard(agentClip, listenPhone, wav.sampleRate);
    // On hold from seat B: the line to the customer is held both ways. The phone's recording of
    // what it heard ends at the hold (baresip stops its receiving stream on the hold re-INVITE,
    // and its recorder does not start again on the resume), and Mei's speaker on B hears no
    // customer. Resumed: she hears the customer again, and the digit she keys after the resume
    // reaches the phone in the call's RTP stream.
    const phoneHeardUntil = answeredAt + (phoneHeard.length * 1000) / wav.sampleRate;
    const holdEar = await ear(b, 'agent', onHold.from, onHold.to);
    const agentHearsCustomerOnHold = heard(customerClip, holdEar, 16000);
    const wrongOnHold = wrongLevel(holdEar, 16000);
    // Where the customer went missing after the resume, if it did: A's recording (what seat A
    // received from the phone), B's ear level per second, and the leg's events from the hold on.
    const recordingInfo = await admin.request('calls.recording', { id: callId });
    const a = seats.get('a');
    const recordingWav = parseWav(
      Buffer.from(
        await (
          await fetch(
            `http://127.0.0.1:${a.served.port}/media/${recordingInfo.mediaPath}?token=${a.served.token}`,
          )
        ).arrayBuffer(),
      ),
    );
    const recordingSlice = (from: number, to: number) =>
      recordingWav.samples[0]!.slice(
        Math.round(((from - answeredAt) * recordingWav.sampleRate) / 1000),
        Math.round(((to - answeredAt) * recordingWav.sampleRate) / 1000),
      );
    const resumedEar = await ear(b, 'agent', resumed.from, resumed.to);
    const agentHearsCustomerResumed = heard(customerClip, resumedEar, 16000);
    // Barge: the phone hears C.
    const customerHearsSupervisorBarging = heard(
      supervisorClip,
      phoneSlice(barge.from, barge.to),
      wav.sampleRate,
    );
    // Every score and where the audio went, in each failure's message too: CI keeps only the end
    // of the run's output, and the console lines above a failure are cut from it.
    const resumedReport =
      `seat A's recording heard the customer ${heard(customerClip, recordingSlice(resumed.from, resumed.to), recordingWav.sampleRate).toFixed(3)}; ` +
      `B's ear ${resumedEar.length} samples for ${resumed.to - resumed.from} ms, rms per second ${rmsPerSecond(resumedEar)}; events after the hold: ` +
      detail.events
        .filter((e) => e.at >= heldAt - holdMs - 500)
        .map((e) => `${e.type} +${e.at - heldAt} ms`)
        .join(', ');
    const earCoverage = (audio: Float32Array, phase: { from: number; to: number }) =>
      `${Math.round((audio.length / 16 / (phase.to - phase.from)) * 100)} %`;
    const report =
      `from seat B: mute ${muteMs} ms, hold ${holdMs} ms, resume ${resumeMs} ms, DTMF ${dtmfMs} ms (to the result); ` +
      `customer←agent ${customerHearsAgent.toFixed(3)}, agent←customer ${agentHearsCustomer.toFixed(3)} ` +
      `(ear ${earCoverage(agentEar, agentPhase)} of its phase), supervisor←customer ${supervisorHearsCustomer.toFixed(3)} ` +
      `(ear ${earCoverage(supervisorEar, listen)}, first sound ${listenSoundMs ?? 'never'} ms after the tap, rms per second ${rmsPerSecond(supervisorEar)}), customer←supervisor listening ${customerHearsSupervisorListening.toFixed(3)} ` +
      `(wrong clips ${wrongListening.toFixed(3)}), barging ${customerHearsSupervisorBarging.toFixed(3)}; ` +
      `customer←agent muted ${customerHearsAgentMuted.toFixed(3)}; phone heard until ${Math.round(phoneHeardUntil - heldAt)} ms after the hold; ` +
      `agent←customer on hold ${agentHearsCustomerOnHold.toFixed(3)} (wrong clips ${wrongOnHold.toFixed(3)}), ` +
      `resumed ${agentHearsCustomerResumed.toFixed(3)}; bridged ${connectedAt - answeredAt} ms after the answer`;
    console.info(`[seats] ${report}`);
    console.info(`[seats] resumed: ${resumedReport}`);
    expect(customerHearsAgentMuted, `customer←agent muted; ${report}`).toBeLessThan(
      Math.min(wrongListening + 0.1, HEARD - 0.15),
    );
    expect(
      Math.abs(phoneHeardUntil - heldAt),
      `phone heard after the hold; ${report}`,
    ).toBeLessThan(1500);
    expect(agentHearsCustomerOnHold, `agent←customer on hold; ${report}`).toBeLessThan(
      Math.min(wrongOnHold + 0.1, HEARD - 0.15),
    );
    expect(
      agentHearsCustomerResumed,
      `agent←customer resumed; ${report}; resumed: ${resumedReport}`,
    ).toBeGreaterThanOrEqual(HEARD);
    expect(customerHearsAgent, `customer←agent; ${report}`).toBeGreaterThanOrEqual(HEARD);
    expect(agentHearsCustomer, `agent←customer; ${report}`).toBeGreaterThanOrEqual(HEARD);
    expect(supervisorHearsCustomer, `supervisor←customer; ${report}`).toBeGreaterThanOrEqual(HEARD);
    expect(
      customerHearsSupervisorListening,
      `customer←supervisor listening; ${report}`,
    ).toBeLessThan(Math.min(wrongListening + 0.1, HEARD - 0.15));
    expect(
      customerHearsSupervisorBarging,
      `customer←supervisor barging; ${report}`,
    ).toBeGreaterThanOrEqual(HEARD);
    await phone.stop();

    // --- The shared store -------------------------------------------------------------------
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
    expect(detail.events.find((e) => e.type === 'wrap_up')?.data).toMatchObject({
      agentId: meiId,
      disposition: 'resolved',
      notes: 'Delivery moved to Friday.',
    });
    expect(detail.events.find((e) => e.type === 'agent_accepted')?.data).toMatchObject({
      agentId: meiId,
      agentName: 'Mei Agent',
    });
    expect(
      detail.events.filter((e) => e.type.startsWith('supervisor_')).map((e) => e.type),
    ).toEqual(['supervisor_joined', 'supervisor_mode', 'supervisor_left']);
    // Seat A noted what Mei did from seat B, as for its own desk.
    expect(
      detail.events
        .filter((e) =>
          ['hold', 'unhold', 'dtmf_out', 'agent_muted', 'agent_unmuted'].includes(e.type),
        )
        .map((e) => e.type),
    ).toEqual(['agent_muted', 'agent_unmuted', 'hold', 'unhold', 'dtmf_out']);
    const commands = await pg.database.all<{
      kind: string;
      state: string;
      from_seat: string;
      call_seat: string;
    }>(
      'SELECT kind, state, from_seat, call_seat FROM seat_commands WHERE call_id = $id ORDER BY id',
      { $id: callId },
    );
    expect(commands).toEqual(
      ['mute', 'mute', 'hold', 'hold', 'dtmf'].map((kind) => ({
        kind,
        state: 'done',
        from_seat: 'seat-b',
        call_seat: 'seat-a',
      })),
    );
    // The transcript: the bot's lines up to the transfer.
    expect(
      detail.utterances.some((u) => u.speaker === 'bot' && u.text.startsWith('Hello Ann')),
    ).toBe(true);
    const row = await pg.database.get<{ seat_id: string; notes: string }>(
      'SELECT seat_id, notes FROM calls WHERE id = $id',
      { $id: callId },
    );
    expect(row).toEqual({ seat_id: 'seat-a', notes: 'Delivery moved to Friday.' });
    const legs = await pg.database.all<{ role: string; state: string; user_seat: string }>(
      'SELECT role, state, user_seat FROM seat_legs WHERE call_id = $id ORDER BY role',
      { $id: callId },
    );
    expect(legs).toEqual([
      { role: 'agent', state: 'ended', user_seat: 'seat-b' },
      { role: 'supervisor', state: 'ended', user_seat: 'seat-c' },
    ]);
    // The supervision is audited on seat C, in the shared trail.
    const audit = await admin.request('audit.list', { subject: callId, kind: 'supervision' });
    expect(audit.entries.map((e) => e.action)).toEqual([
      'supervision.end',
      'supervision.mode',
      'supervision.start',
    ]);
  }, 150_000);
  it('shows a preview campaign’s contacts to an agent on seat B; her seat leases and dials the one she picks, with her on it', async () => {
    const b = seats.get('b');
    const mei = await seats.connect(b, MEI);
    const meiId = (await mei.request('auth.status', {})).user!.agentId!;
    const previews: AgentPreview[] = [];
    mei.on('agent.preview', (p) => previews.push(p));
    await expect
      .poll(
        async () =>
          (await mei.request('agents.states', {})).agents.find((x) => x.id === meiId)?.status,
        { timeout: 10_000 },
      )
      .toBe('available');
    const phone = await bed.phone({ user: '+8613800004611', answer: 'auto', callLengthS: 120 });
    // Two contacts on seat A's admin console; every seat runs the campaign.
    const csv = Buffer.from('name,phone\nWu Fang,13800004611\nBad Number,13800004699\n');
    const upload = await admin.request('imports.begin', { fileName: 'p.csv', bytes: csv.length });
    await admin.request('imports.chunk', {
      id: upload.id,
      offset: 0,
      data: csv.toString('base64'),
    });
    await admin.request('imports.preview', { id: upload.id });
    const imported = new Promise<void>((resolve) => {
      const off = admin.on('import.finished', (status) => {
        if (status.id !== upload.id) return;
        off();
        resolve();
      });
    });
    await admin.request('imports.commit', {
      id: upload.id,
      list: 'seat-preview',
      createList: true,
      mapping: [
        { header: 'name', field: 'name' },
        { header: 'phone', field: 'phone' },
      ],
      defaultRegion: 'CN',
    });
    await imported;
    const allDay: Array<[string, string]> = [['00:00', '24:00']];
    await admin.request('campaigns.create', {
      name: 'seat-preview',
      list: 'seat-preview',
      trunks: ['main'],
      dialingMode: 'preview',
      queue: 'default',
      maxConcurrentCalls: 3,
      schedule: {
        timeZone: 'UTC',
        windows: Object.fromEntries(
          ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, allDay]),
        ) as Record<'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat', Array<[string, string]>>,
        excludedDates: [],
      },
      retryPolicy: { maxAttempts: 1, retryAfterMs: {}, dailyCapPerNumber: 5 },
    });
    await admin.request('campaigns.start', { name: 'seat-preview' });

    // Seat B shows it on Mei's desk, under seat B's lease; nothing is dialed while she reads.
    const next = async (seen: number): Promise<AgentPreview> => {
      await expect.poll(() => previews.length, { timeout: 30_000 }).toBeGreaterThan(seen);
      return previews[previews.length - 1]!;
    };
    const leaseOf = (id: string) =>
      pg.database.get<{ lease_owner: string | null; state: string }>(
        `SELECT cc.lease_owner, c.state FROM campaign_contacts cc JOIN calls c ON c.id = cc.lease_call_id
         WHERE cc.lease_call_id = $id`,
        { $id: id },
      );
    let shown = await next(0);
    expect(shown.agentId).toBe(meiId);
    expect(await leaseOf(shown.callId)).toEqual({ lease_owner: 'seat-b', state: 'queued' });
    if (shown.contact.phone.endsWith('4699')) {
      await mei.request('preview.skip', {
        agentId: meiId,
        callId: shown.callId,
        reason: 'wrong_number',
      });
      shown = await next(previews.indexOf(shown) + 1);
    }
    expect(shown.contact.phone).toMatch(/4611$/);
    expect(await leaseOf(shown.callId)).toEqual({ lease_owner: 'seat-b', state: 'queued' });
    const { callId } = shown;
    await mei.request('preview.dial', { agentId: meiId, callId });
    await expect
      .poll(async () => (await admin.request('calls.get', { id: callId })).call.state, {
        timeout: 40_000,
      })
      .toBe('agent');
    const answeredAt = (await admin.request('calls.get', { id: callId })).call.answeredAt ?? 0;
    await new Promise((r) => setTimeout(r, PHASE_MS));
    await hangUpToWrapUp(mei, admin, callId, '');
    if (previews.every((p) => !p.contact.phone.endsWith('4699'))) {
      const last = await next(previews.length);
      await mei.request('preview.skip', {
        agentId: meiId,
        callId: last.callId,
        reason: 'wrong_number',
      });
    }

    // The call was seat B's own (no seat leg), and the customer heard Mei's microphone.
    const detail = await admin.request('calls.get', { id: callId });
    const connectedAt = detail.events.find((e) => e.type === 'agent_connected')?.at ?? answeredAt;
    const wav = await readWav(await phone.heardWav());
    const customerHearsAgent = heard(
      agentClip,
      toMono(wav.samples).slice(
        Math.round(((connectedAt - answeredAt + 300) * wav.sampleRate) / 1000),
      ),
      wav.sampleRate,
    );
    console.info(`[seats] preview from seat B: customer←agent ${customerHearsAgent.toFixed(3)}`);
    expect(customerHearsAgent, 'customer←agent on the preview call').toBeGreaterThanOrEqual(HEARD);
    expect(detail.call).toMatchObject({
      state: 'done',
      disposition: 'resolved',
      campaignName: 'seat-preview',
    });
    expect(detail.utterances.filter((u) => u.speaker === 'bot')).toEqual([]);
    expect(
      await pg.database.get<{ seat_id: string }>('SELECT seat_id FROM calls WHERE id = $id', {
        $id: callId,
      }),
    ).toEqual({ seat_id: 'seat-b' });
    expect(
      await pg.database.all('SELECT role FROM seat_legs WHERE call_id = $id', { $id: callId }),
    ).toEqual([]);
    // The skip is stored as on one seat: Mei's reason in the shared audit trail, the contact done.
    const skips = await admin.request('audit.list', { action: 'calls.previewSkip' });
    expect(skips.entries.map((e) => [e.actor, (e.details as { reason?: string }).reason])).toEqual([
      ['mei', 'wrong_number'],
    ]);
    await expect
      .poll(async () => (await admin.request('campaigns.get', { name: 'seat-preview' })).status, {
        timeout: 15_000,
      })
      .toBe('completed');
    await phone.stop();
  }, 120_000);
});
