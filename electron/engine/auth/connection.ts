/**
 * One API connection's sign-in state: an Electron window's IPC, a WebSocket, or the CLI. Each
 * request is dispatched with the connection's principal (null while signed out), checked for the
 * idle expiry first; the auth.* handlers change the session through `ConnectionControl`. Events
 * reach it as the role map's EVENT_MAP says for the signed-in user (`eventFor`).
 */
import { type EventData, type EventName, isEventName } from '../api/contract.js';
import type { RequestContext } from '../api/dispatcher.js';
import type { EventMessage, ResponseMessage } from '../api/messages.js';
import { eventFor } from '../api/roles.js';
import { cliPrincipal, type Principal, type PrincipalSource } from './principal.js';
import type { AuthService, LiveSession } from './service.js';

export interface ConnectionInfo {
  source: PrincipalSource;
  /** The peer's address (WebSocket), for the audit trail and the per-source sign-in limit. */
  address?: string;
}

/** What a viewer may see of an event's data (privacy/view.ts: personal data masked by role). */
export type EventView = <E extends EventName>(
  viewer: { role: Principal['role']; source: PrincipalSource },
  event: E,
  data: EventData<E>,
) => EventData<E>;

/** Which agent holds a call (routing), for an agent's own call events. */
interface AgentCalls {
  /** The agent who has the call (on their desk or in wrap-up), or null. */
  agentOf(callId: string): number | null;
  /** The call offered to the agent now, or null. */
  offeredTo(agentId: number): string | null;
}

/** What the auth.* handlers see of the connection a request came over. */
export interface ConnectionControl {
  readonly source: PrincipalSource;
  readonly address: string | undefined;
  /** The session this connection is signed in with; set by sign-in, cleared by sign-out. */
  session: LiveSession | null;
}

export class ApiConnection implements ConnectionControl {
  session: LiveSession | null = null;
  readonly source: PrincipalSource;
  readonly address: string | undefined;

  constructor(
    private readonly auth: AuthService,
    info: ConnectionInfo,
    private readonly dispatch: (raw: unknown, context: RequestContext) => Promise<ResponseMessage>,
    private readonly calls?: AgentCalls,
    private readonly view?: EventView,
  ) {
    this.source = info.source;
    this.address = info.address;
  }

  /** Handles one raw message as this connection's principal; never throws. */
  handle(raw: unknown): Promise<ResponseMessage> {
    let principal: Principal | null = null;
    let signedOutReason: string | undefined;
    const session = this.session;
    if (session) {
      if (this.auth.use(session)) principal = this.auth.principal(session, this);
      else {
        this.session = null;
        signedOutReason =
          session.ended === 'expired'
            ? 'Your session expired after a while without use: sign in again.'
            : 'Your session was ended (signed out, or your user was changed by an admin): sign in again.';
      }
    }
    return this.dispatch(raw, {
      principal,
      connection: this,
      ...(signedOutReason ? { signedOutReason } : {}),
    });
  }

  /**
   * What this connection hears of an engine event (the role map's EVENT_MAP for the signed-in
   * user): the message itself, a copy with the agent's own part of it, or null for nothing.
   */
  eventFor(message: EventMessage): EventMessage | null {
    const session = this.session;
    if (!session || !this.auth.alive(session) || !isEventName(message.event)) return null;
    const { role, userId } = session.user;
    const calls = this.calls;
    const data = eventFor(role, message.event, message.data as EventData<EventName>, {
      // Every user is an agent record (auth/service.ts: agentId is the user's id).
      agentId: userId,
      holdsCall: (callId) =>
        calls !== undefined &&
        (calls.agentOf(callId) === userId || calls.offeredTo(userId) === callId),
    });
    if (data === null) return null;
    const seen = this.view ? this.view({ role, source: this.source }, message.event, data) : data;
    return seen === message.data ? message : { ...message, data: seen };
  }
}

/** The context of in-process requests (`engine.request`, the CLI): the workspace's local admin. */
export function localAdminContext(): RequestContext {
  return {
    principal: cliPrincipal(),
    connection: { source: 'cli', address: undefined, session: null },
  };
}
