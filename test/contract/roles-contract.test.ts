/**
 * Sign-in and the role map over the real transports (issue 13): a WebSocket and an Electron window
 * each start signed out; the role map is walked over every command for a signed-out connection,
 * an agent and a supervisor; an agent cannot add trunks, export, read the audit trail or act as
 * another agent; a supervisor cannot manage users; sign-out and the first admin. Events by role
 * (roles.ts, EVENT_MAP): an agent hears only their own, a supervisor no admin-only event.
 * (In-process requests are the workspace's local admin, so that transport is not part of this.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OutboundApi } from '../../electron/engine/api/client.js';
import { COMMAND_NAMES, type CommandName } from '../../electron/engine/api/contract.js';
import { mayRun } from '../../electron/engine/api/roles.js';
import { Engine } from '../../electron/engine/index.js';
import {
  API_TRANSPORTS,
  apiError,
  quietLog,
  signInAs,
  TEST_PASSWORD,
  type TransportHarness,
} from '../support/api-transports.js';

const TRANSPORTS = API_TRANSPORTS.filter(([name]) => name !== 'in-process');

/** The error code a command is answered with, or 'ok' (params are empty: a refusal comes first). */
async function outcome(api: OutboundApi, command: CommandName): Promise<string> {
  const request = api.request as (c: string, p: unknown) => Promise<unknown>;
  return request(command, {}).then(
    () => 'ok',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  );
}

