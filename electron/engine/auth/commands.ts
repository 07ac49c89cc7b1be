/** The auth.* and users.* commands over the AuthService; the role map says who may run them. */
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { ENGINE_ACTOR } from '../audit/index.js';
import { localAdminContext } from './connection.js';
import type { AuthService } from './service.js';

type AuthCommandName =
  | 'auth.status'
  | 'auth.setupFirstAdmin'
  | 'auth.signIn'
  | 'auth.resume'
  | 'auth.signOut'
  | 'auth.whoami'
  | 'users.list'
  | 'users.add'
  | 'users.update'
  | 'users.disable'
  | 'users.resetPassword';

export function authCommandHandlers(deps: {
  auth: AuthService;
  version: string;
  /** After a user was added or changed: the agents list for `agents.changed`. */
  usersChanged: () => Promise<void>;
}): Pick<CommandHandlers, AuthCommandName> {
  const { auth } = deps;
  const changed = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work;
    await deps.usersChanged();
    return result;
  };
  return {
    'auth.status': async (_params, { connection } = localAdminContext()) => {
      const session = connection.session;
      return {
        version: deps.version,
        needsFirstAdmin: await auth.needsFirstAdmin(),
        user: session && auth.alive(session) ? auth.whoAmI(session) : null,
      };
    },
    'auth.setupFirstAdmin': async (input, { connection } = localAdminContext()) => {
      const { token, session } = await auth.setupFirstAdmin(input, connection);
      connection.session = session;
      await deps.usersChanged();
      return { token, user: auth.whoAmI(session) };
    },
    'auth.signIn': async ({ username, password }, { connection } = localAdminContext()) => {
      const { token, session } = await auth.signIn(username, password, connection);
      connection.session = session;
      return { token, user: auth.whoAmI(session) };
    },
    'auth.resume': async ({ token }, { connection } = localAdminContext()) => {
      const session = await auth.resume(token);
      if (!session) {
        connection.session = null;
        throw new ApiError(
          'UNAUTHENTICATED',
          'That session has ended (signed out, expired or changed by an admin): sign in again.',
        );
      }
      connection.session = session;
      return { user: auth.whoAmI(session) };
    },
    'auth.signOut': async (_params, { connection } = localAdminContext()) => {
      const session = connection.session;
      connection.session = null;
      if (session) await auth.signOut(session, connection);
      return {};
    },
    'auth.whoami': (_params, { connection, principal } = localAdminContext()) => {
      const session = connection.session;
      if (session) return auth.whoAmI(session);
      // The CLI's local admin has no stored user.
      return {
        userId: principal?.userId ?? 0,
        username: principal?.name ?? 'local-admin',
        displayName: principal?.name ?? 'local-admin',
        role: principal?.role ?? 'admin',
        agentId: principal?.agentId ?? null,
        idleTimeoutMs: 86_400_000,
      };
    },
    'users.list': async () => ({ users: await auth.listUsers() }),
    'users.add': (input, { principal } = localAdminContext()) =>
      changed(auth.addUser(input, principal ?? ENGINE_ACTOR)),
    'users.update': ({ id, role }, { principal } = localAdminContext()) =>
      changed(auth.setRole(id, role, principal ?? ENGINE_ACTOR)),
    'users.disable': ({ id, disabled }, { principal } = localAdminContext()) =>
      changed(auth.setDisabled(id, disabled, principal ?? ENGINE_ACTOR)),
    'users.resetPassword': ({ id, password }, { principal } = localAdminContext()) =>
      auth.resetPassword(id, password, principal ?? ENGINE_ACTOR),
  };
}
