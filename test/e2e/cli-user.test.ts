/**
 * `outbound user add|list` as a user runs them (issue 13): the first admin of a headless workspace,
 * made on the command's own engine and, beside a running `outbound serve`, through it as the
 * workspace's local admin; the password only from a file or stdin; the new admin signs in over
 * the server's WebSocket.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient } from '../../electron/engine/api/client.js';
import { ApiError } from '../../electron/engine/api/errors.js';
import { jsonLines, outbound } from '../support/cli-run.js';
import { assertBuilt, serve } from '../support/serve.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';

describe('outbound user', () => {
  let scratch: string;
  let data: string;
  let passwordFile: string;
  const inData = (...args: string[]) => [...args, '--data', data, '--json'];

  beforeAll(async () => {
    assertBuilt();
    scratch = await mkdtemp(join(tmpdir(), 'outbound-cli-user-'));
    data = join(scratch, 'data');
    passwordFile = join(scratch, 'pw.txt');
    await writeFile(passwordFile, 'first-admin-pw\n');
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('adds the first admin from a password file, and refuses a password on the command line', () => {
    const added = outbound(
      inData('user', 'add', 'boss', '--role', 'admin', '--password-file', passwordFile),
    );
    expect(added.code, added.stderr).toBe(0);
    expect(jsonLines(added)[0]).toMatchObject({
      event: 'user.added',
      user: { username: 'boss', role: 'admin', hasPassword: true, disabled: false },
    });
    const argv = outbound(inData('user', 'add', 'eve', '--role', 'admin', '--password', 'x'));
    expect(argv.code).toBe(2);
    expect(argv.stderr + argv.stdout).toMatch(/--password-file/);
    const noRole = outbound(inData('user', 'add', 'eve', '--password-file', passwordFile));
    expect(noRole.code).toBe(2);
    expect(noRole.stderr + noRole.stdout).toMatch(/--role agent, supervisor or admin/);
    const short = outbound(
      inData('user', 'add', 'eve', '--role', 'agent', '--password-file', '-'),
      'short\n',
    );
    expect(short.code).toBe(2);
    expect(short.stderr + short.stdout).toMatch(/--password-file: .*at least 8 characters/);
  });

  it('adds users through a running serve as the local admin, and they sign in there', async () => {
    const served = await serve(data);
    try {
      const added = outbound(
        inData('user', 'add', 'ann', '--role', 'agent', '--password-file', '-'),
        'agent-password-1\n',
      );
      expect(added.code, added.stderr).toBe(0);
      const list = outbound(inData('user', 'list'));
      expect(
        (jsonLines(list)[0] as { users: Array<{ username: string }> }).users.map((u) => u.username),
      ).toEqual(['ann', 'boss']);
      // The console's token opens a signed-out connection: only sign-in works there.
      const transport = nodeWebSocketTransport(
        `ws://127.0.0.1:${served.port}/api?token=${served.token}`,
      );
      await transport.ready();
      const api = createApiClient(transport);
      try {
        const refused = await api.request('calls.list', {}).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ApiError);
        expect((refused as ApiError).code).toBe('UNAUTHENTICATED');
        const signed = await api.request('auth.signIn', {
          username: 'boss',
          password: 'first-admin-pw',
        });
        expect(signed.user.role).toBe('admin');
        expect(await api.request('calls.list', {})).toMatchObject({ total: 0 });
      } finally {
        transport.close();
      }
    } finally {
      await served.stop();
    }
  });
});
