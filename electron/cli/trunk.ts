/**
 * `outbound trunk add|list|remove`: SIP trunks in the data folder, through the same API commands
 * the console uses (trunks.create / trunks.list / trunks.remove): sent to a running `outbound serve`
 * (whose `trunk list` shows live health), else on an engine started for the command (engine.ts).
 *
 * Passwords come from a file or stdin (--password-file F, or - for stdin), never from argv: the
 * command line is visible to every user in the process list and is kept in shell history.
 */
import { readFile } from 'node:fs/promises';

import type { ApiError } from '../engine/api/index.js';
import { type CommandParams, type TrunkView } from '../engine/api/index.js';
import type { Logger } from '../engine/index.js';
import { type ApiRequest, withWorkspaceApi } from './engine.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

/** The parsed options `trunk` commands read (all of them strings or flags as given). */
export interface TrunkOptionValues {
  uri?: string;
  domain?: string;
  user?: string;
  password?: string;
  'password-file'?: string;
  register?: boolean;
  backup?: boolean;
  'caller-id'?: string;
  'max-calls'?: string;
  'transfer-mode'?: string;
}

export interface TrunkCommandContext {
  dataDir: string;
  version: string;
  log: Logger;
  /** Reads all of stdin (for --password-file -). */
  readStdin: () => Promise<string>;
}

/** API field → the option (or argument) a CLI user typed it as. */
const OPTION_OF: Record<string, string> = {
  name: 'NAME',
  uri: '--uri',
  domain: '--domain',
  username: '--user',
  password: '--password-file',
  register: '--register',
  role: '--backup',
  callerId: '--caller-id',
  maxConcurrentCalls: '--max-calls',
  transferMode: '--transfer-mode',
};

const ADD_ONLY: ReadonlyArray<keyof TrunkOptionValues> = [
  'uri',
  'domain',
  'user',
  'password-file',
  'register',
  'backup',
  'caller-id',
  'max-calls',
  'transfer-mode',
];

export async function trunkCommand(
  args: string[],
  values: TrunkOptionValues,
  context: TrunkCommandContext,
  out: Output,
): Promise<number> {
  const [sub, ...rest] = args;
  if (values.password !== undefined) {
    throw new UsageError(
      '--password is not accepted: a password on the command line is visible to other users (ps) and kept in shell history. Use --password-file FILE, or --password-file - to read it from stdin',
    );
  }
  if (sub === 'add') {
    const [name, ...extra] = rest;
    if (name === undefined)
      throw new UsageError(
        'trunk add needs a NAME, e.g. outbound trunk add main --uri wss://pbx.example.com:8089/ws --domain pbx.example.com',
      );
    if (extra.length > 0)
      throw new UsageError(`trunk add takes one NAME (got also "${extra.join(' ')}")`);
    const params = await addParams(name, values, context);
    return withEngine(context, out, async (request) => {
      const trunk = (await request('trunks.create', params)) as TrunkView;
      out.record({ event: 'trunk.added', trunk }, describeAdded(trunk));
      return 0;
    });
  }
  if (sub === 'list' || sub === 'remove') {
    const given = ADD_ONLY.filter((key) => values[key] !== undefined && values[key] !== false);
    if (given.length > 0)
      throw new UsageError(`--${given[0]} is an option of "trunk add", not of "trunk ${sub}"`);
  }
  if (sub === 'list') {
    if (rest.length > 0)
      throw new UsageError(`trunk list takes no arguments (got "${rest.join(' ')}")`);
    return withEngine(context, out, async (request) => {
      const list = (await request('trunks.list')) as { trunks: TrunkView[]; secretStorage: string };
      out.record(
        { event: 'trunks', trunks: list.trunks, secretStorage: list.secretStorage },
        formatTable(list.trunks),
      );
      return 0;
    });
  }
  if (sub === 'remove') {
    const [name, ...extra] = rest;
    if (name === undefined)
      throw new UsageError('trunk remove needs the NAME of the trunk to remove');
    if (extra.length > 0)
      throw new UsageError(`trunk remove takes one NAME (got also "${extra.join(' ')}")`);
    return withEngine(context, out, async (request) => {
      const removed = (await request('trunks.remove', { name })) as { name: string };
      out.record(
        { event: 'trunk.removed', name: removed.name },
        `Removed trunk "${removed.name}".`,
      );
      return 0;
    });
  }
  throw new UsageError(
    sub === undefined
      ? 'trunk needs a subcommand: add, list or remove'
      : `unknown trunk subcommand "${sub}" (use add, list or remove)`,
  );
}

