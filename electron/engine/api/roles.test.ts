/**
 * The role map against the contract: every command has exactly one rule, and the dispatcher
 * enforces it before any handler runs (signed out, wrong role, an agent acting as another agent).
 * The same rules over the real transports: test/contract/roles-contract.test.ts.
 */
import { describe, expect, it } from 'vitest';

import type { ConnectionControl } from '../auth/connection.js';
import type { Principal } from '../auth/principal.js';
import { COMMAND_NAMES, type CommandName, EVENT_NAMES } from './contract.js';
import { type CommandHandlers, Dispatcher, type RequestContext } from './dispatcher.js';
import { EVENT_MAP, eventFor, mayRun, ROLE_MAP } from './roles.js';

const connection: ConnectionControl = { source: 'ws', address: '127.0.0.1', session: null };
const as = (principal: Principal | null): RequestContext => ({ principal, connection });
const agent: Principal = { userId: 7, name: 'ann', role: 'agent', agentId: 7, source: 'ws' };
const supervisor: Principal = {
  userId: 8,
  name: 'sam',
  role: 'supervisor',
  agentId: 8,
  source: 'ws',
};

/** Every handler records that it ran (none should, when refused). */
function recordingHandlers(ran: string[], seen: Map<string, unknown>): CommandHandlers {
  return Object.fromEntries(
    COMMAND_NAMES.map((name) => [
      name,
      (params: unknown) => {
        ran.push(name);
        seen.set(name, params);
        throw new Error('handler reached');
      },
    ]),
  ) as unknown as CommandHandlers;
}

async function code(
  dispatcher: Dispatcher,
  command: string,
  params: unknown,
  context: RequestContext,
) {
  const reply = await dispatcher.handle({ type: 'request', id: 1, command, params }, context);
  return reply.ok ? 'ok' : reply.error.code;
}

describe('the role map', () => {
  it('has exactly one rule for every command of the contract', () => {
    expect(Object.keys(ROLE_MAP).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('lets signed-out connections do nothing but sign in', () => {
    const open = COMMAND_NAMES.filter((name) => mayRun(null, name));
    expect(open.sort()).toEqual([
      'auth.resume',
      'auth.setupFirstAdmin',
      'auth.signIn',
      'auth.status',
    ]);
  });

  it('gives admins every command, and keeps user management from supervisors and agents', () => {
    expect(COMMAND_NAMES.filter((name) => !mayRun('admin', name))).toEqual([]);
    for (const name of COMMAND_NAMES.filter((n) => n.startsWith('users.'))) {
      expect(mayRun('supervisor', name)).toBe(false);
      expect(mayRun('agent', name)).toBe(false);
    }
  });

  it('keeps trunks, exports and the audit trail from agents', () => {
    const forbidden: CommandName[] = [
      'trunks.create',
      'trunks.update',
      'trunks.remove',
      'calls.export',
    ];
    for (const name of COMMAND_NAMES)
      if (name.startsWith('audit.') || name.startsWith('trunks.')) forbidden.push(name);
    for (const name of forbidden) expect(mayRun('agent', name), name).toBe(false);
  });
});

describe('the dispatcher checks the role map before any handler', () => {
  it('refuses every command but sign-in while signed out, naming why', async () => {
    const ran: string[] = [];
    const dispatcher = new Dispatcher(recordingHandlers(ran, new Map()));
    for (const name of COMMAND_NAMES) {
      if (mayRun(null, name)) continue;
      expect(await code(dispatcher, name, {}, as(null)), name).toBe('UNAUTHENTICATED');
    }
    expect(ran).toEqual([]);
    const reply = await dispatcher.handle(
      { type: 'request', id: 1, command: 'calls.list' },
      { principal: null, connection, signedOutReason: 'Your session expired' },
    );
    expect(reply).toMatchObject({ ok: false, error: { message: 'Your session expired' } });
  });

  it('refuses a role outside the rule with FORBIDDEN naming the role needed', async () => {
    const ran: string[] = [];
    const dispatcher = new Dispatcher(recordingHandlers(ran, new Map()));
    for (const name of COMMAND_NAMES) {
      if (mayRun('agent', name)) continue;
      const reply = await dispatcher.handle(
        { type: 'request', id: 1, command: name, params: {} },
        as(agent),
      );
      expect(reply, name).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      if (!reply.ok)
        expect(reply.error.message).toMatch(/needs the role (supervisor or admin|admin)/);
    }
    expect(ran).toEqual([]);
    const reply = await dispatcher.handle(
      { type: 'request', id: 1, command: 'users.add', params: {} },
      as(supervisor),
    );
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: 'FORBIDDEN',
        message: 'users.add needs the role admin (you are signed in as supervisor)',
      },
    });
  });

  it("takes an agent's agentId from the principal and refuses another agent's", async () => {
    const ran: string[] = [];
    const seen = new Map<string, unknown>();
    const dispatcher = new Dispatcher(recordingHandlers(ran, seen), {
      agentOfCall: (callId) => (callId === 'mine' ? 7 : 9),
    });
    // Left out: filled in from the sign-in.
    await code(dispatcher, 'agents.offer', {}, as(agent));
    expect(seen.get('agents.offer')).toEqual({ agentId: 7 });
    // Another agent's id: refused before the handler.
    expect(await code(dispatcher, 'agents.accept', { callId: 'x', agentId: 9 }, as(agent))).toBe(
      'FORBIDDEN',
    );
    expect(
      await code(dispatcher, 'agents.setStatus', { agentId: 9, status: 'away' }, as(agent)),
    ).toBe('FORBIDDEN');
    // Another agent's call.
    expect(await code(dispatcher, 'calls.hangup', { id: 'theirs' }, as(agent))).toBe('FORBIDDEN');
    expect(
      await code(dispatcher, 'calls.wrapUp', { callId: 'theirs', disposition: 'x' }, as(agent)),
    ).toBe('FORBIDDEN');
    expect(ran).toEqual(['agents.offer']);
    // Their own call reaches the handler; a supervisor may act on anyone's.
    await code(dispatcher, 'calls.hangup', { id: 'mine' }, as(agent));
    await code(dispatcher, 'agents.accept', { callId: 'x', agentId: 9 }, as(supervisor));
    expect(seen.get('agents.accept')).toEqual({ callId: 'x', agentId: 9 });
    expect(ran).toEqual(['agents.offer', 'calls.hangup', 'agents.accept']);
  });
});

