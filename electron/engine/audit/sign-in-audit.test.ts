/**
 * Sign-in in the audit trail, over a real SQLite store and the real AuthService: the first admin,
 * refused sign-ins with why (never the password), a lockout, a sign-in and a sign-out, and an
 * admin's change to a user, each with who, role, source and address.
 */
import { describe, expect, it } from 'vitest';

import { AuthService } from '../auth/service.js';
import { useTestStores } from '../store/testing/temp.js';

const stores = useTestStores();
const where = { source: 'ws', address: '127.0.0.9' } as const;
const PASSWORD = 'a long enough password';

describe('sign-in in the audit trail', () => {
  it('records every attempt with who and from where, and never a password', async () => {
    const store = await stores();
    const auth = new AuthService({ store, idleMs: () => 60_000, limits: { perUser: 2 } });
    const first = await auth.setupFirstAdmin({ username: 'boss', password: PASSWORD }, where);
    await auth.signIn('boss', 'wrong password!', where).catch(() => null);
    await auth.signIn('nobody', PASSWORD, where).catch(() => null);
    const { session } = await auth.signIn('boss', PASSWORD, where);
    await auth.signOut(session, where);
    const admin = auth.principal(first.session, where);
    await auth.addUser({ username: 'ann', role: 'agent', password: PASSWORD }, admin);
    // Two failures for ann: the third attempt is locked out before any password check.
    await auth.signIn('ann', 'nope nope nope', where).catch(() => null);
    await auth.signIn('ann', 'nope nope nope', where).catch(() => null);
    await auth.signIn('ann', PASSWORD, where).catch(() => null);

    const entries = (await store.audit.list()).reverse();
    expect(
      entries.map((e) => [
        e.action,
        e.actor,
        e.actorId !== null,
        e.role,
        e.source,
        e.address,
        e.details,
      ]),
    ).toEqual([
      ['users.setupFirstAdmin', 'boss', true, 'admin', 'ws', '127.0.0.9', { role: 'admin' }],
      ['auth.signInFailed', 'boss', false, null, 'ws', '127.0.0.9', { reason: 'wrong password' }],
      ['auth.signInFailed', 'nobody', false, null, 'ws', '127.0.0.9', { reason: 'unknown user' }],
      ['auth.signIn', 'boss', true, 'admin', 'ws', '127.0.0.9', {}],
      ['auth.signOut', 'boss', true, 'admin', 'ws', '127.0.0.9', {}],
      ['users.add', 'boss', true, 'admin', 'ws', '127.0.0.9', { role: 'agent' }],
      ['auth.signInFailed', 'ann', false, null, 'ws', '127.0.0.9', { reason: 'wrong password' }],
      ['auth.signInFailed', 'ann', false, null, 'ws', '127.0.0.9', { reason: 'wrong password' }],
      ['auth.signInFailed', 'ann', false, null, 'ws', '127.0.0.9', { reason: 'locked out' }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
    expect(JSON.stringify(entries)).not.toContain('nope nope');
  });
});