async function addParams(
  name: string,
  values: TrunkOptionValues,
  context: TrunkCommandContext,
): Promise<CommandParams<'trunks.create'>> {
  if (values.uri === undefined)
    throw new UsageError(
      'trunk add needs --uri, the WebSocket address of the PBX or carrier, e.g. --uri wss://pbx.example.com:8089/ws',
    );
  if (values.domain === undefined)
    throw new UsageError('trunk add needs --domain, the SIP domain, e.g. --domain pbx.example.com');
  if (values['password-file'] !== undefined && values.user === undefined) {
    throw new UsageError(
      '--password-file needs --user: digest authentication sends the username with the password',
    );
  }
  const params: CommandParams<'trunks.create'> = {
    name,
    uri: values.uri,
    domain: values.domain,
    register: values.register ?? false,
    role: values.backup ? 'backup' : 'primary',
  };
  if (values.user !== undefined) params.username = values.user;
  if (values['password-file'] !== undefined)
    params.password = await readPassword(values['password-file'], context);
  if (values['caller-id'] !== undefined) params.callerId = values['caller-id'];
  if (values['max-calls'] !== undefined) {
    const max = values['max-calls'];
    if (!/^\d+$/.test(max.trim()))
      throw new UsageError(`--max-calls must be a whole number from 1 to 500 (got "${max}")`);
    params.maxConcurrentCalls = Number(max);
  }
  const mode = values['transfer-mode'];
  if (mode !== undefined) {
    if (mode !== 'bridge' && mode !== 'refer')
      throw new UsageError(`--transfer-mode must be bridge or refer (got "${mode}")`);
    params.transferMode = mode;
  }
  return params;
}

/** The file's text (or stdin's, for "-") without its final line break. */
async function readPassword(source: string, context: TrunkCommandContext): Promise<string> {
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

/** Runs `work` on the workspace's API (see engine.ts); a refusal names the option. */
function withEngine(
  context: TrunkCommandContext,
  out: Output,
  work: (request: ApiRequest) => Promise<number>,
): Promise<number> {
  return withWorkspaceApi(context, out, work, (error) => {
    const option = error.field === undefined ? undefined : optionFor(error.field);
    const extra = error.field === undefined ? undefined : { field: error.field, option };
    if (error.code === 'INVALID_PARAMS') {
      out.error(
        'INVALID_PARAMS',
        option ? `${option}: ${fieldMessage(error)}` : error.message,
        extra,
      );
      return 2;
    }
    if (error.code === 'CONFLICT') {
      out.error(
        'CONFLICT',
        `${error.message} Choose another name, or remove the old trunk first with "outbound trunk remove NAME".`,
        extra,
      );
      return 1;
    }
    out.error(error.code, error.message.endsWith('.') ? error.message : `${error.message}.`, extra);
    return 1;
  });
}

function optionFor(field: string): string {
  const head = field.split('.').at(-1) ?? field;
  return OPTION_OF[head] ?? field;
}

/** "trunks.create: uri: must start with …" → "must start with …". */
function fieldMessage(error: ApiError): string {
  if (error.field === undefined) return error.message;
  const marker = `${error.field}: `;
  const at = error.message.indexOf(marker);
  return at === -1 ? error.message : error.message.slice(at + marker.length);
}

function describeAdded(trunk: TrunkView): string {
  const auth =
    trunk.username === null
      ? 'no authentication'
      : `user ${trunk.username}${trunk.hasPassword ? ' (password stored encrypted)' : ', no password'}`;
  const parts = [
    `domain ${trunk.domain}`,
    auth,
    trunk.register ? 'registers' : 'does not register',
    trunk.role,
    `up to ${trunk.maxConcurrentCalls} calls`,
    trunk.transferMode === 'refer'
      ? 'transfers to other seats by REFER'
      : "transfers to other seats as a second leg from the call's seat",
  ];
  if (trunk.callerId !== null) parts.push(`caller ID ${trunk.callerId}`);
  return `Added trunk "${trunk.name}": ${trunk.uri}, ${parts.join(', ')}.`;
}

/** Health as the CLI can know it: no calls run in this process, so idle reads "not connected". */
function healthText(trunk: TrunkView): string {
  const state = trunk.health.state === 'idle' ? 'not connected' : trunk.health.state;
  return trunk.health.reason ? `${state} (${trunk.health.reason})` : state;
}

function formatTable(trunks: TrunkView[]): string {
  if (trunks.length === 0)
    return 'No trunks yet. Add one with: outbound trunk add NAME --uri wss://HOST:PORT/PATH --domain DOMAIN';
  const header = [
    'NAME',
    'URI',
    'DOMAIN',
    'USER',
    'REGISTER',
    'ROLE',
    'MAX CALLS',
    'TRANSFER',
    'HEALTH',
  ];
  const rows = trunks.map((t) => [
    t.name,
    t.uri,
    t.domain,
    t.username ?? '-',
    t.register ? 'yes' : 'no',
    t.role,
    String(t.maxConcurrentCalls),
    t.transferMode,
    healthText(t),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
