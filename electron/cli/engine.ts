/**
 * Where a one-shot CLI command runs. When `outbound serve` holds the workspace it has the database
 * open (an engine started here would meet its lock) and it is the one that dials, so the command
 * goes to it over its WebSocket: the server writes its address and token to <data>/server.json,
 * readable by this user only. Otherwise the command starts an engine on the workspace for itself;
 * a start failure becomes a printed error and exit 1.
 */
import WebSocket from 'ws';

import { createApiClient } from '../engine/api/client.js';
import type { CommandName } from '../engine/api/contract.js';
import { ApiError } from '../engine/api/errors.js';
import { createWebSocketTransport, type WebSocketLike } from '../engine/api/ws-client.js';
import { Engine, EngineStartError, type Logger } from '../engine/index.js';
import type { Output } from './output.js';
import { readServerFile } from './server-file.js';

export interface CliEngineOptions {
  dataDir: string;
  version: string;
  log: Logger;
}

/** One API command with its parameters (each command module passes its own). */
export type ApiRequest = (command: CommandName, params?: unknown) => Promise<unknown>;
export type ApiTarget = 'server' | 'workspace';

/** An in-process engine on the data folder, or null after printing why it could not start. */
export async function startCliEngine(
  options: CliEngineOptions,
  out: Output,
): Promise<Engine | null> {
  try {
    return await Engine.start({
      dataDir: options.dataDir,
      transport: 'in-process',
      version: options.version,
      log: options.log,
      actor: 'cli',
    });
  } catch (error) {
    if (!(error instanceof EngineStartError)) throw error;
    out.error(error.code, error.message);
    return null;
  }
}

/**
 * Runs `work` against the workspace's API: the running server's if there is one, else its own
 * engine's. A request the API refuses ends the command through `refused`, which prints the error
 * in the command's own terms (its options and arguments) and gives the exit code.
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
  if (server) {
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    const transport = createWebSocketTransport(
      `ws://${host}:${server.port}/api?token=${server.token}`,
      {
        createSocket: (target) => new WebSocket(target) as unknown as WebSocketLike,
        fatalCloseCodes: [4401],
        reconnect: false,
      },
    );
    const connected = await transport.ready(5_000).then(
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
  }
  const engine = await startCliEngine(options, out);
  if (!engine) return 1;
  try {
    return await run((command, params) => engine.request(command, params ?? {}), 'workspace');
  } finally {
    await engine.stop();
  }
}
