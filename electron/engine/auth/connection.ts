/**
 * One API connection's sign-in state: an Electron window's IPC, a WebSocket, or the CLI. Each
 * request is dispatched with the connection's principal (null while signed out), checked for the
 * idle expiry first; the auth.* handlers change the session through `ConnectionControl`.
 */
import type { RequestContext } from '../api/dispatcher.js';
import type { ResponseMessage } from '../api/messages.js';
import { cliPrincipal, type Principal, type PrincipalSource } from './principal.js';
import type { AuthService, LiveSession } from './service.js';

export interface ConnectionInfo {
  source: PrincipalSource;
  /** The peer's address (WebSocket), for the audit trail and the per-source sign-in limit. */
  address?: string;
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

  /** Whether events may go to this connection: only while signed in. */
  get signedIn(): boolean {
    return this.session !== null && this.auth.alive(this.session);
  }
}

/** The context of in-process requests (`engine.request`, the CLI): the workspace's local admin. */
export function localAdminContext(): RequestContext {
  return {
    principal: cliPrincipal(),
    connection: { source: 'cli', address: undefined, session: null },
  };
}
