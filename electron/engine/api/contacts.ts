/**
 * Contact lists in the API: the lists overview (with how many contacts each holds). Importing
 * contacts into a list is in imports.ts.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

export const ContactListSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  /** Region for numbers without a country code, e.g. CN. */
  defaultRegion: z.string(),
  contacts: z.number().int().nonnegative(),
  createdAt: z.number().int().nonnegative(),
});
export type ContactListSummary = z.infer<typeof ContactListSummarySchema>;

export const contactCommands = {
  'contacts.lists': {
    params: z.object({}).strict(),
    result: z.object({ lists: z.array(ContactListSummarySchema) }),
  },
} as const;
