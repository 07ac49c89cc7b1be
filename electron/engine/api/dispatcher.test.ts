import { describe, expect, it } from 'vitest';

import { localAdminContext } from '../auth/connection.js';
import { COMMAND_NAMES, DEFAULT_SETTINGS } from './contract.js';
import { type CommandHandlers, Dispatcher } from './dispatcher.js';

function handlers(overrides: Partial<CommandHandlers> = {}): CommandHandlers {
  const unused = () => {
    throw new Error('not used in this test');
  };
  const all = Object.fromEntries(
    COMMAND_NAMES.map((name) => [name, unused]),
  ) as unknown as CommandHandlers;
  return {
    ...all,
    'settings.get': () => DEFAULT_SETTINGS,
    'live.list': () => ({ calls: [] }),
    ...overrides,
  } as CommandHandlers;
}

/** In-process requests: the workspace's local admin (the role map's checks have their own suite, roles.test.ts). */
const ADMIN = localAdminContext();

describe('Dispatcher', () => {
  it('answers a request with the handler result', async () => {
    const reply = await new Dispatcher(handlers()).handle(
      {
        type: 'request',
        id: 3,
        command: 'settings.get',
      },
      ADMIN,
    );
    expect(reply).toEqual({ type: 'response', id: 3, ok: true, result: DEFAULT_SETTINGS });
  });

  it('accepts JSON text and rejects text that is not JSON', async () => {
    const dispatcher = new Dispatcher(handlers());
    expect(
      await dispatcher.handle('{"type":"request","id":"a","command":"live.list"}', ADMIN),
    ).toMatchObject({ id: 'a', ok: true });
    expect(await dispatcher.handle('{"type":', ADMIN)).toMatchObject({
      id: null,
      ok: false,
      error: { code: 'BAD_MESSAGE', message: expect.stringMatching(/not valid JSON/) },
    });
  });

  it('fills parameter defaults before the handler sees them', async () => {
    let seen: unknown;
    const dispatcher = new Dispatcher(
      handlers({ 'calls.list': (params) => ((seen = params), { calls: [], total: 0 }) }),
    );
    await dispatcher.handle({ type: 'request', id: 1, command: 'calls.list' }, ADMIN);
    expect(seen).toEqual({ limit: 50, offset: 0 });
  });

  it('turns a handler crash into INTERNAL and reports it', async () => {
    const crashes: string[] = [];
    const dispatcher = new Dispatcher(
      handlers({
        'live.list': () => {
          throw new TypeError('boom');
        },
      }),
      { onInternalError: (command) => crashes.push(command) },
    );
    expect(
      await dispatcher.handle({ type: 'request', id: 1, command: 'live.list' }, ADMIN),
    ).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: 'live.list failed inside the engine: boom' },
    });
    expect(crashes).toEqual(['live.list']);
  });

  it('catches a handler that breaks its own result schema', async () => {
    const broken = handlers({
      'settings.get': () => ({ ...DEFAULT_SETTINGS, language: 'fr' }) as never,
    });
    const reply = await new Dispatcher(broken).handle(
      {
        type: 'request',
        id: 1,
        command: 'settings.get',
      },
      ADMIN,
    );
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: expect.stringMatching(/settings\.get result: language/) },
    });
  });

  it('keeps the request id when the rest of the envelope is wrong', async () => {
    expect(
      await new Dispatcher(handlers()).handle({ type: 'request', id: 12 }, ADMIN),
    ).toMatchObject({
      id: 12,
      ok: false,
      error: { code: 'BAD_MESSAGE', field: 'command' },
    });
  });
});
