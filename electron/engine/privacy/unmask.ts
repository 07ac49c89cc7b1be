/**
 * `privacy.unmask`: one field of one call, unmasked, for a supervisor or an admin (the role map
 * keeps agents out). Every answer is an audit entry naming the user, the call and the field, never
 * the value; asking for a field that does not exist is refused before anything is read or written.
 */
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { type Actor, requestActor, writeAudit } from '../audit/index.js';
import type { Store } from '../store/types.js';

export interface UnmaskDeps {
  store: Store;
  /** Who the in-process caller is (the CLI's local admin), for the audit entry. */
  actor: Actor;
}

export function unmaskCommandHandlers({
  store,
  actor,
}: UnmaskDeps): Pick<CommandHandlers, 'privacy.unmask'> {
  return {
    'privacy.unmask': async ({ callId, field }, context) => {
      const call = await store.calls.get(callId);
      if (!call) throw new ApiError('NOT_FOUND', `No call with id "${callId}"`, 'callId');
      let value: string | null;
      const [head, index, key] = field.split('.');
      if (head === 'number') value = call.number;
      else if (head === 'contactName') value = call.contactName;
      else if (head === 'utterance') {
        const lines = await store.calls.utterances(callId);
        const line = lines[Number(index)];
        if (!line)
          throw new ApiError(
            'NOT_FOUND',
            `Call "${callId}" has ${lines.length} transcript lines; there is no utterance.${index ?? ''}`,
            'field',
          );
        value = line.text;
      } else {
        const events = await store.calls.events(callId);
        const event = events[Number(index)];
        const raw = event && key !== undefined ? event.data[key] : undefined;
        if (typeof raw !== 'string')
          throw new ApiError(
            'NOT_FOUND',
            `Call "${callId}" has no text at ${field} (${events.length} events)`,
            'field',
          );
        value = raw;
      }
      await writeAudit(store, requestActor(context, actor), {
        action: 'privacy.unmask',
        subject: callId,
        details: { field },
      });
      return { value };
    },
  };
}
