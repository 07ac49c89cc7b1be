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
 * EVENT_MAP beside it decides which engine events each signed-in connection hears (the transports
 * ask `eventFor` per connection and event): a role in `roles` hears the event whole; an agent not
 * in `roles` hears only what `agent` gives back of it (their own offers, state and calls), or
 * nothing. A signed-out connection hears no event at all (the sign-in page needs none).
 *
 * Pure TypeScript: the console reads it too (to hide what the user may not do).
 */
import type { CommandName, EventData, EventName } from './contract.js';

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
  // The seat's own configuration (seat.json): its database and the recordings share.
  'seat.get': ADMINS,
  'seat.update': ADMINS,

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
  // Retention and erasure (retention/): the Settings page's Privacy section and `outbound privacy`.
  'privacy.status': ADMINS,
  'privacy.purge': ADMINS,
  'privacy.erase': ADMINS,
  'privacy.export': ADMINS,
  'privacy.exportChunk': ADMINS,
  // Masking (privacy/): one field of one call unmasked, audited; agents see masked values only.
  'privacy.unmask': SUPERVISORS,
  // Preview dialing (dialer/preview.ts): the agent's own previewed contact.
  'preview.current': AGENT_SELF,
  'preview.dial': AGENT_SELF,
  'preview.skip': AGENT_SELF,
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

/** What the event rules know about the agent a connection is signed in as. */
interface AgentAudience {
  readonly agentId: number;
  /** Whether the call is this agent's: offered to them, on their desk, or in their wrap-up. */
  holdsCall(callId: string): boolean;
}

interface EventRule<E extends EventName> {
  /** The roles that hear the event whole. */
  readonly roles: readonly Role[];
  /** An agent outside `roles` hears what this returns of the event (null: nothing). */
  readonly agent?: (data: EventData<E>, me: AgentAudience) => EventData<E> | null;
}

const TO_EVERYONE = { roles: ['agent', 'supervisor', 'admin'] } as const;
const TO_SUPERVISORS = { roles: ['supervisor', 'admin'] } as const;
const TO_ADMINS = { roles: ['admin'] } as const;
/** Supervisors and admins hear all of it; an agent only a call that is theirs. */
function toSupervisorsAndCallAgent<E extends EventName>(
  callIdOf: (data: EventData<E>) => string,
): EventRule<E> {
  return { ...TO_SUPERVISORS, agent: (data, me) => (me.holdsCall(callIdOf(data)) ? data : null) };
}

export const EVENT_MAP: { readonly [E in EventName]: EventRule<E> } = {
  // Every page: the language and audio devices (settings.get is everyone's), the engine going down.
  'settings.changed': TO_EVERYONE,
  'engine.status': TO_EVERYONE,
  // The Agent desk: the agent's own record, state and offers; the Agents and Users pages: all.
  'agents.changed': {
    ...TO_SUPERVISORS,
    agent: (data, me) => ({ agents: data.agents.filter((a) => a.id === me.agentId) }),
  },
  'agent.state': { ...TO_SUPERVISORS, agent: (data, me) => (data.id === me.agentId ? data : null) },
  'agent.offer': {
    ...TO_SUPERVISORS,
    agent: (data, me) => (data.agentId === me.agentId ? data : null),
  },
  'agent.offerEnded': {
    ...TO_SUPERVISORS,
    agent: (data, me) => (data.agentId === me.agentId ? data : null),
  },
  'agent.preview': {
    ...TO_SUPERVISORS,
    agent: (data, me) => (data.agentId === me.agentId ? data : null),
  },
  'agent.previewEnded': {
    ...TO_SUPERVISORS,
    agent: (data, me) => (data.agentId === me.agentId ? data : null),
  },
  // The Live wall, History's live call page, supervision: every call; an agent, their own call.
  'call.updated': toSupervisorsAndCallAgent((data) => data.id),
  'call.event': toSupervisorsAndCallAgent((data) => data.callId),
  'call.utterance': toSupervisorsAndCallAgent((data) => data.callId),
  'campaign.updated': TO_SUPERVISORS,
  'flows.changed': TO_SUPERVISORS,
  'flow.training': TO_SUPERVISORS,
  'kpi.wallboard': TO_SUPERVISORS,
  // Settings' trunks and the Contacts page's imports: admins only.
  'trunks.changed': TO_ADMINS,
  'trunk.health': TO_ADMINS,
  'import.progress': TO_ADMINS,
  'import.finished': TO_ADMINS,
};

/**
 * What a connection signed in as `role` (null: signed out) hears of one event: the data to send,
 * or null for nothing. `agent` is needed for role agent (their agent record and calls).
 */
export function eventFor<E extends EventName>(
  role: Role | null,
  event: E,
  data: EventData<E>,
  agent?: AgentAudience,
): EventData<E> | null {
  const rule = (EVENT_MAP as Partial<Record<EventName, EventRule<E>>>)[event];
  // Signed out, or an event outside the map (roles.test.ts keeps that from happening): nothing.
  if (!rule || role === null) return null;
  if (rule.roles.includes(role)) return data;
  return role === 'agent' && rule.agent && agent ? rule.agent(data, agent) : null;
}
