/**
 * Issue 16's "Done when", over the real bed: three engines (the built `outbound serve`, each with
 * its own data folder, seat id and media host in Chromium) share one throwaway PostgreSQL and one
 * campaign, and dial every contact through Kamailio and rtpengine to sipp far ends that answer
 * and listen (silence) while the bot says one short line and hangs up. One engine is killed with SIGKILL mid-campaign
 * (its media host, left without an engine, is cleared after it), holding calls under way.
 *
 * A second, small campaign runs beside it on the same seats for the daily cap: its numbers are
 * busy, retried after 1 s with attempts to spare, and capped at two calls a day, so the seats race
 * each other for every retry and the cap is what stops them.
 *
 * After the run, `checkSharedCampaign` reads the store and returns what the line demands, as facts
 * and a list of problems (empty when everything held):
 * - no contact dialed twice in the same attempt slot (campaign, contact, attempt), nor two calls of
 *   one contact at once;
 * - the daily cap: no number called more often than its cap in a day (UTC), and the capped busy
 *   numbers called exactly that often;
 * - the killed seat's calls under way were closed by another seat's reaper as `seat_lost`, no
 *   sooner than their lease's expiry (the reason carries it) nor the kill: as failed, or as
 *   completed with the disposition kept when the bot had already stored its final one (it does
 *   when its flow ends, before it hangs up);
 * - the failed ones' contacts were redialed by the other seats, no sooner than the failed delay
 *   after that; a completed one's contact was not redialed;
 * - every contact of the campaign ends with exactly one completed call, and no lease is left.
 *
 * Used by `npm run seats` (test/seats/run.ts: 2,000 contacts by default, written to
 * docs/SEATS.md). Not yet in npm test: on this 2-core machine at load 20-37 three engines
 * with their media hosts placed about 0.3-0.5 calls a second (a call's hang-up waited 10-47 s
 * behind its seat's store writes), far over the e2e-bed lane's budget.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { KEY_FILE_NAME } from '../../electron/engine/secrets/key-file.js';
import { descendants, type EngineProcess, startEngine } from '../soak/engine-process.js';
import type { Bed, Sipp } from '../telephony/index.js';

export interface SharedCampaignOptions {
  bed: Bed;
  /** A fresh, migrated PostgreSQL database the seats share. */
  databaseUrl: string;
  /** The built CLI (`out/cli.js`, or a copy of out/ the run keeps for itself). */
  cli: string;
  /** A scratch folder for the seats' data folders and the contact lists. */
  scratch: string;
  contacts: number;
  /** Busy contacts of the cap campaign (default 20). */
  capContacts?: number;
  /** Calls one seat places at once (the desktop limit, a shared setting). Default 6. */
  perSeat?: number;
  /** The killed seat goes when this many of the campaign's calls have completed (default a quarter). */
  killAfterCompleted?: number;
  /** The doomed seat's lease expiry (default 20 s); the survivors' is 60 s. */
  doomedExpiryMs?: number;
  /** The failed retry delay (default 3 s). */
  failedDelayMs?: number;
  timeoutMs?: number;
  log?: (message: string) => void;
}

export interface SharedCampaignResult {
  contacts: number;
  durationMs: number;
  /** From the campaign's start to its last contact done. */
  campaignMs: number;
  calls: number;
  completed: number;
  bySeat: Record<string, number>;
  /** Outcomes of the campaign's calls other than completed and seat_lost (e.g. a WebRTC error under load). */
  otherFailures: Record<string, number>;
  killedAtCompleted: number;
  /** Calls under way on the killed seat when it was killed (its leases in a dialed state). */
  heldAtKill: number;
  reaped: number;
  /** Of those, closed as completed: the bot had stored its final disposition. */
  reapedAfterResult: number;
  /** From the kill to the last of its calls closed by a reaper. */
  reapedAfterMs: number;
  /** Lease expiry of the killed seat, and the failed delay. */
  doomedExpiryMs: number;
  failedDelayMs: number;
  /** Smallest gap from a reaped call's end to its contact's next call. */
  minRedialGapMs: number | null;
  capCalls: number;
  loadStart: number[];
  loadEnd: number[];
  problems: string[];
}