describe('events by role (EVENT_MAP)', () => {
  const ann = { agentId: 7, holdsCall: (callId: string) => callId === 'anns-call' };
  const utterance = (callId: string) => ({
    callId,
    at: 1,
    speaker: 'customer' as const,
    text: 'hi',
    intent: null,
    confidence: null,
    startMs: 0,
    endMs: 1,
    cutAtMs: null,
    nodeId: null,
  });

  it('has exactly one rule for every event of the contract', () => {
    expect(Object.keys(EVENT_MAP).sort()).toEqual([...EVENT_NAMES].sort());
  });

  it('sends a signed-out connection no event at all', () => {
    for (const event of EVENT_NAMES)
      expect(eventFor(null, event, {} as never, ann), event).toBeNull();
  });

  it('gives an agent only their own offers, state and calls, and nothing of trunks, imports or KPIs', () => {
    expect(eventFor('agent', 'call.utterance', utterance('anns-call'), ann)).not.toBeNull();
    expect(eventFor('agent', 'call.utterance', utterance('other'), ann)).toBeNull();
    expect(eventFor('supervisor', 'call.utterance', utterance('other'), ann)).not.toBeNull();
    const offerEnded = { callId: 'c', agentId: 8, reason: 'expired' as const };
    expect(eventFor('agent', 'agent.offerEnded', offerEnded, ann)).toBeNull();
    expect(eventFor('agent', 'agent.offerEnded', { ...offerEnded, agentId: 7 }, ann)).toEqual({
      ...offerEnded,
      agentId: 7,
    });
    const agents = [7, 8].map((id) => ({
      id,
      username: `u${id}`,
      displayName: `U${id}`,
      role: 'agent' as const,
      skills: [],
      status: 'available' as const,
      createdAt: 1,
    }));
    expect(eventFor('agent', 'agents.changed', { agents }, ann)).toEqual({ agents: [agents[0]] });
    expect(eventFor('admin', 'agents.changed', { agents }, ann)).toEqual({ agents });
    for (const event of [
      'trunks.changed',
      'trunk.health',
      'import.progress',
      'import.finished',
      'kpi.wallboard',
      'campaign.updated',
      'flows.changed',
    ] as const)
      expect(eventFor('agent', event, {} as never, ann), event).toBeNull();
    for (const event of ['trunks.changed', 'import.progress'] as const)
      expect(eventFor('supervisor', event, {} as never, ann), event).toBeNull();
    expect(eventFor('agent', 'engine.status', { state: 'ready', at: 1 }, ann)).not.toBeNull();
    // Preview dialing: an agent hears only the contact previewed for them.
    const ended = { callId: 'p1', agentId: 8, reason: 'expired' as const };
    expect(eventFor('agent', 'agent.previewEnded', ended, ann)).toBeNull();
    expect(eventFor('agent', 'agent.previewEnded', { ...ended, agentId: 7 }, ann)).not.toBeNull();
    expect(eventFor('supervisor', 'agent.previewEnded', ended, ann)).not.toBeNull();
    expect(ROLE_MAP['preview.dial']).toMatchObject({ self: 'agentId' });
  });
});
