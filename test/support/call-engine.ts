/**
 * An engine that places real calls, for end-to-end tests: the engine in this process, its headless
 * server, and the built media host page in Debian's Chromium (as `outbound call` runs it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import {
  callEvents,
  type CallEventStreamItem,
  type CommandParams,
} from '../../electron/engine/api/contract.js';
import { describeZodError } from '../../electron/engine/api/validate.js';
import { Engine, type Logger, silentLogger } from '../../electron/engine/index.js';
import { type HeadlessServer, startHeadlessServer } from '../../electron/headless/index.js';
import { createChromiumMediaHostLauncher } from '../../electron/headless/media-host-launcher.js';
import { favourMediaHost } from './favour-media-host.js';
import { assertBuilt, ROOT } from './serve.js';

export interface CallEngine {
  engine: Engine;
  server: HeadlessServer;
  dataDir: string;
  /** Every call.event so far. */
  events: CallEventStreamItem[];
  eventsOf(callId: string): CallEventStreamItem[];
  /** Resolves with the first event of this type on this call. */
  waitForEvent(callId: string, type: string, timeoutMs?: number): Promise<CallEventStreamItem>;
  addTrunk(params: CommandParams<'trunks.create'>): Promise<void>;
  stop(): Promise<void>;
}

export async function startCallEngine(
  options: {
    log?: Logger;
    /** Use this data folder (the caller removes it); default a new temporary one, removed at stop. */
    dataDir?: string;
    /** Sees each media host page once it is linked (a test that inspects the page over DevTools). */
    onMediaHostPage?: (page: Page) => void;
  } = {},
): Promise<CallEngine> {
  assertBuilt();
  const log =
    options.log ??
    (process.env.OUTBOUND_TEST_LOG
      ? (await import('../../electron/engine/index.js')).createStderrLogger('engine')
      : silentLogger);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'outbound-calls-')));
  const engine = await Engine.start({ dataDir, transport: 'in-process', version: 'test', log });
  const server = await startHeadlessServer({
    api: engine,
    rendererDir: join(ROOT, 'out', 'renderer'),
    port: 0,
    log,
    // Recordings for History's player, as `outbound serve` serves them (audited).
    media: (mediaPath, from) => engine.mediaFile(mediaPath, from),
  });
  engine.telephony.setLauncher(
    createChromiumMediaHostLauncher({
      server,
      log,
      // Every media host gets the CPU share it would have on a desk of its own: in full runs a
      // starved Chromium's jitter buffer warped what the engine heard (calls.test 0.67 against
      // 0.8 at load 4, the other lane beside it; calls-concurrent before it).
      onPage: (page) => {
        void favourMediaHost(page);
        options.onMediaHostPage?.(page);
      },
    }),
  );
  const events: CallEventStreamItem[] = [];
  const waiters = new Set<() => void>();
  /** Live events the contract refuses (as the console's client would): stop() fails the run with them. */
  const refused: string[] = [];
  engine.subscribe((message) => {
    if (message.event !== 'call.event') return;
    events.push(message.data as CallEventStreamItem);
    const checked = callEvents['call.event'].safeParse(message.data);
    if (!checked.success) refused.push(describeZodError(checked.error, 'call.event').message);
    for (const wake of waiters) wake();
  });
  const eventsOf = (callId: string): CallEventStreamItem[] =>
    events.filter((e) => e.callId === callId);
  return {
    engine,
    server,
    dataDir,
    events,
    eventsOf,
    waitForEvent(callId, type, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find((e) => e.callId === callId && e.type === type);
          if (!found) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          const ended = eventsOf(callId).find((e) => e.type === 'ended');
          reject(
            new Error(
              `No "${type}" event on call ${callId} within ${timeoutMs} ms; got: ${eventsOf(callId)
                .map((e) => e.type)
                .join(
                  ', ',
                )}${ended ? ` (ended: ${String(ended.data.outcome)}, ${String(ended.data.reason)})` : ''}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(wake);
      });
    },
    async addTrunk(params) {
      await engine.request('trunks.create', params);
    },
    async stop() {
      await engine.stop();
      await server.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
      if (refused.length > 0)
        throw new Error(`The contract refused live call events: ${refused.join('; ')}`);
    },
  };
}
