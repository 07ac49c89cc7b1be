/**
 * `outbound user add|list`: console users (agents, supervisors, admins) through the same API
 * commands as the console's Users page (users.add / users.list), sent to a running `outbound serve`
 * or run on an engine of the command's own (engine.ts).
 *
 * Every `outbound` command runs as the workspace's local admin: whoever can read the data folder
 * (the database, server.json's admin token) already holds everything an admin could reach, so the
 * CLI signs in as nobody. This is how the first admin of a headless workspace is made:
 *   outbound user add NAME --role admin --password-file F
 * The password comes from a file or stdin (--password-file -), never argv.
 */
import { readFile } from 'node:fs/promises';

import type { UserView } from '../engine/api/index.js';
import type { Logger } from '../engine/index.js';
import { withWorkspaceApi } from './engine.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface UserOptionValues {
  role?: string;
  'display-name'?: string;
  'password-file'?: string;
  password?: string;
}

export interface UserCommandContext {
  dataDir: string;
  version: string;
  log: Logger;
  readStdin: () => Promise<string>;
}

const ROLES = ['agent', 'supervisor', 'admin'];
const OPTION_OF: Record<string, string> = {
  username: 'NAME',
  role: '--role',
  displayName: '--display-name',
  password: '--password-file',
};

export async function userCommand(
  args: string[],
  values: UserOptionValues,
  context: UserCommandContext,
  out: Output,
): Promise<number> {
  const [sub, ...rest] = args;
  if (values.password !== undefined)
    throw new UsageError(
      '--password is not accepted: a password on the command line is visible to other users (ps) and kept in shell history. Use --password-file FILE, or --password-file - to read it from stdin',
    );
  if (sub === 'add') {
    const [name, ...extra] = rest;
    if (name === undefined)
      throw new UsageError(
        'user add needs a NAME, e.g. outbound user add admin --role admin --password-file pw.txt',
      );
    if (extra.length > 0)
      throw new UsageError(`user add takes one NAME (got also "${extra.join(' ')}")`);
    if (values.role === undefined || !ROLES.includes(values.role))
      throw new UsageError(
        `user add needs --role agent, supervisor or admin${values.role === undefined ? '' : ` (got "${values.role}")`}`,
      );
    if (values['password-file'] === undefined)
      throw new UsageError(
        'user add needs --password-file F (the password on one line), or --password-file - for stdin',
      );
    const password = await readPassword(values['password-file'], context);
    const params = {
      username: name,
      role: values.role,
      password,
      ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
    };
    return run(context, out, async (request) => {
      const user = (await request('users.add', params)) as UserView;
      out.record(
        { event: 'user.added', user },
        `Added ${user.role} "${user.username}" (${user.displayName}); they can sign in to the console now.`,
      );
      return 0;
    });
  }
  if (sub === 'list') {
    if (rest.length > 0)
      throw new UsageError(`user list takes no arguments (got "${rest.join(' ')}")`);
    return run(context, out, async (request) => {
      const { users } = (await request('users.list')) as { users: UserView[] };
      out.record(
        { event: 'users', users },
        users.length === 0
          ? 'No users yet. Add the first admin: outbound user add NAME --role admin --password-file F'
          : users
              .map(
                (u) =>
                  `${u.username.padEnd(20)} ${u.role.padEnd(10)} ${u.disabled ? 'disabled' : u.hasPassword ? 'can sign in' : 'no password'}  ${u.displayName}`,
              )
              .join('\n'),
      );
      return 0;
    });
  }
  throw new UsageError(
    sub === undefined
      ? 'user needs a subcommand: add or list'
      : `unknown user subcommand "${sub}" (use add or list)`,
  );
}

function run(
  context: UserCommandContext,
  out: Output,
  work: Parameters<typeof withWorkspaceApi>[2],
): Promise<number> {
  return withWorkspaceApi(context, out, work, (error) => {
    const option =
      error.field === undefined ? undefined : OPTION_OF[error.field.split('.')[0] ?? ''];
    if (error.code === 'INVALID_PARAMS') {
      const marker = `${error.field ?? ''}: `;
      const at = error.message.indexOf(marker);
      const reason = at === -1 ? error.message : error.message.slice(at + marker.length);
      out.error('INVALID_PARAMS', option ? `${option}: ${reason}` : error.message, {
        field: error.field,
        option,
      });
      return 2;
    }
    out.error(error.code, error.message);
    return 1;
  });
}

async function readPassword(source: string, context: UserCommandContext): Promise<string> {
  let text: string;
  try {
    text = source === '-' ? await context.readStdin() : await readFile(source, 'utf8');
  } catch (error) {
    throw new Error(
      `--password-file: cannot read ${source === '-' ? 'stdin' : source}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '')
    throw new UsageError(
      `--password-file: ${source === '-' ? 'stdin' : source} is empty; it should hold the password (one line)`,
    );
  return password;
}
