import { EventEmitter } from 'node:events';

import { afterEach, describe, expect, it } from 'vitest';

import {
  armTestFaults,
  FATAL_CALL_REASON,
  type FatalHandlers,
  installFatalHandlers,
  onFatal,
} from './fatal.js';
import type { Logger } from './log.js';

interface Line {
  message: string;
  fields: Record<string, unknown> | undefined;
}

function recordingLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const push = (message: string, fields?: Record<string, unknown>): void => {
    lines.push({ message, fields });
  };
  return { lines, info: push, warn: push, error: push };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function install(options: { timeoutMs?: number } = {}): FatalHandlers & {
  target: EventEmitter;
  log: ReturnType<typeof recordingLogger>;
  exits: number[];
} {
  const target = new EventEmitter();
  const log = recordingLogger();
  const exits: number[] = [];
  const handlers = installFatalHandlers({
    log,
    where: 'outbound serve',
    target,
    exit: (code) => exits.push(code),
    ...options,
  });
  cleanups.push(() => handlers.uninstall());
  return Object.assign(handlers, { target, log, exits });
}

describe('installFatalHandlers', () => {
  it('an unhandled rejection: logs it with its stack and context, stops what runs with a reason, exits 1', async () => {
    const stopped: string[] = [];
    cleanups.push(
      onFatal({
        name: 'engine',
        describe: () => ({ liveCalls: ['call-1 (answered)'] }),
        stop: async (reason) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          stopped.push(reason);
        },
      }),
    );
    const fatal = install();
    const error = new Error('the store went away');
    fatal.target.emit('unhandledRejection', error, Promise.resolve());
    await fatal.done;

    expect(stopped).toEqual([FATAL_CALL_REASON]);
    expect(fatal.exits).toEqual([1]);
    const first = fatal.log.lines[0]!;
    expect(first.message).toMatch(/promise was rejected and nothing handled it/);
    expect(first.fields).toMatchObject({
      kind: 'unhandledRejection',
      where: 'outbound serve',
      running: { engine: { liveCalls: ['call-1 (answered)'] } },
    });
    expect(String(first.fields!.error)).toContain('Error: the store went away');
    expect(String(first.fields!.error)).toContain('fatal.test.ts'); // the stack
    expect(fatal.log.lines.at(-1)!.message).toMatch(/Exiting with code 1.*emergency stop complete/);
  });

  it('an uncaught exception (or a non-Error value) takes the same path', async () => {
    const fatal = install();
    fatal.target.emit('uncaughtException', { weird: true });
    await fatal.done;
    expect(fatal.exits).toEqual([1]);
    expect(fatal.log.lines[0]!.fields).toMatchObject({
      kind: 'uncaughtException',
      error: 'non-Error value: {"weird":true}',
    });
  });

  it('a stop that hangs: exits 1 after the timeout anyway', async () => {
    cleanups.push(onFatal({ name: 'hung', stop: () => new Promise(() => undefined) }));
    const fatal = install({ timeoutMs: 100 });
    const started = Date.now();
    fatal.target.emit('unhandledRejection', new Error('boom'));
    await fatal.done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(fatal.exits).toEqual([1]);
    expect(fatal.log.lines.at(-1)!.message).toMatch(/did not finish within 100 ms/);
  });

  it('a second fatal error during the stop is logged, starts nothing, and the process still exits once', async () => {
    let stops = 0;
    let release!: () => void;
    cleanups.push(
      onFatal({
        name: 'engine',
        stop: () => {
          stops++;
          return new Promise<void>((resolve) => (release = resolve));
        },
      }),
    );
    const fatal = install();
    fatal.target.emit('unhandledRejection', new Error('first'));
    fatal.target.emit('uncaughtException', new Error('second, while stopping'));
    release();
    await fatal.done;
    expect(stops).toBe(1);
    expect(fatal.exits).toEqual([1]);
    expect(fatal.log.lines[1]!.message).toMatch(/Another internal error during the emergency stop/);
    expect(String(fatal.log.lines[1]!.fields!.error)).toContain('second, while stopping');
  });

  it('a stop that fails is logged and the others still run', async () => {
    const ran: string[] = [];
    cleanups.push(
      onFatal({
        name: 'broken',
        stop: () => Promise.reject(new Error('cannot stop')),
      }),
      onFatal({ name: 'fine', stop: async () => void ran.push('fine') }),
    );
    const fatal = install();
    fatal.target.emit('unhandledRejection', new Error('boom'));
    await fatal.done;
    expect(ran).toEqual(['fine']);
    expect(fatal.exits).toEqual([1]);
    expect(fatal.log.lines.map((l) => l.message)).toContain('The emergency stop of broken failed');
  });

  it('an unregistered stop is not run', async () => {
    let ran = false;
    const unregister = onFatal({ name: 'gone', stop: async () => void (ran = true) });
    unregister();
    const fatal = install();
    fatal.target.emit('unhandledRejection', new Error('boom'));
    await fatal.done;
    expect(ran).toBe(false);
  });
});

describe('armTestFaults', () => {
  it('arms nothing unless OUTBOUND_TEST_FAULTS is set', () => {
    const target = new EventEmitter();
    expect(armTestFaults({}, target)).toBe(false);
    expect(target.listenerCount('SIGUSR2')).toBe(0);
    expect(armTestFaults({ OUTBOUND_TEST_FAULTS: 'rejection' }, target)).toBe(true);
    expect(target.listenerCount('SIGUSR2')).toBe(1);
  });
});
