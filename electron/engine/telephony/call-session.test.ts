/**
 * No call without a row (issue 10), on a real SQLite store with a stand-in media host: a queued
 * call id the store does not know is never dialed, and a live call whose state change cannot be
 * stored is hung up with the reason instead of running on unrecorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Logger } from '../log.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite-store.js';
import { type CallRecorderLike, CallSession, type DialTrunk } from './call-session.js';
import type { MediaHostClient } from './media-host-client.js';

const TRUNK: DialTrunk = {
  id: 1,
  name: 'main',
  uri: 'ws://127.0.0.1:1',
  domain: 'example.test',
  username: null,
  password: null,
  register: false,
  callerId: null,
  maxConcurrentCalls: 5,
  role: 'primary',
  updatedAt: 0,
};

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbound-call-session-'));
  store = await openSqliteStore({ dataDir: dir });
  await store.trunks.create({
    name: 'main',
    uri: TRUNK.uri,
    domain: TRUNK.domain,
    username: null,
    passwordCipher: null,
    callerId: null,
    register: false,
    maxConcurrentCalls: 5,
    role: 'primary',
  });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function harness(callId: string, queued: boolean) {
  const requests: Array<{ command: string; params: unknown }> = [];
  const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const recorders: string[] = [];
  let hostAsked = 0;
  const client = {
    request: (command: string, params: unknown) => {
      requests.push({ command, params });
      return Promise.resolve({});
    },
    sendPlayback: () => undefined,
  } as unknown as MediaHostClient;
  const log: Logger = {
    info: () => undefined,
    warn: () => undefined,
    error: (message, fields) => errors.push({ message, ...(fields ? { fields } : {}) }),
  };
  const session = new CallSession(
    {
      store,
      log,
      host: () => {
        hostAsked++;
        return Promise.resolve(client);
      },
      ensureTrunk: () => Promise.resolve(),
      createRecorder: (id): CallRecorderLike | null => {
        recorders.push(id);
        return null;
      },
      relativePath: (path) => path,
      onEvent: () => undefined,
      onState: () => undefined,
      onEnded: () => undefined,
    },
    {
      callId,
      queued,
      channel: 1,
      number: '+8613900000001',
      trunks: [TRUNK],
      ringTimeoutMs: 30_000,
      rtpTimeoutMs: 15_000,
      startedAt: Date.now(),
    },
  );
  return { session, requests, errors, recorders, hostAsked: () => hostAsked };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('a call session and its row', () => {
  it('never dials a queued call id the store does not know', async () => {
    const h = harness('not-in-the-store', true);
    await expect(h.session.start()).rejects.toThrow(
      /Call not-in-the-store was not dialed: its queued row could not be stored as dialing \(Call "not-in-the-store" does not exist/,
    );
    await settle();
    expect(h.hostAsked()).toBe(0);
    expect(h.requests).toEqual([]);
    expect(await store.calls.get('not-in-the-store')).toBeNull();
  });

  it('dials a queued call whose row exists, moving it on to dialing', async () => {
    await store.calls.create({
      id: 'queued-1',
      number: '+8613900000001',
      startedAt: Date.now(),
      state: 'queued',
    });
    const h = harness('queued-1', true);
    await h.session.start();
    await settle();
    expect(h.requests.map((r) => r.command)).toEqual(['call.dial']);
    expect((await store.calls.get('queued-1'))?.state).toBe('dialing');
  });

  it('hangs up a live call whose state change cannot be stored, saying why, and records nothing for it', async () => {
    const h = harness('vanishing', false);
    await h.session.start();
    await settle();
    // The row disappears under the live call (as a second engine's recovery once made it do).
    await store.database.run("DELETE FROM calls WHERE id = 'vanishing'");
    const at = Date.now();
    const milestone = {
      callId: 'vanishing',
      at,
      sipCode: 200,
      sipReason: 'OK',
      originator: null,
      detail: null,
      stats: null,
    };
    h.session.onMilestone({ ...milestone, milestone: 'ringing', sipCode: 180 });
    await settle();
    expect(h.requests.map((r) => r.command)).toEqual(['call.dial', 'call.hangup']);
    expect(h.requests[1]!.params).toMatchObject({
      callId: 'vanishing',
      reason: expect.stringMatching(
        /^its state change to "ringing" could not be stored \(Call "vanishing" does not exist/,
      ) as unknown,
    });
    expect(h.errors.map((e) => e.message)).toContain(
      'A call state change could not be stored; ending the call',
    );
    // An answer arriving before the hang-up lands starts no recording for a call the store lost.
    h.session.onMilestone({ ...milestone, milestone: 'answered' });
    expect(h.recorders).toEqual([]);
  });
});