describe.each(TRANSPORTS)('sign-in and roles over %s', (_name, makeHarness) => {
  let engine: Engine;
  let dataDir: string;
  const harnesses: TransportHarness[] = [];
  const connect = async (): Promise<OutboundApi> => {
    const harness = await makeHarness(engine);
    harnesses.push(harness);
    return harness.api;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outbound-roles-'));
    engine = await Engine.start({
      dataDir,
      transport: 'in-process',
      version: '0.0.0-test',
      log: quietLog,
    });
  });
  afterAll(async () => {
    for (const harness of harnesses) await harness.close();
    await engine.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('asks for the first admin once, and signs that connection in', async () => {
    const api = await connect();
    expect(await api.request('auth.status')).toMatchObject({ needsFirstAdmin: true, user: null });
    const first = await api.request('auth.setupFirstAdmin', {
      username: 'first-admin',
      password: TEST_PASSWORD,
    });
    expect(first.user).toMatchObject({ username: 'first-admin', role: 'admin' });
    expect((await api.request('auth.whoami')).username).toBe('first-admin');
    const other = await connect();
    expect(await other.request('auth.status')).toMatchObject({ needsFirstAdmin: false });
    const again = await apiError(
      other.request('auth.setupFirstAdmin', { username: 'second', password: TEST_PASSWORD }),
    );
    expect(again.code).toBe('CONFLICT');
  });

  it('lets a signed-out connection do nothing but sign in, and sends it no events', async () => {
    const api = await connect();
    const events: unknown[] = [];
    api.on('settings.changed', (settings) => events.push(settings));
    // The control: a signed-in connection on the same transport hears the change.
    const signedIn = await connect();
    await signInAs(engine, signedIn, 'admin');
    const heard: unknown[] = [];
    signedIn.on('settings.changed', (settings) => heard.push(settings));
    for (const command of COMMAND_NAMES) {
      if (mayRun(null, command)) continue;
      expect(await outcome(api, command), command).toBe('UNAUTHENTICATED');
    }
    await engine.request('settings.update', { changes: { wrapUpMs: 31_000 } });
    const wrong = await apiError(
      api.request('auth.signIn', { username: 'first-admin', password: 'nope' }),
    );
    expect(wrong.message).toBe('Wrong user name or password.');
    const unknown = await apiError(
      api.request('auth.signIn', { username: 'nobody', password: 'nope' }),
    );
    expect(unknown.toJSON()).toEqual(wrong.toJSON());
    await expect.poll(() => heard.length).toBe(1);
    expect(events).toEqual([]);
  });

  it("walks the role map for an agent: every command outside the agent's rules is FORBIDDEN, naming the role", async () => {
    const api = await connect();
    const { user } = await signInAs(engine, api, 'agent', 'ann');
    for (const command of COMMAND_NAMES) {
      if (mayRun('agent', command)) continue;
      const error = await apiError(
        (api.request as (c: string, p: unknown) => Promise<unknown>)(command, {}),
      );
      expect(error.code, command).toBe('FORBIDDEN');
      expect(error.message, command).toMatch(/needs the role (admin|supervisor or admin)/);
    }
    // The cases, with real params.
    const trunk = await apiError(
      api.request('trunks.create', {
        name: 'x',
        uri: 'wss://pbx.example.com/ws',
        domain: 'pbx.example.com',
      }),
    );
    expect(trunk.message).toMatch(
      /trunks\.create needs the role admin \(you are signed in as agent\)/,
    );
    expect((await apiError(api.request('calls.export', { format: 'csv' } as never))).code).toBe(
      'FORBIDDEN',
    );
    for (const command of COMMAND_NAMES.filter((c) => c.startsWith('audit.')))
      expect(await outcome(api, command), command).toBe('FORBIDDEN');
    // As another agent: refused; as themselves: served, the agentId taken from the sign-in.
    const other = (await engine.request('agents.create', {
      username: 'bob',
      displayName: 'Bob',
    })) as { id: number };
    const asOther = await apiError(
      api.request('agents.setStatus', { agentId: other.id, status: 'available' }),
    );
    expect(asOther.code).toBe('FORBIDDEN');
    expect(asOther.message).toMatch(/acts only as themselves/);
    expect((await apiError(api.request('agents.offer', { agentId: other.id }))).code).toBe(
      'FORBIDDEN',
    );
    expect(
      (await apiError(api.request('agents.accept', { callId: 'c1', agentId: other.id }))).code,
    ).toBe('FORBIDDEN');
    const own = await api.request('agents.setStatus', {
      agentId: user.userId,
      status: 'available',
    });
    expect(own).toMatchObject({ id: user.userId, status: 'available' });
    expect(await api.request('agents.offer', { agentId: user.userId })).toEqual({ offer: null });
    // A call the agent does not hold.
    expect((await apiError(api.request('calls.hangup', { id: 'not-theirs' }))).code).toBe(
      'FORBIDDEN',
    );
  });

  it('walks the role map for a supervisor: no user management, monitoring allowed', async () => {
    const api = await connect();
    await signInAs(engine, api, 'supervisor', 'sue');
    for (const command of COMMAND_NAMES) {
      if (mayRun('supervisor', command)) continue;
      expect(await outcome(api, command), command).toBe('FORBIDDEN');
    }
    const users = await apiError(
      api.request('users.add', { username: 'mallory', role: 'admin', password: TEST_PASSWORD }),
    );
    expect(users.message).toBe('users.add needs the role admin (you are signed in as supervisor)');
    expect((await apiError(api.request('users.list'))).code).toBe('FORBIDDEN');
    expect(await api.request('calls.list', {})).toMatchObject({ total: 0 });
    // A supervisor names the agent they act on.
    const bob = (await engine.request('agents.list')) as {
      agents: Array<{ id: number; username: string }>;
    };
    const bobId = bob.agents.find((a) => a.username === 'bob')!.id;
    expect(await api.request('agents.setStatus', { agentId: bobId, status: 'away' })).toMatchObject(
      {
        id: bobId,
        status: 'away',
      },
    ); // The Agents page lists agents and supervisors; an admin only while at a desk (signed on).
    const listed = async () => (await api.request('agents.list')).agents.map((a) => a.username);
    expect(await listed()).toEqual(expect.arrayContaining(['ann', 'bob', 'sue']));
    expect(await listed()).not.toContain('first-admin');
    const admins = (await engine.request('users.list')) as {
      users: Array<{ id: number; username: string }>;
    };
    const firstAdmin = admins.users.find((u) => u.username === 'first-admin')!.id;
    await engine.request('agents.setStatus', { agentId: firstAdmin, status: 'available' });
    expect(await listed()).toContain('first-admin');
    await engine.request('agents.setStatus', { agentId: firstAdmin, status: 'offline' });
    expect(await listed()).not.toContain('first-admin');
  });

  it('sends each connection only the events its role may hear (EVENT_MAP): an agent only their own', async () => {
    const ann = await connect();
    const { user: annUser } = await signInAs(engine, ann, 'agent', 'ann');
    const sue = await connect();
    await signInAs(engine, sue, 'supervisor', 'sue');
    const admin = await connect();
    await signInAs(engine, admin, 'admin');
    const heard = (api: OutboundApi) => {
      const got: string[] = [];
      api.on('agent.state', (s) => got.push(`agent.state:${s.username}`));
      api.on('agents.changed', (d) =>
        got.push(`agents.changed:${d.agents.map((a) => a.username).join(',')}`),
      );
      api.on('call.utterance', (u) => got.push(`call.utterance:${u.callId}`));
      api.on('flows.changed', (f) => got.push(`flows.changed:${f.name}`));
      api.on('trunks.changed', () => got.push('trunks.changed'));
      return got;
    };
    const [annHeard, sueHeard, adminHeard] = [heard(ann), heard(sue), heard(admin)];
    const bob = (await engine.request('agents.create', {
      username: 'bob-events',
      displayName: 'Bob',
    })) as { id: number };
    // Another agent's state, someone else's call, a supervisor-only and an admin-only event.
    await engine.request('agents.setStatus', { agentId: bob.id, status: 'available' });
    engine.emit('call.utterance', {
      callId: 'not-anns-call',
      at: Date.now(),
      speaker: 'customer',
      text: 'hello',
      intent: null,
      confidence: null,
      startMs: 0,
      endMs: 500,
      cutAtMs: null,
      nodeId: null,
    });
    engine.emit('flows.changed', { name: 'supervisors-only', version: 1 });
    await engine.request('trunks.create', {
      name: 'admins-only',
      uri: 'wss://pbx.example.com/ws',
      domain: 'pbx.example.com',
    });
    // Ann's own state comes last: once she hears it, she would have heard the others before it.
    await ann.request('agents.setStatus', { agentId: annUser.userId, status: 'available' });
    await expect.poll(() => annHeard.includes('agent.state:ann')).toBe(true);
    await expect.poll(() => adminHeard.includes('agent.state:ann')).toBe(true);
    await expect.poll(() => sueHeard.includes('agent.state:ann')).toBe(true);
    // The agent: their own state, and the agents list cut down to their own record.
    expect(annHeard).toEqual(['agents.changed:ann', 'agent.state:ann']);
    expect(sueHeard).toEqual([
      expect.stringMatching(/^agents\.changed:.*bob-events/),
      'agent.state:bob-events',
      'call.utterance:not-anns-call',
      'flows.changed:supervisors-only',
      'agent.state:ann',
    ]);
    expect(adminHeard).toEqual([
      expect.stringMatching(/^agents\.changed:.*bob-events/),
      'agent.state:bob-events',
      'call.utterance:not-anns-call',
      'flows.changed:supervisors-only',
      'trunks.changed',
      'agent.state:ann',
    ]);
  });

  it('signs out, and an admin change ends the user sessions at once', async () => {
    const admin = await connect();
    await signInAs(engine, admin, 'admin');
    const api = await connect();
    await signInAs(engine, api, 'supervisor', 'sue');
    await api.request('auth.signOut');
    expect((await apiError(api.request('calls.list', {}))).code).toBe('UNAUTHENTICATED');
    const again = await signInAs(engine, api, 'supervisor', 'sue');
    await admin.request('users.update', { id: again.user.userId, role: 'agent' });
    const ended = await apiError(api.request('calls.list', {}));
    expect(ended.code).toBe('UNAUTHENTICATED');
    expect(ended.message).toMatch(/session was ended/);
    expect((await apiError(api.request('auth.resume', { token: again.token }))).code).toBe(
      'UNAUTHENTICATED',
    );
    const list = await admin.request('users.list');
    expect(list.users.find((u) => u.username === 'sue')).toMatchObject({
      role: 'agent',
      disabled: false,
    });
  });
});
