/**
 * audit/ — the audit trail's public face: who did what, when and from where, written through one
 * typed list of actions (api/audit.ts's AUDIT_ACTIONS) and read by admins (audit.list,
 * audit.export, the console's Audit page). Entries are never changed or deleted: the store has no
 * such method and its triggers refuse the SQL (schema 6).
 *
 * Who writes each action (in the same transaction as the change it records, where there is one):
 *
 * | action | written by |
 * |---|---|
 * | auth.signIn, auth.signInFailed, auth.signOut | auth/service.ts (`AuditLog.signIn`, `signInFailed`, `signOut` for callers without a transaction) |
 * | users.*, agents.create, agents.update | auth/service.ts (users.*), engine.ts (agents.create), routing/routing-commands.ts (agents.update) |
 * | supervision.start, supervision.mode, supervision.end | telephony/supervision-commands.ts through its `auditSupervision` hook (engine.ts) |
 * | calls.export | calls/history-commands.ts, every page |
 * | imports.rejects | contacts/import-commands.ts, every page of an import's rejected rows |
 * | audit.export | `AuditLog.exportPage`, every page |
 * | reports.export | kpi/kpi-commands.ts (the Reports page's CSV) |
 * | recordings.play | calls/history-commands.ts (calls.recording: History's player opened), through `AuditLog.recordingPlayed` |
 * | recordings.fetch | engine.ts `mediaFile`, which both shells' media routes call (the audio served), through `AuditLog.recordingPlayed` |
 * | trunks.* | telephony/trunk-service.ts |
 * | campaigns.* | dialer/campaign-service.ts; campaigns.completed: dialer/dialer.ts (the engine) |
 * | flows.save, flows.install_sample, flows.apply_labels | flows/flow-service.ts, flows/labels.ts |
 * | calls.label_utterance | flows/labels.ts |
 * | dnc.add, dnc.remove | dialer/dnc-commands.ts; dnc.add also dialer/dialer.ts (a flow's opt-out) and routing/routing-service.ts (a wrap-up's "do not call") |
 * | settings.update | settings/settings-service.ts |
 * | seat.update | engine.ts (the seat's seat.json: its database, the recordings share) |
 * | queues.*, routing.rules.set | routing/routing-commands.ts |
 * | contacts.import | contacts/import.ts |
 * | calls.wrapUp | routing/routing-service.ts |
 */
export type { AuditAction } from '../api/audit.js';
export {
  type Actor,
  type AuditActor,
  auditActor,
  AuditLog,
  ENGINE_ACTOR,
  requestActor,
  writeAudit,
} from './audit-log.js';
