/** Sign-in over a real SQLite store: hashing, no user enumeration, lockouts that expire, idle sessions, revocation. */
import { describe, expect, it } from 'vitest';

import { ApiError } from '../api/errors.js';
import { useTestStores } from '../store/testing/temp.js';
import { hashPassword, verifyPassword } from './password.js';
import { AuthService, FAILURE_WINDOW_MS, USER_FAILURE_LIMIT } from './service.js';

const where = { source: 'ws', address: '127.0.0.1' } as const;

async function refusal(work: Promise<unknown>): Promise<ApiError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('passwords', () => {
  it('hash with a random salt and verify only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain text')).toBe(false);
  });
});

describe('AuthService', () => {
  const stores = useTestStores();

  async function setup(idleMs = 30 * 60_000) {
    const store = await stores();
    let now = Date.now();
    const auth = new AuthService({
      store,
      idleMs: () => idleMs,
      now: () => now,
      limits: { perAddress: 8 },
    });
    return { store, auth, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('makes the first admin once, then signs in and out', async () => {
    const { store, auth } = await setup();
    expect(await auth.needsFirstAdmin()).toBe(true);
    const first = await auth.setupFirstAdmin({ username: 'boss', password: 'long enough' }, where);
    expect(auth.whoAmI(first.session)).toMatchObject({ username: 'boss', role: 'admin' });
    expect(await auth.needsFirstAdmin()).toBe(false);
    const again = await refusal(
      auth.setupFirstAdmin({ username: 'other', password: 'long enough' }, where),
    );
    expect(again.code).toBe('CONFLICT');
    const { token, session } = await auth.signIn('boss', 'long enough', where);
    expect(auth.principal(session, where)).toMatchObject({
      name: 'boss',
      role: 'admin',
      source: 'ws',
    });
    // The store keeps only the token's hash.
    expect(JSON.stringify(await store.database.all('SELECT * FROM sessions'))).not.toContain(token);
    expect((await auth.resume(token))?.user.username).toBe('boss');
    await auth.signOut(session);
    expect(await auth.resume(token)).toBeNull();
  });

  it('answers an unknown name exactly like a wrong password', async () => {
    const { auth } = await setup();
    await auth.setupFirstAdmin({ username: 'boss', password: 'long enough' }, where);
    const unknown = await refusal(auth.signIn('nobody', 'long enough', where));
    const wrong = await refusal(auth.signIn('boss', 'not the one', where));
    expect(unknown.toJSON()).toEqual(wrong.toJSON());
    expect(wrong.code).toBe('UNAUTHENTICATED');
  });

  it('locks a name after repeated failures, per name and per source, and the lockout expires', async () => {
    const { auth, advance } = await setup();
    await auth.setupFirstAdmin({ username: 'boss', password: 'long enough' }, where);
    for (let i = 0; i < USER_FAILURE_LIMIT; i++)
      await refusal(auth.signIn('boss', `wrong ${i}`, where));
    // Even the right password is refused now, from anywhere.
    const locked = await refusal(
      auth.signIn('boss', 'long enough', { source: 'ws', address: '127.0.0.2' }),
    );
    expect(locked.code).toBe('RATE_LIMITED');
    expect(locked.details?.retryAfterMs).toBeGreaterThan(0);
    // An unknown name locks the same way (no enumeration through the lockout).
    for (let i = 0; i < USER_FAILURE_LIMIT; i++) await refusal(auth.signIn('ghost', 'x', where));
    expect((await refusal(auth.signIn('ghost', 'x', where))).code).toBe('RATE_LIMITED');
    advance(FAILURE_WINDOW_MS + 1);
    expect((await auth.signIn('boss', 'long enough', where)).session.user.username).toBe('boss');
    // Per source: many names from one address.
    for (let i = 0; i < 8; i++)
      await refusal(auth.signIn(`name${i}`, 'x', { source: 'ws', address: '10.0.0.9' }));
    const bySource = await refusal(
      auth.signIn('boss', 'long enough', { source: 'ws', address: '10.0.0.9' }),
    );
    expect(bySource.code).toBe('RATE_LIMITED');
  });

  it('ends a session after the idle time, and keeps a used one alive', async () => {
    const { auth, advance } = await setup(60_000);
    const { token, session } = await auth.setupFirstAdmin(
      { username: 'boss', password: 'long enough' },
      where,
    );
    advance(50_000);
    expect(auth.use(session)).toBe(true);
    advance(50_000);
    expect(auth.use(session)).toBe(true);
    advance(60_001);
    expect(auth.use(session)).toBe(false);
    expect(session.ended).toBe('expired');
    expect(await auth.resume(token)).toBeNull();
  });

  it("ends a user's sessions when an admin disables them or resets their password, and keeps one admin", async () => {
    const { auth } = await setup();
    const admin = await auth.setupFirstAdmin({ username: 'boss', password: 'long enough' }, where);
    const ann = await auth.addUser(
      { username: 'ann', role: 'agent', password: 'agent pass 1' },
      'boss',
    );
    expect(ann).toMatchObject({
      username: 'ann',
      role: 'agent',
      hasPassword: true,
      disabled: false,
    });
    const signedIn = await auth.signIn('ann', 'agent pass 1', where);
    await auth.setDisabled(ann.id, true, 'boss');
    expect(auth.use(signedIn.session)).toBe(false);
    expect((await refusal(auth.signIn('ann', 'agent pass 1', where))).code).toBe('UNAUTHENTICATED');
    await auth.setDisabled(ann.id, false, 'boss');
    const again = await auth.signIn('ann', 'agent pass 1', where);
    await auth.resetPassword(ann.id, 'new password', 'boss');
    expect(auth.use(again.session)).toBe(false);
    expect((await auth.signIn('ann', 'new password', where)).session.user.role).toBe('agent');
    const last = await refusal(auth.setDisabled(admin.session.user.userId, true, 'boss'));
    expect(last.message).toMatch(/only admin/);
    expect(
      (await refusal(auth.addUser({ username: 'x', role: 'agent', password: 'short' }, 'boss')))
        .field,
    ).toBe('password');
  });
});
