/**
 * Who is asking: the principal every API connection carries (IPC window, WebSocket, the CLI).
 * The dispatcher checks it against the role map before a handler runs and hands it to the handler,
 * so an audit entry can say who did something and from where.
 */

export type Role = 'agent' | 'supervisor' | 'admin';

/** The transport a request came over. `cli`: an `outbound` command, run as the workspace's local admin. */
export type PrincipalSource = 'ipc' | 'ws' | 'cli';

export interface Principal {
  /** The user's id in the `users` table; 0 for the CLI's local admin (no stored user). */
  userId: number;
  /** The user's sign-in name (`local-admin` for the CLI). */
  name: string;
  role: Role;
  /** For role agent: the agent record the user acts as (routing, offers, agent state). */
  agentId?: number;
  source: PrincipalSource;
  /** The remote address of a WebSocket connection (loopback today), when known. */
  address?: string;
}

/** The principal of an `outbound` CLI command: whoever can open the workspace's files is its admin. */
export function cliPrincipal(): Principal {
  return { userId: 0, name: 'local-admin', role: 'admin', source: 'cli' };
}
