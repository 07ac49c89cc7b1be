/**
 * The console's sign-in (issue 13). Every connection starts signed out: once connected, the gate
 * asks auth.status, takes up this tab's session (its token in sessionStorage, so a reload or a
 * reconnect keeps the user signed in, and two tabs can be two users), or shows the first-admin
 * form (no admin yet) or the sign-in form. The pages render only while signed in; a session that
 * ends (sign-out, idle expiry, an admin's change) brings the sign-in form back.
 */
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { WhoAmI } from '../../api/contract.js';
import { useApi, useConnection } from '../../api/hooks.js';
import { AuthContext } from './context.js';
import { SignInPage } from './SignInPage.js';

const SESSION_KEY = 'outbound.session';
/** How often a signed-in console checks that its session still holds (it does not extend it). */
const CHECK_MS = 30_000;

type Phase =
  | { kind: 'checking' }
  | { kind: 'first-admin' }
  | { kind: 'sign-in'; notice: string | null }
  | { kind: 'in'; user: WhoAmI };

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function AuthGate({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const api = useApi();
  const { status, epoch } = useConnection();
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  const generation = useRef(0);
  // The notices' text, read when shown: a language switch must not re-run the sign-in check
  // (that would unmount every page).
  const tRef = useRef(t);
  tRef.current = t;

  // On every (re)connection: a new socket is a new, signed-out connection.
  useEffect(() => {
    if (status !== 'connected') return;
    const asked = ++generation.current;
    const set = (next: Phase) => {
      if (asked === generation.current) setPhase(next);
    };
    setPhase({ kind: 'checking' });
    void (async () => {
      try {
        const state = await api.request('auth.status');
        if (state.user) return set({ kind: 'in', user: state.user });
        const token = storage()?.getItem(SESSION_KEY);
        if (token) {
          try {
            const { user } = await api.request('auth.resume', { token });
            return set({ kind: 'in', user });
          } catch {
            storage()?.removeItem(SESSION_KEY);
            if (!state.needsFirstAdmin)
              return set({ kind: 'sign-in', notice: tRef.current('auth.expired') });
          }
        }
        set(state.needsFirstAdmin ? { kind: 'first-admin' } : { kind: 'sign-in', notice: null });
      } catch {
        set({ kind: 'sign-in', notice: null });
      }
    })();
  }, [api, status, epoch]);

  // While signed in: notice a session that ended elsewhere (idle, an admin's change).
  useEffect(() => {
    if (phase.kind !== 'in' || status !== 'connected') return;
    const timer = setInterval(() => {
      api.request('auth.status').then(
        (state) => {
          if (!state.user) {
            storage()?.removeItem(SESSION_KEY);
            setPhase({ kind: 'sign-in', notice: tRef.current('auth.expired') });
          }
        },
        () => undefined,
      );
    }, CHECK_MS);
    return () => clearInterval(timer);
  }, [api, phase.kind, status]);

  const signedIn = useCallback((token: string, user: WhoAmI) => {
    storage()?.setItem(SESSION_KEY, token);
    generation.current++;
    setPhase({ kind: 'in', user });
  }, []);

  // The pages go at once: nothing of the user who left stays on screen while the server answers.
  const signOut = useCallback(async () => {
    storage()?.removeItem(SESSION_KEY);
    generation.current++;
    setPhase({ kind: 'sign-in', notice: null });
    await api.request('auth.signOut').catch(() => undefined);
  }, [api]);

  const user = phase.kind === 'in' ? phase.user : null;
  const value = useMemo(() => ({ user, signOut }), [user, signOut]);

  // Not connected: the app shows why (its connection banner); nothing is requested meanwhile.
  if (status !== 'connected' || phase.kind === 'in')
    return <AuthContext value={value}>{children}</AuthContext>;
  if (phase.kind === 'checking')
    return (
      <p className="muted auth-checking" data-testid="auth-checking">
        {t('auth.checking')}
      </p>
    );
  return (
    <SignInPage
      firstAdmin={phase.kind === 'first-admin'}
      notice={phase.kind === 'sign-in' ? phase.notice : null}
      onSignedIn={signedIn}
    />
  );
}
