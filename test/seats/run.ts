/**
 * `npm run seats`: issue 16's "Done when" at full size, too long for npm test. Three engines (the
 * built `outbound serve`, copied from out/ first so a rebuild mid-run cannot change them) with
 * their own data folders and media hosts share one throwaway PostgreSQL and one campaign of 2,000
 * contacts, dialing through the SIP bed; one is killed with SIGKILL mid-campaign. The store is
 * then checked as the line says (test/seats/shared-campaign.ts) and the "Seats over the bed"
 * section of docs/SEATS.md is written (replaced, the rest kept).
 *
 *   npm run seats                                  # 2,000 contacts, writes docs/SEATS.md
 *   npm run seats -- --contacts 300 --report none
 *   options: --contacts N  --per-seat N  --report FILE|none
 *
 * Exit code 0 when every check held, 1 otherwise.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { startPostgres } from '../support/postgres.js';
import { startBed } from '../telephony/index.js';
import { runSharedCampaign, type SharedCampaignResult } from './shared-campaign.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SECTION = '## Seats over the bed';

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '2000' },
    'per-seat': { type: 'string', default: '6' },
    report: { type: 'string', default: join(ROOT, 'docs', 'SEATS.md') },
  },
});

const startedAt = Date.now();
const log = (message: string): void => {
  const t = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(5);
  console.log(`[seats ${t}s] ${message}`);
};

function section(result: SharedCampaignResult, at: Date): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const seats = Object.entries(result.bySeat)
    .map(([seat, n]) => `${seat} ${n}`)
    .join(', ');
  const failures = Object.entries(result.otherFailures);
  return `${SECTION}

Issue 16's "Done when", at full size (\`npm run seats\`, test/seats/run.ts; \`--contacts N\` for a
shorter run). Three engines (\`outbound serve\`,
each with its own data folder, seat id and media host in Chromium) share one throwaway PostgreSQL
and one agentless campaign of ${result.contacts.toLocaleString('en')} contacts, dialing through
the SIP bed (Kamailio, rtpengine, sipp far ends that answer and send silence; the bot says one
short line and hangs up), ${result.calls > 0 ? 'at most 6 calls a seat' : ''}. A busy campaign
beside it (numbers capped at 2 calls a day, 10 attempts, retried after 1 s) checks the daily cap
across seats. One seat (lease expiry ${s(result.doomedExpiryMs)}; the others 60 s) is killed
with SIGKILL (and its media host after it) once ${result.killedAtCompleted} calls have completed.

Run ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} cores, load
average ${result.loadStart.map((l) => l.toFixed(1)).join(' ')} at the start and
${result.loadEnd.map((l) => l.toFixed(1)).join(' ')} at the end (other work on the machine).

| measure | value |
|---|---|
| contacts | ${result.contacts} |
| campaign calls | ${result.calls} (${result.completed} completed) |
| campaign duration (start to last contact done) | ${s(result.campaignMs)} (${((result.completed / result.campaignMs) * 1000).toFixed(2)} completed calls/s) |
| calls by seat | ${seats} |
| calls under way on the killed seat at the kill | ${result.heldAtKill} |
| its calls closed by the reaper as \`seat_lost\` | ${result.reaped} (${result.reapedAfterResult} as completed, their final disposition already stored) |
| kill to the last of them closed | ${s(result.reapedAfterMs)} |
| shortest redial after a reaped call (failed delay ${s(result.failedDelayMs)}) | ${result.minRedialGapMs === null ? '–' : s(result.minRedialGapMs)} |
| cap campaign calls (busy, cap 2) | ${result.capCalls} |
| other failed calls | ${failures.length === 0 ? 'none' : failures.map(([k, n]) => `${n} × ${k}`).join('; ')} |
| checks that failed | ${result.problems.length === 0 ? 'none' : result.problems.length} |

Checked in the store afterwards: no contact dialed twice in one attempt slot (nor two calls of one
contact at once); no number called more often in a day than its cap, and every capped busy number
exactly twice; the killed seat's calls under way closed as \`seat_lost\` with a
\`closed_seat_lost\` event, after their lease's expiry and after the kill (as failed, or as
completed with the disposition kept when the bot had stored its final one), and no call of it
ended otherwise after the kill; each failed one's contact redialed by another seat no sooner than
the failed delay, a completed one's not redialed; every contact done with exactly one completed
call; no lease left.
${result.problems.length > 0 ? `\nProblems:\n\n${result.problems.map((p) => `- ${p}`).join('\n')}\n` : ''}`;
}

function writeSection(file: string, text: string): void {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '# Seats\n';
  const start = before.indexOf(`${SECTION}\n`);
  if (start < 0) {
    writeFileSync(file, `${before.trimEnd()}\n\n${text.trimEnd()}\n`);
    return;
  }
  const next = before.indexOf('\n## ', start + SECTION.length);
  const after = next < 0 ? '' : before.slice(next + 1);
  writeFileSync(
    file,
    `${before.slice(0, start)}${text.trimEnd()}\n${after ? `\n${after}` : ''}`.trimEnd() + '\n',
  );
}

async function main(): Promise<number> {
  if (!existsSync(join(ROOT, 'out', 'cli.js')))
    throw new Error('out/cli.js is missing: run "npx electron-vite build" first');
  const build = join(ROOT, '.scratch', `seats-build-${process.pid}`);
  rmSync(build, { recursive: true, force: true });
  cpSync(join(ROOT, 'out'), build, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), 'outbound-seats-'));
  const cluster = await startPostgres();
  const bed = await startBed();
  try {
    const result = await runSharedCampaign({
      bed,
      // Empty: the built engine migrates it to the built app's schema.
      databaseUrl: await cluster.createDatabase('outbound_seats'),
      cli: join(build, 'cli.js'),
      scratch,
      contacts: Number(args.contacts),
      capContacts: 20,
      perSeat: Number(args['per-seat']),
      timeoutMs: 3 * 3600_000,
      log,
    });
    log(
      `${result.completed} completed of ${result.calls} calls in ${(result.campaignMs / 1000).toFixed(0)} s; ${result.problems.length} problems`,
    );
    for (const p of result.problems.slice(0, 40)) log(`  ${p}`);
    if (args.report !== 'none') {
      writeSection(args.report, section(result, new Date(startedAt)));
      log(`wrote ${args.report}`);
    }
    return result.problems.length === 0 ? 0 : 1;
  } finally {
    await bed.stop();
    await cluster.stop();
    rmSync(build, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
