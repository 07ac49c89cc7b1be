/**
 * Where a one-shot CLI command runs. The CLI never guesses:
 *
 * - When `outbound serve` runs on the workspace, the command goes to it over its WebSocket (the
 *   server writes its address and token to <data>/server.json, readable by this user only).
 * - Otherwise the command starts an engine of its own, which first takes the workspace's lock
 *   (engine/workspace): it opens the workspace only when no other engine holds it. A held
 *   workspace is refused, naming the holder ("… in use by outbound serve (pid 1234, since 14:09)").
 * - A server.json whose server does not answer within 5 s (busy, hung, behind a firewall or a
 *   container boundary) is an error, exit 1, unless the lock is free: then that server is gone (a
 *   killed server's file, its pid reused) and the command runs on the workspace it now holds.
 *
 * Recovery (leases, interrupted calls and recordings) runs only in an engine that holds the lock,
 * so a command beside a live engine can never discard that engine's calls.
 */
import WebSocket from 'ws';

import { createApiClient } from '../engine/api/client.js';
import type { CommandName } from '../engine/api/contract.js';
import { ApiError } from '../engine/api/errors.js';
import { createWebSocketTransport, type WebSocketLike } from '../engine/api/ws-client.js';
import { Engine, EngineStartError, type Logger } from '../engine/index.js';
import { describeHolder, WorkspaceInUseError } from '../engine/workspace/index.js';
import type { Output } from './output.js';
import { readServerFile, removeServerFile } from './server-file.js';

export interface CliEngineOptions {
  dataDir: string;
  version: string;
  log: Logger;
  /** The command as the user typed it ("outbound campaign status"): a refused second engine names it. */
  command?: string;
}

/** One API command with its parameters (each command module passes its own). */
export type ApiRequest = (command: CommandName, params?: unknown) => Promise<unknown>;
export type ApiTarget = 'server' | 'workspace';

/** How long a server named by server.json has to accept the API connection. */
export const SERVER_ANSWER_MS = 5_000;

/** The command's name for the workspace lock: given, or `outbound <command>` from the process's arguments. */
function holderName(options: CliEngineOptions): string {
  if (options.command) return options.command;
  const [script, first, second] = process.argv.slice(1);
  if (!script?.endsWith('cli.js') || !first || first.startsWith('-')) return 'an outbound command';
  // `outbound campaign status`, `outbound dnc add`: the sub-command too (never a name or number).
  return ['campaign', 'dnc', 'trunk', 'flow'].includes(first) && second && /^[a-z]+$/.test(second)
    ? `outbound ${first} ${second}`
    : `outbound ${first}`;
}

/** An in-process engine on the data folder; it holds the workspace's lock until it stops. */
function startEngine(options: CliEngineOptions): Promise<Engine> {
  return Engine.start({
    dataDir: options.dataDir,
    transport: 'in-process',
    version: options.version,
    log: options.log,
    actor: 'cli',
    holder: holderName(options),
  });
}

/** An in-process engine on the data folder, or null after printing why it could not start. */
export async function startCliEngine(
  options: CliEngineOptions,
  out: Output,
): Promise<Engine | null> {
  try {
    return await startEngine(options);
  } catch (error) {
    if (!(error instanceof EngineStartError)) throw error;
    out.error(error.code, error.message);
    return null;
  }
}

/**
 * Runs `work` against the workspace's API: the running server's if there is one, else its own
 * engine's (only when it can take the workspace's lock). A request the API refuses ends the
 * command through `refused`, which prints the error in the command's own terms (its options and
 * arguments) and gives the exit code.
 */
export async function withWorkspaceApi(
  options: CliEngineOptions,
  out: Output,
  work: (request: ApiRequest, where: ApiTarget) => Promise<number>,
  refused: (error: ApiError) => number,
): Promise<number> {
  const run = async (request: ApiRequest, where: ApiTarget): Promise<number> => {
    try {
      return await work(request, where);
    } catch (error) {
      if (error instanceof ApiError) return refused(error);
      throw error;
    }
  };
  const server = await readServerFile(options.dataDir);
  let silent: string | null = null;
  if (server) {
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    const transport = createWebSocketTransport(
      // The admin token: every outbound command runs as the workspace's local admin.
      `ws://${host}:${server.port}/api?token=${server.adminToken ?? server.token}`,
      {
        createSocket: (target) => new WebSocket(target) as unknown as WebSocketLike,
        fatalCloseCodes: [4401],
        reconnect: false,
      },
    );
    const connected = await transport.ready(SERVER_ANSWER_MS).then(
      () => true,
      () => false,
    );
    if (connected) {
      const api = createApiClient(transport);
      try {
        // The client's request is typed per command; each CLI module passes that command's params.
        return await run(
          (command, params) =>
            (api.request as (c: CommandName, p: unknown) => Promise<unknown>)(
              command,
              params ?? {},
            ),
          'server',
        );
      } finally {
        transport.close();
      }
    }
    transport.close();
    silent = `${host}:${server.port}`;
  }
  let engine: Engine;
  try {
    engine = await startEngine(options);
  } catch (error) {
    if (!(error instanceof EngineStartError)) throw error;
    if (silent && error.code === 'WORKSPACE_IN_USE') {
      // The server is there (it holds the workspace) but does not answer: say so; never work around it.
      const holder =
        error.cause instanceof WorkspaceInUseError && error.cause.holder
          ? describeHolder(error.cause.holder)
          : null;
      out.error(
        'SERVER_NOT_ANSWERING',
        `The server at ${silent} did not answer within ${SERVER_ANSWER_MS / 1000} s; it holds this workspace (${options.dataDir}${holder ? `, ${holder}` : ''}), so this command did not open it. Check that the server is running and reachable from here, or stop it.`,
      );
      return 1;
    }
    out.error(error.code, error.message);
    return 1;
  }
  // This command holds the workspace now: a server.json left behind is stale.
  if (silent) await removeServerFile(options.dataDir).catch(() => undefined);
  try {
    return await run((command, params) => engine.request(command, params ?? {}), 'workspace');
  } finally {
    await engine.stop();
  }
}
