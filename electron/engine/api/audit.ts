/**
 * The audit trail in the API: the one typed list of audited actions (each with the kind the Audit
 * page filters by), the stored entry as the console sees it, and `audit.list` / `audit.export`
 * (admins only: api/roles.ts). There is no command that changes or deletes an entry, and the
 * store refuses it too (SQLite triggers, migration 6).
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

/**
 * Every action the engine audits, with its kind. Names are `area.verb`, as stored in
 * `audit_log.action`; a stored name never changes meaning (old rows keep it), so a new action gets
 * a new name. Who writes each one: electron/engine/audit/index.ts's table.
 */
export const AUDIT_ACTIONS = {
  // Sign-in (auth/): every attempt, with the source and address it came from.
  'auth.signIn': 'auth',
  'auth.signInFailed': 'auth',
  'auth.signOut': 'auth',
  // Users and agents: the people who may sign in and take calls.
  'users.setupFirstAdmin': 'users',
  'users.add': 'users',
  'users.update': 'users',
  'users.disable': 'users',
  'users.enable': 'users',
  'users.resetPassword': 'users',
  'agents.create': 'users',
  'agents.update': 'users',
  // A supervisor on a live call: listen, whisper or barge; each mode change; leaving.
  'supervision.start': 'supervision',
  'supervision.mode': 'supervision',
  'supervision.end': 'supervision',
  // Data leaving the engine: History's CSV (one entry a page), an import's rejected rows, the
  // audit trail's own CSV.
  'calls.export': 'export',
  'imports.rejects': 'export',
  'audit.export': 'export',
  'reports.export': 'export',
  // A call's recording: opened in the player by a person (calls.recording), and its audio served
  // by a shell's media route. Each once per person (or address), call and 10 minutes.
  'recordings.play': 'recordings',
  'recordings.fetch': 'recordings',
  'trunks.create': 'trunks',
  'trunks.update': 'trunks',
  'trunks.remove': 'trunks',
  'campaigns.create': 'campaigns',
  'campaigns.update': 'campaigns',
  'campaigns.start': 'campaigns',
  'campaigns.resume': 'campaigns',
  'campaigns.pause': 'campaigns',
  'campaigns.stop': 'campaigns',
  'campaigns.completed': 'campaigns',
  'flows.save': 'flows',
  'flows.install_sample': 'flows',
  'flows.apply_labels': 'flows',
  'calls.label_utterance': 'flows',
  'dnc.add': 'dnc',
  'dnc.remove': 'dnc',
  'settings.update': 'settings',
  // A seat's own configuration (seat.json): its database (never the password), the recordings share.
  'seat.update': 'settings',
  'queues.create': 'routing',
  'queues.update': 'routing',
  'routing.rules.set': 'routing',
  'contacts.import': 'contacts',
  'calls.wrapUp': 'calls',
  // Preview dialing: an agent skipped the contact shown to them, with the reason.
  'calls.previewSkip': 'calls',
  // Retention and erasure (retention/): each purge with its report, an erasure (named by the
  // number's keyed hash, never the number), a person's data exported on an access request.
  'privacy.purge': 'privacy',
  'privacy.erase': 'privacy',
  'privacy.export': 'export',
  // Masking (privacy/): one field of one call shown unmasked (the field, never the value).
  'privacy.unmask': 'privacy',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[];

export const AUDIT_KINDS = [
  'auth',
  'users',
  'supervision',
  'export',
  'recordings',
  'trunks',
  'campaigns',
  'flows',
  'dnc',
  'settings',
  'routing',
  'contacts',
  'calls',
  'privacy',
] as const;
export const AuditKind = z.enum(AUDIT_KINDS);
export type AuditKind = z.infer<typeof AuditKind>;

/** The actions of one kind, for the filter (the store matches them with its action index). */
export function auditActionsOfKind(kind: AuditKind): AuditAction[] {
  return AUDIT_ACTION_NAMES.filter((action) => AUDIT_ACTIONS[action] === kind);
}

/**
 * Where an action came from: a console window over Electron IPC, a console or client over the
 * WebSocket, an `outbound` CLI command, or the engine itself (the dialer, a sample install).
 */
export const AUDIT_SOURCES = ['ipc', 'ws', 'cli', 'engine'] as const;
export const AuditSource = z.enum(AUDIT_SOURCES);
export type AuditSource = z.infer<typeof AuditSource>;

export const AuditRole = z.enum(['agent', 'supervisor', 'admin']);

const Timestamp = z.number().int().nonnegative();

export const AuditEntrySchema = z.object({
  id: z.number().int().positive(),
  at: Timestamp,
  /** Who: the user's sign-in name ("local-admin" for the CLI, "engine" for the engine itself). */
  actor: z.string(),
  /** The user's id, or null (the engine; entries from before users existed). */
  actorId: z.number().int().nullable(),
  role: AuditRole.nullable(),
  source: AuditSource,
  /** The remote address of a WebSocket client, when known. */
  address: z.string().nullable(),
  /** An action name; entries written by older versions may carry names not in AUDIT_ACTIONS. */
  action: z.string(),
  subject: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** The filter audit.list and audit.export share (all optional, combined with AND). */
export const AuditFilterFields = {
  /** Exactly this actor name. */
  actor: z.string().min(1).max(200).optional(),
  /** Exactly this action (e.g. `trunks.update`). */
  action: z.string().min(1).max(100).optional(),
  /** Every action of this kind (e.g. `trunks`). */
  kind: AuditKind.optional(),
  /** Exactly this subject (a trunk's or campaign's name, a call id, a number). */
  subject: z.string().min(1).max(500).optional(),
  /** Entries at or after this instant (ms since the epoch). */
  from: Timestamp.optional(),
  /** Entries before this instant (ms since the epoch; exclusive). */
  to: Timestamp.optional(),
};
export type AuditFilter = z.infer<z.ZodObject<typeof AuditFilterFields>>;

/** Entries one audit.list page holds at most. */
export const AUDIT_PAGE_MAX = 500;
/** Rows one audit.export reply carries at most. */
export const AUDIT_EXPORT_PAGE_MAX = 2_000;

export const auditCommands = {
  /** A page of the audit trail, newest first, with the filter's total. Admins only. */
  'audit.list': {
    params: z
      .object({
        ...AuditFilterFields,
        limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    result: z.object({
      entries: z.array(AuditEntrySchema),
      total: z.number().int().nonnegative(),
    }),
  },
  /**
   * One page of the audit trail as CSV (a header row on the first page, offset 0), newest first;
   * the console asks page after page until `nextOffset` is null. Each page is itself audited
   * (`audit.export`). Admins only.
   */
  'audit.export': {
    params: z
      .object({
        ...AuditFilterFields,
        limit: z.number().int().min(1).max(AUDIT_EXPORT_PAGE_MAX).default(1_000),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    result: z.object({
      csv: z.string(),
      rows: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
      nextOffset: z.number().int().nonnegative().nullable(),
    }),
  },
} as const;
