/**
 * The role map: who may run each command of the contract, in one table (issue 13). The dispatcher
 * checks it before any handler runs, so no handler decides access on its own.
 *
 * - `public`: signed-out connections too (only what the sign-in page needs).
 * - `roles`: the roles allowed; a refusal names them.
 * - `self`: for role agent, the command acts on one agent, and that agent is the caller: `agentId`
 *   is taken from the principal (a different one is refused), and `callId` / `id` must be the call
 *   the agent holds. Supervisors and admins name the agent or call themselves.
 *
 * EVERY command needs an entry: `satisfies Record<CommandName, RoleRule>` fails the typecheck when
 * one is missing, and roles.test.ts walks the map against the contract. A new command (listen,
 * whisper, barge, the wallboard, audit) gets its line here: supervisor-facing ones
 * `SUPERVISORS`, admin pages `ADMINS`.
 *
 * Pure TypeScript: the console reads it too (to hide what the user may not do).
 */
import type { CommandName } from './contract.js';

export type Role = 'agent' | 'supervisor' | 'admin';

export type RoleRule =
  | { readonly public: true }
  | {
      readonly roles: readonly Role[];
      /** Agents act only as themselves: which parameter names the agent (or their call). */
      readonly self?: 'agentId' | 'callId' | 'id';
    };

const PUBLIC = { public: true } as const;
const EVERYONE = { roles: ['agent', 'supervisor', 'admin'] } as const;
const SUPERVISORS = { roles: ['supervisor', 'admin'] } as const;
const ADMINS = { roles: ['admin'] } as const;
const AGENT_SELF = { roles: ['agent', 'supervisor', 'admin'], self: 'agentId' } as const;
const AGENT_CALL = { roles: ['agent', 'supervisor', 'admin'], self: 'callId' } as const;
const AGENT_CALL_BY_ID = { roles: ['agent', 'supervisor', 'admin'], self: 'id' } as const;

export const ROLE_MAP = {
  // Sign-in: what a signed-out console may do.
  'auth.status': PUBLIC,
  'auth.signIn': PUBLIC,
  'auth.setupFirstAdmin': PUBLIC,
  'auth.resume': PUBLIC,
  'auth.signOut': EVERYONE,
  'auth.whoami': EVERYONE,
  'users.list': ADMINS,
  'users.add': ADMINS,
  'users.update': ADMINS,
  'users.disable': ADMINS,
  'users.resetPassword': ADMINS,

  'app.info': EVERYONE,
  'settings.get': EVERYONE,
  'settings.update': ADMINS,

  // The agent desk: the agent's own status, offers and call.
  'agents.states': EVERYONE,
  'agents.setStatus': AGENT_SELF,
  'agents.offer': AGENT_SELF,
  'agents.accept': AGENT_SELF,
  'agents.decline': AGENT_SELF,
  'calls.mute': AGENT_CALL,
  'calls.wrapUp': AGENT_CALL,
  'calls.hangup': AGENT_CALL_BY_ID,
  'calls.hold': AGENT_CALL_BY_ID,
  'calls.dtmf': AGENT_CALL_BY_ID,
  'dispositions.list': EVERYONE,

  // Monitoring: the Live wall, History, campaigns' progress.
  'live.list': SUPERVISORS,
  'calls.list': SUPERVISORS,
  'calls.get': SUPERVISORS,
  'calls.recording': SUPERVISORS,
  'calls.export': SUPERVISORS,
  'calls.transfer': SUPERVISORS,
  // Listen, whisper, barge (supervision: telephony/supervision-commands.ts).
  'calls.supervise': SUPERVISORS,
  'calls.unsupervise': SUPERVISORS,
  'agents.list': SUPERVISORS,
  'campaigns.list': SUPERVISORS,
  'campaigns.get': SUPERVISORS,
  'campaigns.explain': SUPERVISORS,
  'campaigns.contacts': SUPERVISORS,
  'campaigns.start': SUPERVISORS,
  'campaigns.pause': SUPERVISORS,
  'campaigns.resume': SUPERVISORS,
  'campaigns.stop': SUPERVISORS,
  'routing.fallbacks': SUPERVISORS,
  'queues.list': SUPERVISORS,
  'routing.rules.get': SUPERVISORS,
  'flows.list': SUPERVISORS,
  'contacts.lists': SUPERVISORS,
  'devices.list': SUPERVISORS,
  // The wallboard and the reports (kpi/).
  'kpi.wallboard': SUPERVISORS,
  'kpi.report': SUPERVISORS,
  'kpi.reportCsv': SUPERVISORS,

  // Administration: trunks, flows, campaigns' set-up, contacts, DNC, routing, agents.
  'calls.dial': ADMINS,
  'trunks.list': ADMINS,
  'trunks.create': ADMINS,
  'trunks.update': ADMINS,
  'trunks.remove': ADMINS,
  'flows.get': ADMINS,
  'flows.validate': ADMINS,
  'flows.save': ADMINS,
  'flows.chat.start': ADMINS,
  'flows.chat.send': ADMINS,
  'flows.chat.stop': ADMINS,
  'flows.evaluate': ADMINS,
  'flows.labels': ADMINS,
  'flows.applyLabels': ADMINS,
  'flows.labelAccuracy': ADMINS,
  'calls.labelUtterance': ADMINS,
  'calls.labels': ADMINS,
  'dnc.list': ADMINS,
  'dnc.add': ADMINS,
  'dnc.remove': ADMINS,
  'campaigns.create': ADMINS,
  'campaigns.update': ADMINS,
  'imports.begin': ADMINS,
  'imports.chunk': ADMINS,
  'imports.preview': ADMINS,
  'imports.commit': ADMINS,
  'imports.status': ADMINS,
  'imports.rejects': ADMINS,
  'imports.cancel': ADMINS,
  'agents.create': ADMINS,
  'agents.update': ADMINS,
  'queues.create': ADMINS,
  'queues.update': ADMINS,
  'routing.rules.set': ADMINS,
  // The audit trail (audit/): admins only; nothing can change or delete an entry.
  'audit.list': ADMINS,
  'audit.export': ADMINS,
} as const satisfies Record<CommandName, RoleRule>;

/** The rule for a command; undefined only for a name outside the contract. */
export function roleRule(command: CommandName): RoleRule | undefined {
  return (ROLE_MAP as Record<string, RoleRule | undefined>)[command];
}

/** Whether `role` may run `command` at all (before the agent's self check). */
export function mayRun(role: Role | null, command: CommandName): boolean {
  const rule = roleRule(command);
  if (!rule) return false;
  if ('public' in rule) return true;
  return role !== null && rule.roles.includes(role);
}
