/**
 * One contract suite, run over every transport the API has: in-process, the headless WebSocket,
 * and Electron IPC (the real main-side wiring and the real preload bridge, over stand-ins for
 * ipcMain/ipcRenderer). Each run starts a real engine on a real SQLite file in a temp folder.
 */
import { describe, expect, it } from 'vitest';

import { ApiError } from '../../electron/engine/api/errors.js';
import type { EventMessage } from '../../electron/engine/api/messages.js';
import { APPOINTMENT_EN } from '../../electron/engine/dialog/index.js';
import { API_TRANSPORTS, useContractEngine } from '../support/api-transports.js';

describe.each(API_TRANSPORTS)('API contract over %s', (_name, makeHarness) => {
  const h = useContractEngine(makeHarness, 'outbound-contract-');

  async function expectApiError(
    promise: Promise<unknown>,
    code: string,
    pattern?: RegExp,
  ): Promise<ApiError> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.code).toBe(code);
    if (pattern) expect(apiError.message).toMatch(pattern);
    return apiError;
  }

  it('reports what it is running on', async () => {
    const info = await h.api.request('app.info');
    expect(info.name).toBe('Outbound Console');
    expect(info.dataDir).toBe(h.dataDir);
    // The SQLite file in the workspace, or the shared database's connection string (no password).
    if (_name.includes('PostgreSQL'))
      expect(info.databasePath).toMatch(/^postgres:\/\/outbound@127\.0\.0\.1:\d+\//);
    else expect(info.databasePath.startsWith(h.dataDir)).toBe(true);
    expect(info.schemaVersion).toBeGreaterThanOrEqual(1);
  });

  it('starts with the default settings', async () => {
    const settings = await h.api.request('settings.get');
    expect(settings).toMatchObject({
      language: 'zh-CN',
      defaultRegion: 'CN',
      ringTimeoutMs: 30_000,
    });
  });

  it('stores a settings change, returns it and tells every subscriber', async () => {
    const seen: string[] = [];
    const off = h.api.on('settings.changed', (settings) => seen.push(settings.language));
    const updated = await h.api.request('settings.update', {
      changes: { language: 'en', ringTimeoutMs: 25_000 },
    });
    expect(updated).toMatchObject({ language: 'en', ringTimeoutMs: 25_000 });
    expect(await h.api.request('settings.get')).toMatchObject({
      language: 'en',
      ringTimeoutMs: 25_000,
    });
    await expect.poll(() => seen).toContain('en');
    off();
  });

  it('refuses an out-of-range setting, names the field and stores nothing', async () => {
    const before = await h.api.request('settings.get');
    const error = await expectApiError(
      h.api.request('settings.update', { changes: { ringTimeoutMs: 10, language: 'zh-CN' } }),
      'INVALID_PARAMS',
      /ringTimeoutMs/,
    );
    expect(error.field).toBe('changes.ringTimeoutMs');
    expect(await h.api.request('settings.get')).toEqual(before);
  });

  it('refuses an unknown setting by name', async () => {
    const raw = await h.sendRaw({
      type: 'request',
      id: 7,
      command: 'settings.update',
      params: { changes: { colour: 'red' } },
    });
    expect(raw).toMatchObject({
      type: 'response',
      id: 7,
      ok: false,
      error: { code: 'INVALID_PARAMS' },
    });
    expect(JSON.stringify(raw)).toContain('colour');
  });

  it('refuses a command outside the contract', async () => {
    const raw = await h.sendRaw({
      type: 'request',
      id: 'x1',
      command: 'store.dropEverything',
      params: {},
    });
    expect(raw).toMatchObject({ id: 'x1', ok: false, error: { code: 'UNKNOWN_COMMAND' } });
  });

  it.each([
    ['no id', { type: 'request', command: 'settings.get' }, /id/],
    ['wrong type', { type: 'reqest', id: 1, command: 'settings.get' }, /type/],
    ['not an object', 42, /Request message/],
    ['null', null, /Request message/],
  ])(
    'answers a malformed message (%s) with BAD_MESSAGE and keeps serving',
    async (_case, message, pattern) => {
      const raw = (await h.sendRaw(message)) as {
        ok: boolean;
        error: { code: string; message: string };
      };
      expect(raw.ok).toBe(false);
      expect(raw.error.code).toBe('BAD_MESSAGE');
      expect(raw.error.message).toMatch(pattern);
      expect((await h.api.request('app.info')).name).toBe('Outbound Console');
    },
  );

  it('says NOT_FOUND for a call that does not exist', async () => {
    await expectApiError(
      h.api.request('calls.get', { id: 'no-such-call' }),
      'NOT_FOUND',
      /no-such-call/,
    );
  });

  it('refuses to dial a number with letters, and to control a call that is not live', async () => {
    await expectApiError(
      h.api.request('calls.dial', { number: '400-CALL-NOW' }),
      'INVALID_PARAMS',
      /number: "400-CALL-NOW" contains letters/,
    );
    await expectApiError(
      h.api.request('calls.hangup', { id: 'no-such-call' }),
      'NOT_FOUND',
      /No live call with id "no-such-call"/,
    );
    await expectApiError(
      h.api.request('calls.dtmf', { id: 'x', digits: '12x' }),
      'INVALID_PARAMS',
      /digits/,
    );
  });

  it('lists stored calls newest first, with their contact and transcript', async () => {
    expect(await h.api.request('calls.list')).toEqual({ calls: [], total: 0 });
    const store = h.engine.store;
    const list = await store.contacts.createList({ name: `list-${_name}` });
    await store.contacts.upsertContacts(list.id, [{ phone: '+8613800138000', name: '张伟' }]);
    const [contact] = await store.contacts.contacts(list.id);
    await store.calls.create({
      id: 'c-old',
      number: '+8613800138000',
      startedAt: 1_000,
      contactId: contact!.id,
    });
    await store.calls.create({ id: 'c-new', number: '+8613800138001', startedAt: 2_000 });
    await store.calls.update(
      'c-old',
      { state: 'done', outcome: 'completed', answeredAt: 1_500, endedAt: 9_500 },
      { at: 9_500, type: 'ended' },
    );
    await store.calls.addUtterance('c-old', {
      speaker: 'customer',
      text: '我已经还了',
      startMs: 1_000,
      endMs: 2_200,
      intent: 'paid',
      confidence: 0.93,
    });

    const { calls, total } = await h.api.request('calls.list', { limit: 10 });
    expect(total).toBe(2);
    expect(calls.map((c) => c.id)).toEqual(['c-new', 'c-old']);
    expect(calls[1]).toMatchObject({
      // A signed-in admin sees the name masked (the default); the in-process local admin, raw.
      contactName: _name === 'in-process' ? '张伟' : '张*',
      outcome: 'completed',
      durationMs: 8_000,
    });

    const found = await h.api.request('calls.list', { search: '已经还' });
    expect(found.calls.map((c) => c.id)).toEqual(['c-old']);

    const detail = await h.api.request('calls.get', { id: 'c-old' });
    expect(detail.utterances).toEqual([
      {
        speaker: 'customer',
        text: '我已经还了',
        intent: 'paid',
        confidence: 0.93,
        startMs: 1_000,
        endMs: 2_200,
        cutAtMs: null,
        nodeId: null,
      },
    ]);
    expect(detail.events.map((e) => e.type)).toEqual(['created', 'ended']);
  });

  it('creates an agent, tells subscribers, and refuses a taken username', async () => {
    const changes: number[] = [];
    // Agents only: the suite's signed-in admin (test-admin) is a user too.
    const off = h.api.on('agents.changed', ({ agents }) =>
      changes.push(agents.filter((a) => a.role === 'agent').length),
    );
    const agent = await h.api.request('agents.create', {
      username: 'li.na',
      displayName: '李娜',
      skills: ['billing'],
    });
    expect(agent).toMatchObject({
      username: 'li.na',
      displayName: '李娜',
      role: 'agent',
      skills: ['billing'],
      status: 'offline',
    });
    await expect.poll(() => changes).toEqual([1]);
    const taken = await expectApiError(
      h.api.request('agents.create', { username: 'li.na', displayName: 'Another' }),
      'CONFLICT',
      /li\.na/,
    );
    expect(taken.field).toBe('username');
    const bad = await expectApiError(
      h.api.request('agents.create', { username: 'Li Na', displayName: 'x' }),
      'INVALID_PARAMS',
    );
    expect(bad.field).toBe('username');
    off();
  });

  describe('trunks', () => {
    const PASSWORD = 'pw-never-leaves-the-engine';
    const main = {
      name: 'main',
      uri: 'wss://pbx.example.com:8089/ws',
      domain: 'pbx.example.com',
      username: '1001',
      password: PASSWORD,
      register: true,
      callerId: '+8602100000000',
    };

    it('creates, lists, updates and removes a trunk, telling subscribers each time, and never returns its password', async () => {
      const seen: string[] = [];
      const lists: number[] = [];
      const off = h.api.on('trunks.changed', (data) => {
        seen.push(JSON.stringify(data));
        lists.push(data.trunks.length);
      });
      const created = await h.api.request('trunks.create', main);
      expect(created).toMatchObject({
        name: 'main',
        uri: main.uri,
        domain: main.domain,
        username: '1001',
        hasPassword: true,
        register: true,
        callerId: main.callerId,
        maxConcurrentCalls: 30,
        role: 'primary',
      });
      expect(created.health).toMatchObject({ state: 'idle', reason: null });
      expect(created).not.toHaveProperty('password');
      expect(created).not.toHaveProperty('passwordCipher');

      await h.api.request('trunks.create', {
        name: 'backup',
        uri: 'ws://10.0.0.5:5066',
        domain: '10.0.0.5',
        role: 'backup',
        maxConcurrentCalls: 5,
      });
      const listed = await h.api.request('trunks.list');
      expect(listed.secretStorage).toBe('key-file');
      expect(listed.trunks.map((t) => [t.name, t.role, t.hasPassword, t.username])).toEqual([
        ['main', 'primary', true, '1001'],
        ['backup', 'backup', false, null],
      ]);

      // Omitted password: unchanged; a new one: replaced; null: cleared.
      const renamed = await h.api.request('trunks.update', {
        name: 'main',
        changes: { name: 'carrier-a', maxConcurrentCalls: 12 },
      });
      expect(renamed).toMatchObject({
        id: created.id,
        name: 'carrier-a',
        maxConcurrentCalls: 12,
        hasPassword: true,
      });
      expect((await h.engine.trunks.resolve('carrier-a')).password).toBe(PASSWORD);
      await h.api.request('trunks.update', {
        name: 'carrier-a',
        changes: { password: 'second-secret' },
      });
      expect((await h.engine.trunks.resolve('carrier-a')).password).toBe('second-secret');
      const cleared = await h.api.request('trunks.update', {
        name: 'carrier-a',
        changes: { password: null, callerId: null },
      });
      expect(cleared).toMatchObject({ hasPassword: false, callerId: null, username: '1001' });
      expect(await h.engine.trunks.resolve(created.id)).toMatchObject({
        name: 'carrier-a',
        password: null,
        passwordCipher: null,
      });

      expect(await h.api.request('trunks.remove', { name: 'carrier-a' })).toEqual({
        name: 'carrier-a',
      });
      await expectApiError(
        h.api.request('trunks.remove', { name: 'carrier-a' }),
        'NOT_FOUND',
        /carrier-a/,
      );
      await expectApiError(
        h.api.request('trunks.update', { name: 'carrier-a', changes: { register: false } }),
        'NOT_FOUND',
        /carrier-a/,
      );
      expect((await h.api.request('trunks.list')).trunks.map((t) => t.name)).toEqual(['backup']);
      await expect.poll(() => lists).toEqual([1, 2, 2, 2, 2, 1]);
      off();

      for (const data of seen) expect(data).not.toContain(PASSWORD);
      // Stored and audited, but never in the clear.
      const audit = await h.engine.store.audit.list();
      expect(
        audit.filter((a) => a.action.startsWith('trunks.')).map((a) => [a.action, a.subject]),
      ).toEqual(
        expect.arrayContaining([
          ['trunks.create', 'main'],
          ['trunks.create', 'backup'],
          ['trunks.update', 'main'],
          ['trunks.update', 'carrier-a'],
          ['trunks.remove', 'carrier-a'],
        ]),
      );
      expect(JSON.stringify(audit)).not.toContain(PASSWORD);
      await h.api.request('trunks.remove', { name: 'backup' });
    });

    it('stores the password only as cipher text', async () => {
      await h.api.request('trunks.create', { ...main, name: 'cipher-check' });
      const stored = await h.engine.store.trunks.getByName('cipher-check');
      expect(stored?.passwordCipher).toMatch(/^v1:/);
      expect(stored?.passwordCipher).not.toContain(PASSWORD);
      const raw = await h.sendRaw({
        type: 'request',
        id: 'list',
        command: 'trunks.list',
        params: {},
      });
      expect(JSON.stringify(raw)).not.toContain(PASSWORD);
      expect(JSON.stringify(raw)).not.toContain(stored!.passwordCipher!);
      await h.api.request('trunks.remove', { name: 'cipher-check' });
    });

    it('refuses a duplicate name as CONFLICT on the name field', async () => {
      await h.api.request('trunks.create', { ...main, name: 'dup' });
      const error = await expectApiError(
        h.api.request('trunks.create', { ...main, name: 'dup' }),
        'CONFLICT',
        /A trunk named "dup" already exists/,
      );
      expect(error.field).toBe('name');
      await h.api.request('trunks.create', { ...main, name: 'dup-2' });
      const renamed = await expectApiError(
        h.api.request('trunks.update', { name: 'dup-2', changes: { name: 'dup' } }),
        'CONFLICT',
        /"dup"/,
      );
      expect(renamed.field).toBe('changes.name');
      await h.api.request('trunks.remove', { name: 'dup' });
      await h.api.request('trunks.remove', { name: 'dup-2' });
    });

    it.each([
      [
        'a sip: uri',
        { uri: 'sip:pbx.example.com' },
        'uri',
        /uri: must start with ws:\/\/ or wss:\/\/ \(got sip:pbx\.example\.com\)/,
      ],
      [
        'an http uri',
        { uri: 'https://pbx.example.com/ws' },
        'uri',
        /must start with ws:\/\/ or wss:\/\//,
      ],
      ['a uri without a host', { uri: 'wss://' }, 'uri', /uri: /],
      ['a uri with a query', { uri: 'wss://pbx.example.com/ws?token=1' }, 'uri', /no \?query/],
      [
        'a uri with credentials',
        { uri: 'wss://u:p@pbx.example.com/ws' },
        'uri',
        /user name or password/,
      ],
      [
        'a domain with a scheme',
        { domain: 'sip:pbx.example.com' },
        'domain',
        /domain: must be a host name or IP address/,
      ],
      [
        'a domain with a port',
        { domain: 'pbx.example.com:5060' },
        'domain',
        /without sip: or a port/,
      ],
      ['an empty name', { name: '  ' }, 'name', /name: is required/],
      ['a long name', { name: 'x'.repeat(65) }, 'name', /at most 64/],
      ['too many calls', { maxConcurrentCalls: 501 }, 'maxConcurrentCalls', /at most 500/],
      ['no calls', { maxConcurrentCalls: 0 }, 'maxConcurrentCalls', /at least 1/],
      ['a caller id with spaces', { callerId: '021 0000' }, 'callerId', /digits/],
      ['a password without a username', { username: undefined }, 'password', /needs a username/],
      ['an unknown role', { role: 'tertiary' }, 'role', /role/],
      ['an unknown field', { transport: 'udp' }, undefined, /unknown field "transport"/],
    ])(
      'refuses %s as INVALID_PARAMS naming the field, and stores nothing',
      async (_case, override, field, pattern) => {
        const error = await expectApiError(
          h.api.request('trunks.create', { ...main, name: 'bad', ...override } as never),
          'INVALID_PARAMS',
          pattern,
        );
        expect(error.field).toBe(field);
        expect((await h.api.request('trunks.list')).trunks.map((t) => t.name)).not.toContain('bad');
      },
    );

    it('keeps a username while a password is stored', async () => {
      await h.api.request('trunks.create', { ...main, name: 'auth' });
      const error = await expectApiError(
        h.api.request('trunks.update', { name: 'auth', changes: { username: null } }),
        'INVALID_PARAMS',
        /clear the password too/,
      );
      expect(error.field).toBe('changes.username');
      const both = await h.api.request('trunks.update', {
        name: 'auth',
        changes: { username: null, password: null },
      });
      expect(both).toMatchObject({ username: null, hasPassword: false });
      const lone = await expectApiError(
        h.api.request('trunks.update', { name: 'auth', changes: { password: 'x' } }),
        'INVALID_PARAMS',
        /needs a username/,
      );
      expect(lone.field).toBe('changes.password');
      await h.api.request('trunks.remove', { name: 'auth' });
    });

    it('shows live health in the list and sends each change as trunk.health', async () => {
      const trunk = await h.api.request('trunks.create', { ...main, name: 'health' });
      const events: Array<[number, string, string | null]> = [];
      const off = h.api.on('trunk.health', ({ trunkId, health }) =>
        events.push([trunkId, health.state, health.reason]),
      );
      h.engine.trunkHealth.set(trunk.id, { state: 'connecting' });
      h.engine.trunkHealth.set(trunk.id, {
        state: 'down',
        reason: '401 Unauthorized',
        since: 1_234,
      });
      h.engine.trunkHealth.set(trunk.id, { state: 'down', reason: '401 Unauthorized' }); // unchanged: no event
      await expect
        .poll(() => events)
        .toEqual([
          [trunk.id, 'connecting', null],
          [trunk.id, 'down', '401 Unauthorized'],
        ]);
      const listed = (await h.api.request('trunks.list')).trunks.find((t) => t.name === 'health');
      expect(listed?.health).toEqual({ state: 'down', reason: '401 Unauthorized', since: 1_234 });
      off();
      await h.api.request('trunks.remove', { name: 'health' });
      expect(h.engine.trunkHealth.get(trunk.id)).toBeUndefined();
    });
  });

  describe('flows', () => {
    const sample = () =>
      structuredClone(APPOINTMENT_EN) as { nodes: Array<Record<string, unknown>>; name: string };

    it('lists the sample flows installed at start, and gets one with its versions and contact fields', async () => {
      const { flows } = await h.api.request('flows.list');
      expect(flows.map((f) => [f.name, f.language, f.latestVersion, f.versions])).toEqual([
        ['appointment-confirm-en', 'en', 1, 1],
        ['bill-reminder-zh', 'zh-CN', 1, 1],
      ]);
      // The engine's own trainer may already be training them (or not, without one).
      for (const f of flows)
        if (f.training) expect(f.training).toMatchObject({ flow: f.name, version: 1 });
      const detail = await h.api.request('flows.get', { name: 'appointment-confirm-en' });
      expect(detail).toMatchObject({
        name: 'appointment-confirm-en',
        title: 'Appointment confirmation',
        language: 'en',
        version: 1,
        latestVersion: 1,
      });
      expect(detail.definition).toEqual(APPOINTMENT_EN);
      expect(detail.versions).toEqual([
        { version: 1, createdAt: expect.any(Number), training: detail.training },
      ]);
      expect(detail.contactFields).toContainEqual({ name: 'clinic', default: 'Riverside Clinic' });
      await expectApiError(
        h.api.request('flows.get', { name: 'appointment-confirm-en', version: 9 }),
        'NOT_FOUND',
        /has no version 9 \(the latest is 1\)/,
      );
      await expectApiError(
        h.api.request('flows.get', { name: 'nope' }),
        'NOT_FOUND',
        /No flow named "nope"/,
      );
    });

    it('validates without throwing, naming the node and field of each problem', async () => {
      expect(await h.api.request('flows.validate', { definition: APPOINTMENT_EN })).toEqual({
        ok: true,
        issues: [],
        warnings: [],
      });
      const broken = sample();
      broken.nodes[0]!['next'] = 'nowhere';
      expect(await h.api.request('flows.validate', { definition: broken })).toMatchObject({
        ok: false,
        issues: [{ nodeId: 'greet', field: 'next', message: 'no node "nowhere"' }],
      });
      expect((await h.api.request('flows.validate', { definition: 42 })).ok).toBe(false);
    });

    it('refuses an invalid save with the issues in the error, keeps the previous version, and versions a real change', async () => {
      const changed: Array<[string, number]> = [];
      const off = h.api.on('flows.changed', ({ name, version }) => changed.push([name, version]));
      const broken = sample();
      broken.nodes[0]!['next'] = 'nowhere';
      const error = await expectApiError(
        h.api.request('flows.save', { definition: broken }),
        'INVALID_FLOW',
        /node "greet": next: no node "nowhere"/,
      );
      expect(error.details).toMatchObject({
        issues: [{ nodeId: 'greet', field: 'next', message: 'no node "nowhere"' }],
      });
      expect((await h.engine.flows.load('appointment-confirm-en')).version).toBe(1);

      expect(await h.api.request('flows.save', { definition: APPOINTMENT_EN })).toEqual({
        name: 'appointment-confirm-en',
        version: 1,
        created: false,
        newFlow: false,
      });
      const edited = { ...sample(), name: `Appointments (${_name})` };
      const saved = await h.api.request('flows.save', { definition: edited });
      expect(saved).toMatchObject({
        name: 'appointment-confirm-en',
        created: true,
        newFlow: false,
      });
      expect(saved.version).toBeGreaterThan(1);
      expect((await h.engine.flows.load('appointment-confirm-en')).flow.name).toBe(edited.name);
      expect((await h.engine.flows.load('appointment-confirm-en', 1)).flow.name).toBe(
        'Appointment confirmation',
      );
      await expect.poll(() => changed).toEqual([['appointment-confirm-en', saved.version]]);
      off();
    });

    it('queues a saved version for training and reports it as flow.training', async () => {
      const states: string[] = [];
      const off = h.api.on('flow.training', (t) => {
        if (t.flow === 'contract-flow') states.push(t.state);
      });
      // A quick stand-in (it runs after whatever the engine's own trainer is busy with).
      h.engine.setFlowTrainer({
        async train(_flow, onProgress) {
          onProgress?.({
            nodeId: 'confirm',
            nodesDone: 0,
            nodes: 1,
            stage: 'fit',
            done: 1,
            total: 1,
          });
          return { nodes: ['confirm'], elapsedMs: 1, cached: 0 };
        },
      });
      const saved = await h.api.request('flows.save', {
        definition: { ...sample(), id: 'contract-flow' },
      });
      expect(saved).toEqual({ name: 'contract-flow', version: 1, created: true, newFlow: true });
      await expect.poll(() => states[0]).toBe('queued'); // the save did not wait for training
      expect((await h.api.request('flows.get', { name: 'contract-flow' })).training).toMatchObject({
        flow: 'contract-flow',
        version: 1,
      });
      off();
    });

    it('runs a test chat turn by turn over the real dialog runtime', async () => {
      const contact = { name: 'Alex', appointment_date: 'Friday', appointment_time: '3 pm' };
      const start = await h.api.request('flows.chat.start', {
        name: 'appointment-confirm-en',
        version: 1,
        contact,
        timeZone: 'Europe/London',
      });
      expect(start).toMatchObject({ name: 'appointment-confirm-en', version: 1, ended: null });
      // The sample opens with the AI and recording disclosure, then the greeting and question.
      expect(start.turns.map((t) => t.nodeId)).toEqual(['$disclosure', 'greet', 'confirm']);
      expect(start.turns[0]?.text).toBe(
        'This call is from an automated AI assistant and is recorded.',
      );
      expect(start.turns[1]?.text).toContain('Hello Alex');
      await expectApiError(
        h.api.request('flows.chat.send', { chatId: start.chatId, text: 'yes', digits: '1' }),
        'INVALID_PARAMS',
        /exactly one of text, digits or silence/,
      );
      const silence = await h.api.request('flows.chat.send', {
        chatId: start.chatId,
        silence: true,
      });
      expect(silence.turns.map((t) => `${t.speaker}:${t.kind}`)).toEqual([
        'customer:silence',
        'system:no_input',
        'bot:prompt',
      ]);
      const yes = await h.api.request('flows.chat.send', { chatId: start.chatId, text: 'yes' });
      expect(yes.turns[0]).toMatchObject({
        speaker: 'customer',
        text: 'yes',
        intent: 'confirm',
        matchedBy: 'classifier',
      });
      expect(yes.ended).toEqual({ reason: 'hangup', disposition: 'confirmed' });
      await h.api.request('flows.chat.stop', { chatId: start.chatId });
      await expectApiError(
        h.api.request('flows.chat.send', { chatId: start.chatId, text: 'hello' }),
        'NOT_FOUND',
        /No test chat/,
      );
      await expectApiError(
        h.api.request('flows.chat.start', { name: 'nope' }),
        'NOT_FOUND',
        /No flow named "nope"/,
      );
      await expectApiError(
        h.api.request('flows.chat.start', {
          name: 'appointment-confirm-en',
          timeZone: 'Mars/Olympus',
        }),
        'INVALID_PARAMS',
        /IANA time zone/,
      );
    });

    it('evaluates a typed test set against a saved version; a bad line is named', async () => {
      const report = await h.api.request('flows.evaluate', {
        name: 'appointment-confirm-en',
        version: 1,
        tsv: 'talk to a person\tagent\nstop calling me\topt_out\nthe octopus painted a tractor\tnone',
        nodeId: 'confirm',
      });
      expect(report).toMatchObject({
        flow: 'appointment-confirm-en',
        version: 1,
        kind: 'text',
        lines: 3,
        inScope: 2,
        offTopic: 1,
      });
      expect(report.items.map((i) => [i.line, i.expected])).toEqual([
        [1, 'agent'],
        [2, 'opt_out'],
        [3, 'none'],
      ]);
      expect(report.items.slice(0, 2).map((i) => i.got)).toEqual(['agent', 'opt_out']);
      expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(3);
      expect(report.labels.at(-1)).toBe('none');
      await expectApiError(
        h.api.request('flows.evaluate', {
          name: 'appointment-confirm-en',
          tsv: 'yes\tmaybe\tconfirm',
        }),
        'INVALID_PARAMS',
        /line 1: "maybe" is not an intent of question "confirm"/,
      );
      await expectApiError(
        h.api.request('flows.evaluate', { name: 'nope', tsv: 'yes\tconfirm' }),
        'NOT_FOUND',
        /No flow named "nope"/,
      );
    });
  });

  it('numbers events so a client can tell when it missed one', async () => {
    // Every event counts (flow training may emit in the background meanwhile): one apart each.
    const seen: Array<{ event: string; seq: number }> = [];
    const off = h.engine.subscribe((message: EventMessage) =>
      seen.push({ event: message.event, seq: message.seq }),
    );
    await h.api.request('settings.update', { changes: { recordCalls: false } });
    await h.api.request('settings.update', { changes: { recordCalls: true } });
    off();
    expect(seen.filter((e) => e.event === 'settings.changed')).toHaveLength(2);
    seen.forEach((e, i) => {
      if (i > 0) expect(e.seq).toBe(seen[i - 1]!.seq + 1);
    });
  });

  describe('dnc', () => {
    it('adds numbers as E.164 in one go, lists and removes them, and refuses a request with one bad number whole', async () => {
      const added = await h.api.request('dnc.add', {
        numbers: [
          '138 0013 8000',
          { number: '+1 202 555 0100', reason: 'asked on the call' },
          '+86 138-0013-8000',
        ],
        reason: 'complaint',
      });
      expect(added).toEqual({
        numbers: ['+8613800138000', '+12025550100'],
        added: 2,
        alreadyListed: 0,
      });
      expect(await h.api.request('dnc.add', { numbers: ['2025550100'], region: 'US' })).toEqual({
        numbers: ['+12025550100'],
        added: 0,
        alreadyListed: 1,
      });
      const listed = (await h.api.request('dnc.list', {})).entries;
      expect(listed.map((e) => [e.phone, e.reason, e.source])).toEqual(
        expect.arrayContaining([
          ['+8613800138000', 'complaint', 'api'],
          ['+12025550100', 'asked on the call', 'api'],
        ]),
      );
      const bad = await expectApiError(
        h.api.request('dnc.add', { numbers: ['13900000000', 'nope'] }),
        'INVALID_PARAMS',
        /numbers\.1: invalid phone number "nope"/,
      );
      expect(bad.field).toBe('numbers.1');
      expect(await h.engine.store.dnc.has('+8613900000000')).toBe(false); // nothing half-added
      expect(
        (
          await expectApiError(
            h.api.request('dnc.add', { numbers: ['1'], region: 'ZZ' }),
            'INVALID_PARAMS',
          )
        ).field,
      ).toBe('region');
      expect(await h.api.request('dnc.remove', { number: '13800138000' })).toEqual({
        phone: '+8613800138000',
        removed: true,
      });
      expect(await h.api.request('dnc.remove', { number: '13800138000' })).toEqual({
        phone: '+8613800138000',
        removed: false,
      });
      await h.api.request('dnc.remove', { number: '+12025550100' });
      const audit = await h.engine.store.audit.list();
      expect(audit.filter((a) => a.action.startsWith('dnc.')).map((a) => a.action)).toEqual(
        expect.arrayContaining(['dnc.add', 'dnc.remove']),
      );
    });

    it('explains why a campaign’s contact is or is not called now, each reason with its code, text and data', async () => {
      const store = h.engine.store;
      const list = await store.contacts.createList({
        name: `explain-${Math.random()}`,
        defaultRegion: 'CN',
      });
      await store.contacts.upsertContacts(list.id, [{ phone: '+8613700137000', name: '赵六' }]);
      const always = Object.fromEntries(
        ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]]),
      );
      const open = await store.campaigns.create({
        name: `open-${list.id}`,
        listId: list.id,
        schedule: { timeZone: 'Asia/Shanghai', windows: always },
      });
      expect(
        await h.api.request('campaigns.explain', { campaign: open.name, phone: '137 0013 7000' }),
      ).toEqual({ callable: true, zone: 'Asia/Shanghai', reasons: [], nextEligibleAt: null });
      const closed = await store.campaigns.create({
        name: `closed-${list.id}`,
        listId: list.id,
        schedule: { timeZone: 'Asia/Shanghai', windows: {} },
      });
      await h.api.request('dnc.add', { numbers: ['13700137000'] });
      const explained = await h.api.request('campaigns.explain', {
        campaign: closed.name,
        phone: '+8613700137000',
      });
      expect(explained).toMatchObject({
        callable: false,
        zone: 'Asia/Shanghai',
        nextEligibleAt: null,
      });
      expect(explained.reasons.map((r) => [r.code, r.text])).toEqual([
        ['dnc', 'number is on the do-not-call list'],
        [
          'outside_window',
          expect.stringMatching(/^outside calling hours \(\d\d:\d\d \w{3} in Asia\/Shanghai\)$/),
        ],
      ]);
      expect(explained.reasons[1]?.data).toMatchObject({
        zone: 'Asia/Shanghai',
        nextWindowStart: null,
      });
      await h.api.request('dnc.remove', { number: '13700137000' });
      await expectApiError(
        h.api.request('campaigns.explain', { campaign: 'no-such-campaign', phone: '13700137000' }),
        'NOT_FOUND',
        /no-such-campaign/,
      );
      expect(
        (
          await expectApiError(
            h.api.request('campaigns.explain', { campaign: open.name, phone: 'abc' }),
            'INVALID_PARAMS',
          )
        ).field,
      ).toBe('phone');
      await expectApiError(
        h.api.request('campaigns.explain', { campaign: open.name, phone: '13900000001' }),
        'NOT_FOUND',
        /\+8613900000001/,
      );
      const broken = await store.campaigns.create({
        name: `broken-${list.id}`,
        listId: list.id,
        schedule: { timeZone: 'Asia/Shanghai', windows: { mon: [['25:00', '26:00']] } },
      });
      await expectApiError(
        h.api.request('campaigns.explain', { campaign: broken.name, phone: '13700137000' }),
        'CONFLICT',
        /schedule\.windows\.mon\.0\.0/,
      );
    });
  });
});
