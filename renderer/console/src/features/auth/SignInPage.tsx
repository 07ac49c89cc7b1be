/** The sign-in form, or on a workspace with no admin yet, the first admin's form. */
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ApiError } from '../../api/contract.js';
import { type WhoAmI } from '../../api/contract.js';
import { toApiError } from '../../api/errors.js';
import { useApi } from '../../api/hooks.js';
import { Field } from '../../ui/Field.js';

export function SignInPage({
  firstAdmin,
  notice,
  onSignedIn,
}: {
  firstAdmin: boolean;
  notice: string | null;
  onSignedIn: (token: string, user: WhoAmI) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const describe = (caught: ApiError): string => {
    if (caught.code === 'UNAUTHENTICATED') return t('auth.wrongCredentials');
    if (caught.code === 'RATE_LIMITED') {
      const ms = Number(caught.details?.retryAfterMs ?? 60_000);
      return t('auth.rateLimited', { minutes: Math.max(1, Math.ceil(ms / 60_000)) });
    }
    return caught.message;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (firstAdmin && password !== confirm) {
      setError(t('auth.passwordsDiffer'));
      return;
    }
    setPending(true);
    try {
      const signed = firstAdmin
        ? await api.request('auth.setupFirstAdmin', {
            username,
            password,
            ...(displayName.trim() ? { displayName } : {}),
          })
        : await api.request('auth.signIn', { username, password });
      onSignedIn(signed.token, signed.user);
    } catch (caught) {
      setError(describe(toApiError(caught)));
      setPending(false);
    }
  };

  return (
    <main className="auth-page" data-testid={firstAdmin ? 'first-admin-page' : 'sign-in-page'}>
      <form className="card auth-card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>{t('app.name')}</h1>
        <h2>{firstAdmin ? t('auth.firstAdminTitle') : t('auth.signInTitle')}</h2>
        <p className="muted">{firstAdmin ? t('auth.firstAdminLead') : t('auth.signInLead')}</p>
        {notice ? (
          <p className="notice" role="status" data-testid="auth-notice">
            {notice}
          </p>
        ) : null}
        <Field htmlFor={`${id}-user`} label={t('auth.username')}>
          <input
            id={`${id}-user`}
            className="input"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            data-testid="auth-username"
            required
          />
        </Field>
        {firstAdmin ? (
          <Field htmlFor={`${id}-name`} label={t('auth.displayName')}>
            <input
              id={`${id}-name`}
              className="input"
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              data-testid="auth-display-name"
            />
          </Field>
        ) : null}
        <Field
          htmlFor={`${id}-password`}
          label={t('auth.password')}
          {...(firstAdmin ? { help: t('auth.passwordHint') } : {})}
        >
          <input
            id={`${id}-password`}
            className="input"
            type="password"
            autoComplete={firstAdmin ? 'new-password' : 'current-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="auth-password"
            required
          />
        </Field>
        {firstAdmin ? (
          <Field htmlFor={`${id}-confirm`} label={t('auth.confirmPassword')}>
            <input
              id={`${id}-confirm`}
              className="input"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              data-testid="auth-confirm"
              required
            />
          </Field>
        ) : null}
        {error ? (
          <p className="field-error" role="alert" data-testid="auth-error">
            {error}
          </p>
        ) : null}
        <button
          type="submit"
          className="button button-primary"
          disabled={pending || username.trim() === '' || password === ''}
          data-testid="auth-submit"
        >
          {firstAdmin ? t('auth.createAdmin') : t('auth.signIn')}
        </button>
      </form>
    </main>
  );
}
