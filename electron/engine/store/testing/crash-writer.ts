/**
 * Writes calls until killed, for the crash test. Each iteration is one transaction: a call, N
 * events, an utterance and an audit entry; "committed <id>" is printed after each commit. A second
 * loop writes plain (non-transaction) audit entries meanwhile, so the queue is busy from both sides.
 *
 * Usage: crash-writer.ts <data dir> <id prefix> <events per call>
 */
import { openStore } from '../sqlite-store.js';

const [dataDir, prefix, eventsArg] = process.argv.slice(2);
const eventsPerCall = Number(eventsArg);
if (!dataDir || !prefix || !Number.isInteger(eventsPerCall) || eventsPerCall < 1) {
  console.error('usage: crash-writer.ts <data dir> <id prefix> <events per call>');
  process.exit(2);
}

const store = await openStore({ dataDir });
console.log('ready');

async function writeCalls(): Promise<never> {
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`;
    await store.transaction(async (tx) => {
      await tx.calls.create({
        id,
        number: '+8613800138000',
        startedAt: Date.now(),
        state: 'dialing',
      });
      for (let step = 0; step < eventsPerCall; step++) {
        await tx.calls.appendEvent(id, { at: Date.now(), type: 'step', data: { step } });
      }
      await tx.calls.addUtterance(id, {
        speaker: 'bot',
        text: `utterance of ${id}`,
        startMs: 0,
        endMs: 500,
      });
      await tx.audit.add({ actor: 'crash-test', action: 'call.written', subject: id });
    });
    process.stdout.write(`committed ${id}\n`);
  }
}

async function writeHeartbeats(): Promise<never> {
  for (let i = 0; ; i++)
    await store.audit.add({ actor: 'crash-test', action: 'heartbeat', subject: String(i) });
}

await Promise.all([writeCalls(), writeHeartbeats()]);
