/**
 * The admin's Users page (issue 13): who can sign in and as what. Add a user with a password,
 * change a role, disable or enable, reset a password. Every change ends the user's sessions and is
 * in the audit trail.
 */
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { UserRole, UserView } from '../../api/contract.js';
import { useCommand, useEvent, useMutation } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Field } from '../../ui/Field.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';

const ROLES: UserRole[] = ['agent', 'supervisor', 'admin'];

export function UsersPage() {
  const { t } = useTranslation();
  const users = useCommand('users.list', {});
  useEvent('agents.changed', () => users.reload());
  const rows = users.data?.users ?? [];
  return (
    <Page name="users" title={t('users.title')} description={t('users.description')}>
      <div className="split">
        <div className="split-main">
          {users.error ? <ErrorNotice error={users.error} onRetry={users.reload} /> : null}
          {!users.data ? (
            users.error ? null : (
              <Loading />
            )
          ) : rows.length === 0 ? (
            <p className="muted">{t('users.empty')}</p>
          ) : (
            <table className="table" data-testid="users-table">
              <thead>
                <tr>
                  <th>{t('auth.username')}</th>
                  <th>{t('auth.displayName')}</th>
                  <th>{t('users.role')}</th>
                  <th>{t('users.state')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map((user) => (
                  <UserRow key={user.id} user={user} onChanged={users.reload} />
                ))}
              </tbody>
            </table>
          )}
        </div>
        <aside className="split-side">
          <AddUserForm onAdded={users.reload} />
        </aside>
      </div>
    </Page>
  );
}

function UserRow({ user, onChanged }: { user: UserView; onChanged: () => void }) {
  const { t } = useTranslation();
  const update = useMutation('users.update');
  const disable = useMutation('users.disable');
  const reset = useMutation('users.resetPassword');
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const error = update.error ?? disable.error ?? reset.error;
  return (
    <tr data-testid={`user-row-${user.username}`}>
      <td>{user.username}</td>
      <td>{user.displayName}</td>
      <td>
        <select
          className="input"
          aria-label={t('users.role')}
          value={user.role}
          onChange={(e) =>
            void update.run({ id: user.id, role: e.target.value as UserRole }).then(onChanged)
          }
          data-testid={`user-role-${user.username}`}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {t(`agentRole.${role}`)}
            </option>
          ))}
        </select>
      </td>
      <td data-testid={`user-state-${user.username}`}>
        {user.disabled
          ? t('users.disabled')
          : user.hasPassword
            ? t('users.canSignIn')
            : t('users.noPassword')}
      </td>
      <td>
        <button
          type="button"
          className="button button-small button-secondary"
          onClick={() =>
            void disable.run({ id: user.id, disabled: !user.disabled }).then(onChanged)
          }
          data-testid={`user-disable-${user.username}`}
        >
          {user.disabled ? t('users.enable') : t('users.disable')}
        </button>{' '}
        {resetting ? (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void reset.run({ id: user.id, password }).then((result) => {
                if (!result) return;
                setResetting(false);
                setPassword('');
                setDone(t('users.passwordReset', { name: user.username }));
              });
            }}
          >
            <input
              className="input"
              type="password"
              autoComplete="new-password"
              aria-label={t('users.newPassword')}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid={`user-new-password-${user.username}`}
            />
            <button type="submit" className="button button-small button-primary">
              {t('users.save')}
            </button>
            <button
              type="button"
              className="button button-small button-secondary"
              onClick={() => setResetting(false)}
            >
              {t('users.cancel')}
            </button>
          </form>
        ) : (
          <button
            type="button"
            className="button button-small button-secondary"
            onClick={() => setResetting(true)}
            data-testid={`user-reset-${user.username}`}
          >
            {t('users.resetPassword')}
          </button>
        )}
        {done ? <p className="muted">{done}</p> : null}
        {error ? <ErrorNotice error={error} /> : null}
      </td>
    </tr>
  );
}

function AddUserForm({ onAdded }: { onAdded: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const add = useMutation('users.add');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<UserRole>('agent');
  const [password, setPassword] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const user = await add.run({
      username,
      role,
      password,
      ...(displayName.trim() ? { displayName } : {}),
    });
    if (!user) return;
    setAdded(t('users.added', { name: user.username }));
    setUsername('');
    setDisplayName('');
    setPassword('');
    onAdded();
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="add-user-form">
      <h2>{t('users.add')}</h2>
      <Field htmlFor={`${id}-user`} label={t('auth.username')}>
        <input
          id={`${id}-user`}
          className="input"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          data-testid="add-user-username"
        />
      </Field>
      <Field htmlFor={`${id}-name`} label={t('auth.displayName')}>
        <input
          id={`${id}-name`}
          className="input"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          data-testid="add-user-display-name"
        />
      </Field>
      <Field htmlFor={`${id}-role`} label={t('users.role')}>
        <select
          id={`${id}-role`}
          className="input"
          value={role}
          onChange={(e) => setRole(e.target.value as UserRole)}
          data-testid="add-user-role"
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`agentRole.${r}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field htmlFor={`${id}-password`} label={t('auth.password')} help={t('auth.passwordHint')}>
        <input
          id={`${id}-password`}
          className="input"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="add-user-password"
        />
      </Field>
      {add.error ? <ErrorNotice error={add.error} /> : null}
      {added ? (
        <p className="muted" role="status" data-testid="add-user-done">
          {added}
        </p>
      ) : null}
      <button
        type="submit"
        className="button button-primary"
        disabled={add.pending}
        data-testid="add-user-submit"
      >
        {t('users.add')}
      </button>
    </form>
  );
}
