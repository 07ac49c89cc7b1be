/**
 * Engine.emergencyStop and the engine's registration with the process's fatal handler, on a real
 * engine (real SQLite file). A live call ended by a fatal error is shown end to end in
 * test/e2e/fatal.test.ts; here: the registration, and the time bound when a part hangs.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { Engine } from './engine.js';
import { installFatalHandlers } from './fatal.js';
import type { Logger } from './log.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(log?: Logger): Promise<Engine> {
  const dataDir = await mkdtemp(join(tmpdir(), 'outbound-emergency-'));
  dirs.push(dataDir);
  return Engine.start({
    dataDir,
    transport: 'in-process',
    version: 'test',
    ...(log ? { log } : {}),
  });
}

describe('Engine.emergencyStop', () => {
  it('a fatal error in the process stops a running engine (store closed) before the exit', async () => {
    const lines: string[] = [];
    const log: Logger = {
      info: (m) => lines.push(m),
      warn: (m) => lines.push(m),
      error: (m) => lines.push(m),
    };
    const engine = await start(log);
    const target = new EventEmitter();
    const exits: number[] = [];
    const fatal = installFatalHandlers({ log, where: 'test', target, exit: (c) => exits.push(c) });
    try {
      target.emit('unhandledRejection', new Error('boom'));
      await fatal.done;
    } finally {
      fatal.uninstall();
    }
    expect(exits).toEqual([1]);
    expect(lines).toContain('Emergency stop: ending live calls');
    expect(lines).toContain('Engine stopped');
    await expect(engine.store.calls.list({ limit: 1, offset: 0 })).rejects.toThrow();
    // Once stopped, another emergency stop (a second fatal error) returns at once.
    expect(await engine.emergencyStop()).toBe('stopped');
  });

  it('gives up after its timeout when a part hangs (a media host that never answers)', async () => {
    const engine = await start();
    const stop = engine.telephony.stop.bind(engine.telephony);
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    engine.telephony.stop = () => hung; // stand-in for a hang-up that never returns
    const started = Date.now();
    expect(await engine.emergencyStop('the app hit an internal error and stopped', 300)).toBe(
      'timed out',
    );
    const tookMs = Date.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(290);
    expect(tookMs).toBeLessThan(2000);
    // Let the stop run to its end so the store closes before the folder is removed.
    release();
    await stop();
    await engine.stop();
  });
});
