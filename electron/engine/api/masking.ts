/**
 * Masking in the API (issue 15 §1): `privacy.unmask`, one field of one call shown unmasked to a
 * supervisor or an admin, audited with who, which call and which field (never the value).
 *
 * Fields: `number`, `contactName`, `utterance.<i>` (the i-th transcript line of calls.get, from
 * 0), `event.<i>.<key>` (a string in the i-th event's data, e.g. `event.3.detail`).
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

export const UnmaskField = z
  .string()
  .regex(
    /^(number|contactName|utterance\.\d{1,5}|event\.\d{1,6}\.[A-Za-z_][A-Za-z0-9_]{0,39})$/,
    'must be number, contactName, utterance.<index> or event.<index>.<key>',
  );
export type UnmaskField = z.infer<typeof UnmaskField>;

export const maskingCommands = {
  'privacy.unmask': {
    params: z.object({ callId: z.string().min(1).max(200), field: UnmaskField }).strict(),
    /** The raw value; null when the field is empty (a call without a contact name). */
    result: z.object({ value: z.string().nullable() }),
  },
} as const;