const SEATS = ['seat-a', 'seat-b', 'seat-c'] as const;
const DOOMED = 'seat-c';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const flow = {
  id: 'seats-bed',
  name: 'Seats bed',
  language: 'en',
  start: 'hello',
  nodes: {
    hello: {
      kind: 'hangup',
      // No {name}: one short prompt, rendered once, for every call of every seat.
      say: 'Your order is ready. Goodbye.',
      // Final (the bot registers it so): stored when the flow ends, before the hang-up, so a seat
      // killed right then leaves a call the reaper closes as completed with it.
      disposition: 'reminded',
    },
  },
};

const allDay: Array<[string, string]> = [['00:00', '24:00']];
const schedule = {
  timeZone: 'UTC',
  windows: {
    sun: allDay,
    mon: allDay,
    tue: allDay,
    wed: allDay,
    thu: allDay,
    fri: allDay,
    sat: allDay,
  },
  excludedDates: [],
};

/** `node <cli> …args` with the seats' environment; throws with its stderr when it fails. */
function cliRun(cli: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 180_000,
    env,
  });
  if (result.status !== 0)
    throw new Error(`outbound ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
}

const num = (v: unknown): number => Number(v ?? 0);

export async function runSharedCampaign(
  options: SharedCampaignOptions,
): Promise<SharedCampaignResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const loadStart = loadavg();
  const perSeat = options.perSeat ?? 6;
  const capContacts = options.capContacts ?? 20;
  const doomedExpiryMs = options.doomedExpiryMs ?? 20_000;
  const failedDelayMs = options.failedDelayMs ?? 3_000;
  const killAfter = options.killAfterCompleted ?? Math.floor(options.contacts / 4);
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const { bed, cli, scratch } = options;

  // Far ends: answer and send silence (RTP flows, nothing for the bot to hear) until the bot has
  // said its line and hangs up; 1,000 numbers each (+86 199 <port> <nnn>, routed by Kamailio).
  const silence = join(scratch, 'seats-silence.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', silence, 'trim', '0', '1']);
  const answering: Sipp[] = [];
  for (let i = 0; i < Math.ceil(options.contacts / 1000); i++)
    answering.push(await bed.sipp({ scenario: 'answer', play: silence }));
  const busy = await bed.sipp({ scenario: 'busy' });
  const numberOf = (far: Sipp, n: number): string =>
    `+86199${String(far.port).padStart(5, '0')}${String(n).padStart(3, '0')}`;
  const rows = ['name,phone'];
  for (let i = 0; i < options.contacts; i++)
    rows.push(`Seat ${i},${numberOf(answering[Math.floor(i / 1000)]!, i % 1000)}`);
  const capRows = ['name,phone'];
  for (let i = 0; i < capContacts; i++) capRows.push(`Cap ${i},${numberOf(busy, i)}`);

  const data = Object.fromEntries(SEATS.map((s) => [s, join(scratch, s)])) as Record<
    (typeof SEATS)[number],
    string
  >;
  for (const dir of Object.values(data)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, OUTBOUND_DATABASE: options.databaseUrl };
  const envOf = (seat: string): NodeJS.ProcessEnv => ({
    ...baseEnv,
    OUTBOUND_SEAT_ID: seat,
    // The survivors' own leases live long (a loaded machine never costs them one); the doomed
    // seat's expiry is how soon its calls are reaped. Each lease carries its owner's expiry.
    OUTBOUND_LEASE_EXPIRY_MS: String(seat === DOOMED ? doomedExpiryMs : 60_000),
  });
  // The shared store is set up once, from seat A's workspace; the others get its key file
  // (docs/POSTGRES.md: seats sharing a database share secret.key) before they first start.
  const list = join(scratch, 'seats.csv');
  const capList = join(scratch, 'seats-cap.csv');
  writeFileSync(list, `${rows.join('\n')}\n`);
  writeFileSync(capList, `${capRows.join('\n')}\n`);
  const envA = envOf('seat-a');
  cliRun(
    cli,
    ['import', list, '--list', 'seats', '--region', 'CN', '--data', data['seat-a']],
    envA,
  );
  cliRun(
    cli,
    ['import', capList, '--list', 'seats-cap', '--region', 'CN', '--data', data['seat-a']],
    envA,
  );
  cliRun(
    cli,
    [
      'trunk',
      'add',
      'main',
      '--uri',
      bed.wsUri.open,
      '--domain',
      bed.sipDomain,
      '--max-calls',
      String(perSeat),
      '--data',
      data['seat-a'],
    ],
    envA,
  );
  for (const seat of SEATS.slice(1))
    copyFileSync(join(data['seat-a'], KEY_FILE_NAME), join(data[seat], KEY_FILE_NAME));
  log(`imported ${options.contacts} + ${capContacts} contacts; starting three seats`);

  const db = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  db.on('error', () => undefined);
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    num((await db.query<{ n: string }>(sql, params)).rows[0]?.n);

  const engines = new Map<string, EngineProcess>();
  const problems: string[] = [];
  // Filled in as the run goes (read after it, in the checks).
  const run = {
    killedAt: 0,
    killedAtCompleted: 0,
    heldAtKill: 0,
    campaignStart: 0,
    campaignEnd: 0,
  };
  try {
    // One at a time: three Chromium start-ups at once on 2 cores stall each other.
    for (const seat of SEATS)
      engines.set(seat, await startEngine({ cli, data: data[seat], env: envOf(seat) }));
    const api = engines.get('seat-a')!.api;
    await api.request('flows.save', { definition: flow });
    await api.request('settings.update', {
      changes: { ringTimeoutMs: 10_000, maxConcurrentCalls: perSeat, language: 'en' },
    });
    // The cap campaign first: the dialer visits campaigns in order, and its few busy retries
    // would otherwise wait for the big one to leave a line free.
    await api.request('campaigns.create', {
      name: 'seats-cap',
      list: 'seats-cap',
      flow: { name: flow.id },
      trunks: ['main'],
      dialingMode: 'agentless',
      maxConcurrentCalls: SEATS.length,
      schedule,
      retryPolicy: {
        maxAttempts: 10,
        retryAfterMs: { busy: 1_000, no_answer: 1_000, failed: 1_000 },
        dailyCapPerNumber: 2,
      },
    });
    await api.request('campaigns.create', {
      name: 'seats',
      list: 'seats',
      flow: { name: flow.id },
      trunks: ['main'],
      dialingMode: 'agentless',
      maxConcurrentCalls: perSeat * SEATS.length,
      schedule,
      retryPolicy: {
        maxAttempts: 5,
        retryAfterMs: { busy: 2_000, no_answer: 2_000, failed: failedDelayMs },
        dailyCapPerNumber: 3,
      },
    });
    run.campaignStart = Date.now();
    await api.request('campaigns.start', { name: 'seats-cap' });
    await api.request('campaigns.start', { name: 'seats' });
    log('campaigns started');

    const completedSql =
      "SELECT count(*) AS n FROM calls c JOIN campaigns k ON k.id = c.campaign_id WHERE k.name = 'seats' AND c.outcome = 'completed'";
    const underWaySql = `SELECT count(*) AS n FROM campaign_contacts cc JOIN calls c ON c.id = cc.lease_call_id
       WHERE cc.status = 'leased' AND cc.lease_owner = $1 AND c.state NOT IN ('queued', 'done', 'wrap_up')`;
    // Mid-campaign: once a share of the contacts is done and the doomed seat has calls under way.
    let lastLog = 0;
    for (;;) {
      const completed = await count(completedSql);
      const held = await count(underWaySql, [DOOMED]);
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(
          `${completed} completed; ${DOOMED} has ${held} under way; load ${loadavg()[0]!.toFixed(1)}`,
        );
      }
      if (completed >= killAfter && held >= 1) {
        const doomed = engines.get(DOOMED)!;
        const tree = descendants(doomed.pid);
        await doomed.kill9();
        run.killedAt = Date.now();
        // Its media host, left without an engine, goes too (a dead seat's PC, as far as calls go).
        for (const p of tree) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        engines.delete(DOOMED);
        run.killedAtCompleted = completed;
        run.heldAtKill = await count(underWaySql, [DOOMED]);
        log(
          `killed ${DOOMED} (kill -9) at ${completed} completed, holding ${run.heldAtKill} calls under way`,
        );
        break;
      }
      if (Date.now() - started > timeoutMs) throw new Error('timed out before the kill');
      await sleep(200);
    }

    const doneSql =
      "SELECT count(*) AS n FROM campaign_contacts cc JOIN campaigns k ON k.id = cc.campaign_id WHERE k.name = 'seats' AND cc.status = 'done'";
    for (;;) {
      const done = await count(doneSql);
      const capped = await count(
        "SELECT count(*) AS n FROM calls c JOIN campaigns k ON k.id = c.campaign_id WHERE k.name = 'seats-cap' AND c.state = 'done'",
      );
      if (done === options.contacts && capped >= capContacts * 2) break;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(
          `${done} of ${options.contacts} contacts done, ${capped} cap calls; load ${loadavg()[0]!.toFixed(1)}`,
        );
      }
      if (Date.now() - started > timeoutMs)
        throw new Error(`timed out: ${done} of ${options.contacts} contacts done`);
      await sleep(500);
    }
    run.campaignEnd = Date.now();
    // A little longer: a cap contact dialed a third time would show now.
    await sleep(3_000);
    await api.request('campaigns.stop', { name: 'seats-cap' });
    log(
      `campaign done in ${((run.campaignEnd - run.campaignStart) / 1000).toFixed(0)} s; stopping the seats`,
    );
  } finally {
    for (const engine of engines.values()) await engine.stop().catch(() => undefined);
    for (const far of [...answering, busy]) await far.stop().catch(() => undefined);
  }

  try {
    const checked = await checkSharedCampaign(db, {
      contacts: options.contacts,
      capContacts,
      doomed: DOOMED,
      killedAt: run.killedAt,
      failedDelayMs,
      capPerDay: { seats: 3, 'seats-cap': 2 },
    });
    problems.push(...checked.problems);
    return {
      contacts: options.contacts,
      durationMs: Date.now() - started,
      campaignMs: run.campaignEnd - run.campaignStart,
      calls: checked.calls,
      completed: checked.completed,
      bySeat: checked.bySeat,
      otherFailures: checked.otherFailures,
      killedAtCompleted: run.killedAtCompleted,
      heldAtKill: run.heldAtKill,
      reaped: checked.reaped,
      reapedAfterResult: checked.reapedAfterResult,
      reapedAfterMs: checked.lastReapedAt - run.killedAt,
      doomedExpiryMs,
      failedDelayMs,
      minRedialGapMs: checked.minRedialGapMs,
      capCalls: checked.capCalls,
      loadStart,
      loadEnd: loadavg(),
      problems,
    };
  } finally {
    await db.end();
  }
}

interface CallRow {
  id: string;
  campaign: string;
  contact_id: number;
  attempt: number;
  number: string;
  seat_id: string | null;
  state: string;
  outcome: string | null;
  disposition_code: string | null;
  end_reason: string | null;
  started_at: number;
  ended_at: number | null;
}

/** The store's side of the line: every check it names, as facts and problems. */
async function checkSharedCampaign(
  db: pg.Pool,
  expect: {
    contacts: number;
    capContacts: number;
    doomed: string;
    killedAt: number;
    failedDelayMs: number;
    capPerDay: Record<string, number>;
  },
): Promise<{
  calls: number;
  completed: number;
  bySeat: Record<string, number>;
  otherFailures: Record<string, number>;
  reaped: number;
  reapedAfterResult: number;
  lastReapedAt: number;
  minRedialGapMs: number | null;
  capCalls: number;
  problems: string[];
}> {
  const problems: string[] = [];
  const calls = (
    await db.query<Record<keyof CallRow, unknown>>(
      `SELECT c.id, k.name AS campaign, c.contact_id, c.attempt, c.number, c.seat_id, c.state,
              c.outcome, c.disposition_code, c.end_reason, c.started_at, c.ended_at
         FROM calls c JOIN campaigns k ON k.id = c.campaign_id ORDER BY c.started_at`,
    )
  ).rows.map((r): CallRow => ({
    id: String(r.id),
    campaign: String(r.campaign),
    contact_id: num(r.contact_id),
    attempt: num(r.attempt),
    number: String(r.number),
    seat_id: r.seat_id === null ? null : String(r.seat_id),
    state: String(r.state),
    outcome: r.outcome === null ? null : String(r.outcome),
    disposition_code: r.disposition_code === null ? null : String(r.disposition_code),
    end_reason: r.end_reason === null ? null : String(r.end_reason),
    started_at: num(r.started_at),
    ended_at: r.ended_at === null ? null : num(r.ended_at),
  }));
  const main = calls.filter((c) => c.campaign === 'seats');
  const cap = calls.filter((c) => c.campaign === 'seats-cap');

  // No attempt slot twice, no two calls of one contact at once; every call closed.
  const slots = new Set<string>();
  const byContact = new Map<string, CallRow[]>();
  for (const c of calls) {
    const slot = `${c.campaign}/${c.contact_id}#${c.attempt}`;
    if (slots.has(slot)) problems.push(`attempt slot ${slot} dialed twice`);
    slots.add(slot);
    const key = `${c.campaign}/${c.contact_id}`;
    byContact.set(key, [...(byContact.get(key) ?? []), c]);
    if (c.state !== 'done' || c.ended_at === null || c.outcome === null)
      problems.push(`call ${c.id} (${c.campaign} contact ${c.contact_id}) was left ${c.state}`);
  }
  for (const [key, list] of byContact)
    for (let i = 1; i < list.length; i++)
      if (list[i]!.started_at < (list[i - 1]!.ended_at ?? Infinity))
        problems.push(
          `contact ${key}: call ${list[i]!.id} started before ${list[i - 1]!.id} ended`,
        );

  // The daily cap (days in UTC, the campaigns' time zone).
  const perDay = new Map<string, number>();
  for (const c of calls) {
    const key = `${c.number}@${new Date(c.started_at).toISOString().slice(0, 10)}`;
    perDay.set(key, (perDay.get(key) ?? 0) + 1);
  }
  const capOf = new Map(calls.map((c) => [c.number, expect.capPerDay[c.campaign]!]));
  for (const [key, n] of perDay) {
    const limit = capOf.get(key.split('@')[0]!)!;
    if (n > limit) problems.push(`number ${key} called ${n} times, over its daily cap of ${limit}`);
  }
  const capNumbers = new Set(cap.map((c) => c.number));
  if (capNumbers.size !== expect.capContacts)
    problems.push(`${capNumbers.size} of ${expect.capContacts} capped numbers were called`);
  for (const number of capNumbers) {
    const n = cap.filter((c) => c.number === number).length;
    if (n !== 2)
      problems.push(`capped busy number ${number} called ${n} times (cap 2, 10 attempts)`);
  }
  const capPending = num(
    (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM campaign_contacts cc JOIN campaigns k ON k.id = cc.campaign_id
          WHERE k.name = 'seats-cap' AND cc.status = 'done'`,
      )
    ).rows[0]?.n,
  );
  if (capPending !== 0)
    problems.push(`${capPending} capped contacts were given up instead of waiting for tomorrow`);

  // The killed seat: its calls under way closed by a reaper as seat_lost, after expiry and kill.
  const lost = main.filter(
    (c) => c.seat_id === expect.doomed && c.end_reason?.startsWith('seat_lost'),
  );
  const doomedOther = main.filter(
    (c) =>
      c.seat_id === expect.doomed &&
      c.ended_at !== null &&
      c.ended_at > expect.killedAt &&
      !lost.includes(c),
  );
  if (lost.length === 0) problems.push(`no call of ${expect.doomed} was closed as seat_lost`);
  for (const c of doomedOther)
    problems.push(
      `call ${c.id} of the killed seat ended after the kill as ${c.outcome}: ${c.end_reason}`,
    );
  let lastReapedAt = 0;
  let minRedialGapMs: number | null = null;
  const reapedEvents = new Map(
    (
      await db.query<{ call_id: string; at: string }>(
        "SELECT call_id, at FROM call_events WHERE type = 'closed_seat_lost'",
      )
    ).rows.map((r) => [String(r.call_id), num(r.at)]),
  );
  for (const c of lost) {
    const expiredAt = Date.parse(/expired ([^)]+)\)/.exec(c.end_reason!)?.[1] ?? '');
    // The bot's final disposition already stored: completed, kept, the contact not redialed.
    const afterResult = c.end_reason!.startsWith('seat_lost after the result');
    if (afterResult !== (c.disposition_code !== null))
      problems.push(
        `lost call ${c.id} with disposition ${c.disposition_code} closed as: ${c.end_reason}`,
      );
    if (c.outcome !== (afterResult ? 'completed' : 'failed'))
      problems.push(`lost call ${c.id} has outcome ${c.outcome}`);
    if (!reapedEvents.has(c.id)) problems.push(`lost call ${c.id} has no closed_seat_lost event`);
    if (!(c.ended_at! >= expiredAt))
      problems.push(`lost call ${c.id} closed before its lease expired`);
    if (c.ended_at! < expect.killedAt) problems.push(`lost call ${c.id} closed before the kill`);
    lastReapedAt = Math.max(lastReapedAt, c.ended_at!);
    const next = main.find((d) => d.contact_id === c.contact_id && d.attempt === c.attempt + 1);
    if (afterResult) {
      if (next)
        problems.push(`contact ${c.contact_id} of completed lost call ${c.id} was redialed`);
      continue;
    }
    if (!next) {
      problems.push(`contact ${c.contact_id} of lost call ${c.id} was never redialed`);
      continue;
    }
    if (next.seat_id === expect.doomed)
      problems.push(`contact ${c.contact_id} was redialed by the dead seat`);
    const gap = next.started_at - c.ended_at!;
    if (gap < expect.failedDelayMs)
      problems.push(
        `contact ${c.contact_id} redialed ${gap} ms after its call was reaped (failed delay ${expect.failedDelayMs} ms)`,
      );
    minRedialGapMs = minRedialGapMs === null ? gap : Math.min(minRedialGapMs, gap);
  }

  // Exactly one completed call per contact; every contact done; no lease left anywhere.
  const completedBy = new Map<number, number>();
  for (const c of main)
    if (c.outcome === 'completed')
      completedBy.set(c.contact_id, (completedBy.get(c.contact_id) ?? 0) + 1);
  const contacts = (
    await db.query<{ contact_id: string; status: string }>(
      `SELECT cc.contact_id, cc.status FROM campaign_contacts cc JOIN campaigns k ON k.id = cc.campaign_id
        WHERE k.name = 'seats'`,
    )
  ).rows;
  if (contacts.length !== expect.contacts)
    problems.push(`the campaign holds ${contacts.length} contacts, not ${expect.contacts}`);
  for (const row of contacts) {
    const n = completedBy.get(num(row.contact_id)) ?? 0;
    if (n !== 1) problems.push(`contact ${row.contact_id} has ${n} completed calls`);
    if (row.status !== 'done') problems.push(`contact ${row.contact_id} is ${row.status}`);
  }
  const leases = num(
    (
      await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM campaign_contacts WHERE status = 'leased' OR lease_owner IS NOT NULL",
      )
    ).rows[0]?.n,
  );
  if (leases !== 0) problems.push(`${leases} leases left`);

  const bySeat: Record<string, number> = {};
  for (const c of main) bySeat[c.seat_id ?? '?'] = (bySeat[c.seat_id ?? '?'] ?? 0) + 1;
  const otherFailures: Record<string, number> = {};
  for (const c of main)
    if (c.outcome !== 'completed' && !lost.includes(c)) {
      const key = `${c.outcome}: ${(c.end_reason ?? '').slice(0, 80)}`;
      otherFailures[key] = (otherFailures[key] ?? 0) + 1;
    }
  return {
    calls: main.length,
    completed: main.filter((c) => c.outcome === 'completed').length,
    bySeat,
    otherFailures,
    reaped: lost.length,
    reapedAfterResult: lost.filter((c) => c.outcome === 'completed').length,
    lastReapedAt,
    minRedialGapMs,
    capCalls: cap.length,
    problems,
  };
}
