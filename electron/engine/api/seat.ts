/**
 * This engine's seat in the API (issue 16): `seat.get` says which seat this is, which store it
 * runs on and the seat's own configuration kept in its workspace (`<data>/seat.json`, read at
 * start, before the store can be opened); `seat.update` changes that configuration (admins).
 *
 * - `database`: the shared PostgreSQL connection string this seat opens at its next start ('' for
 *   the SQLite file in its data folder). `--database` / `OUTBOUND_DATABASE` override it. Shown
 *   and returned without its password; a restart applies it.
 * - `recordingsShare`: the folder where the other seats' recordings folders are mounted, as
 *   `<share>/<seat id>` (History plays a recording another seat made from there). Applies at once.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

/** Where the store this engine runs on was chosen. */
export const DatabaseSource = z.enum([
  /** The engine's `database` option (the desktop app's, or a test's). */
  'option',
  /** `OUTBOUND_DATABASE` (which `--database` sets for the command). */
  'environment',
  /** The seat's configuration (seat.json), saved in Settings. */
  'workspace',
  /** Nothing chose one: the SQLite file in the data folder. */
  'default',
]);
export type DatabaseSource = z.infer<typeof DatabaseSource>;

export const SeatInfoSchema = z.object({
  seatId: z.string(),
  leaseExpiryMs: z.number().int(),
  /** The store in use: '' for the SQLite file in the data folder, else the connection string without its password. */
  database: z.string(),
  databaseSource: DatabaseSource,
  /** The connection string saved in the seat's configuration, without its password ('' = SQLite). */
  savedDatabase: z.string(),
  /** Whether the saved connection string differs from the one in use and nothing overrides it: a restart applies it. */
  restartNeeded: z.boolean(),
  /** Where the other seats' recordings folders are mounted (`<share>/<seat id>`); '' for none. */
  recordingsShare: z.string(),
});
export type SeatInfo = z.infer<typeof SeatInfoSchema>;

export const seatCommands = {
  'seat.get': { params: z.object({}).strict(), result: SeatInfoSchema },
  'seat.update': {
    params: z
      .object({
        /** postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or '' for the SQLite file. */
        database: z.string().max(2000).optional(),
        /** An absolute folder, or '' for none. */
        recordingsShare: z.string().max(1000).optional(),
      })
      .strict(),
    result: SeatInfoSchema,
  },
} as const;
