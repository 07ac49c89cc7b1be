/** The API's dnc.* commands over the store's DNC repository, with numbers normalized to E.164. */
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { type Actor, requestActor, writeAudit } from '../audit/index.js';
import { Masker } from '../privacy/index.js';
import type { Store } from '../store/types.js';
import { assertRegion, normalizePhone } from './phone.js';

type DncCommandName = 'dnc.list' | 'dnc.add' | 'dnc.remove';

export interface DncCommandDeps {
  store: Store;
  /** The workspace's default region (Settings), for numbers written without a country code. */
  defaultRegion: () => Promise<string>;
  actor: Actor;
}

async function regionOf(given: string | undefined, deps: DncCommandDeps) {
  try {
    return assertRegion(given ?? (await deps.defaultRegion()));
  } catch (error) {
    throw new ApiError('INVALID_PARAMS', `region: ${(error as Error).message}`, 'region');
  }
}

export function dncCommandHandlers(deps: DncCommandDeps): Pick<CommandHandlers, DncCommandName> {
  const { store, actor } = deps;
  return {
    'dnc.list': async ({ limit, offset }) => ({ entries: await store.dnc.list({ limit, offset }) }),
    'dnc.add': async ({ numbers, reason, region, source, callId }, context) => {
      const country = await regionOf(region, deps);
      // Every number is read before anything is written: one bad entry refuses the request.
      const byPhone = new Map<string, string | null>();
      // History's "Add to do-not-call" sends the number as the console shows it: masked
      // (138****8000) for a masked viewer. The masked form of the call's own number stands for it.
      const ofCall = callId ? ((await store.calls.get(callId))?.number ?? null) : null;
      const shown =
        ofCall === null ? null : new Masker({ names: true, amounts: false }).phone(ofCall);
      numbers.forEach((given, i) => {
        const written = typeof given === 'string' ? given : given.number;
        const typed =
          ofCall !== null && written.includes('*') && written === shown ? ofCall : written;
        const n = normalizePhone(typed, country);
        if (!n.ok)
          throw new ApiError('INVALID_PARAMS', `numbers.${i}: ${n.reason}`, `numbers.${i}`);
        const own = typeof given === 'string' ? null : (given.reason ?? null);
        if (!byPhone.has(n.e164)) byPhone.set(n.e164, own || reason || null);
      });
      const unique = [...byPhone.keys()];
      const added = await store.transaction(async (tx) => {
        const count = await tx.dnc.add(
          [...byPhone].map(([phone, why]) => ({ phone, reason: why, source })),
        );
        // Other seats re-read the list (change-feed.ts); each lease checks it anyway.
        if (count > 0) await tx.changes.notify('dnc');
        // A number erased on request (retention/) is never written down again, not even here.
        const erased = await tx.dnc.erasedAmong(unique);
        const named = unique[0] && !erased.has(unique[0]) ? unique[0] : '[erased]';
        await writeAudit(tx, requestActor(context, actor), {
          action: 'dnc.add',
          subject: unique.length === 1 ? named : `${unique.length} numbers`,
          details: { added: count, source, ...(callId ? { callId } : {}) },
        });
        return count;
      });
      return { numbers: unique, added, alreadyListed: unique.length - added };
    },
    'dnc.remove': async ({ number, region }, context) => {
      const n = normalizePhone(number, await regionOf(region, deps));
      if (!n.ok) throw new ApiError('INVALID_PARAMS', `number: ${n.reason}`, 'number');
      const removed = await store.transaction(async (tx) => {
        const gone = await tx.dnc.remove(n.e164);
        if (gone) await tx.changes.notify('dnc');
        if (gone)
          await writeAudit(tx, requestActor(context, actor), {
            action: 'dnc.remove',
            subject: n.e164,
            details: {},
          });
        return gone;
      });
      return { phone: n.e164, removed };
    },
  };
}
