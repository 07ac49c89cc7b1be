import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { TrunkRole, TrunkTransferMode } from '../../api/contract.js';
import { fieldMessage } from '../../api/errors.js';
import { useMutation } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Field, fieldAria } from '../../ui/Field.js';
import {
  EMPTY_TRUNK_DRAFT,
  toCreateParams,
  type TrunkDraft,
  type TrunkFormField,
  trunkFormFieldOf,
} from './trunkDraft.js';

/** Adds a trunk with trunks.create; the engine validates, and its message appears under the field it names. */
export function AddTrunkForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useTranslation();
  const idPrefix = useId();
  const id = (field: TrunkFormField) => `${idPrefix}-${field}`;
  const [draft, setDraft] = useState<TrunkDraft>(EMPTY_TRUNK_DRAFT);
  const [localError, setLocalError] = useState<TrunkFormField | null>(null);
  const [createdName, setCreatedName] = useState<string | null>(null);
  const create = useMutation('trunks.create');

  const apiField = create.error ? trunkFormFieldOf(create.error.field) : null;
  const errorFor = (field: TrunkFormField): string | null => {
    if (localError === field) return t('settings.trunks.form.enterWholeNumber');
    if (create.error && apiField === field) return fieldMessage(create.error);
    return null;
  };

  const update = <K extends keyof TrunkDraft>(key: K, value: TrunkDraft[K]) => {
    setDraft((previous) => ({ ...previous, [key]: value }));
    setCreatedName(null);
    if (localError === key) setLocalError(null);
    if (apiField === key) create.reset(); // The message was about the old value.
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCreatedName(null);
    create.reset();
    const result = toCreateParams(draft);
    if (!result.ok) {
      setLocalError(result.field);
      return;
    }
    setLocalError(null);
    const trunk = await create.run(result.params);
    if (trunk) {
      setDraft(EMPTY_TRUNK_DRAFT);
      setCreatedName(trunk.name);
      onCreated();
    }
  };

  /** Label, help and error around a control, plus the control's id, test id and ARIA wiring. */
  const field = (name: TrunkFormField, label: string, help?: string) => ({
    htmlFor: id(name),
    label,
    help,
    error: errorFor(name),
    errorTestId: `trunk-error-${name}`,
  });
  const control = (name: TrunkFormField, hasHelp = true) => ({
    id: id(name),
    'data-testid': `trunk-${name}`,
    ...fieldAria(id(name), hasHelp, errorFor(name)),
  });

  return (
    <form
      className="card form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${idPrefix}-title`}
      data-testid="trunk-form"
    >
      <h3 id={`${idPrefix}-title`} className="card-title">
        {t('settings.trunks.form.title')}
      </h3>
      <div className="form-grid form-grid-columns">
        <Field
          {...field('name', t('settings.trunks.form.name'), t('settings.trunks.form.nameHelp'))}
        >
          <input
            className="input"
            value={draft.name}
            onChange={(e) => update('name', e.target.value)}
            placeholder={t('settings.trunks.form.namePlaceholder')}
            autoComplete="off"
            aria-required="true"
            {...control('name')}
          />
        </Field>
        <Field {...field('uri', t('settings.trunks.form.uri'), t('settings.trunks.form.uriHelp'))}>
          <input
            className="input mono"
            value={draft.uri}
            onChange={(e) => update('uri', e.target.value)}
            placeholder={t('settings.trunks.form.uriPlaceholder')}
            autoComplete="off"
            spellCheck={false}
            inputMode="url"
            aria-required="true"
            {...control('uri')}
          />
        </Field>
        <Field
          {...field(
            'domain',
            t('settings.trunks.form.domain'),
            t('settings.trunks.form.domainHelp'),
          )}
        >
          <input
            className="input mono"
            value={draft.domain}
            onChange={(e) => update('domain', e.target.value)}
            placeholder={t('settings.trunks.form.domainPlaceholder')}
            autoComplete="off"
            spellCheck={false}
            aria-required="true"
            {...control('domain')}
          />
        </Field>
        <Field
          {...field(
            'username',
            t('settings.trunks.form.username'),
            t('settings.trunks.form.usernameHelp'),
          )}
        >
          <input
            className="input mono"
            value={draft.username}
            onChange={(e) => update('username', e.target.value)}
            autoComplete="off"
            spellCheck={false}
            {...control('username')}
          />
        </Field>
        <Field
          {...field(
            'password',
            t('settings.trunks.form.password'),
            t('settings.trunks.form.passwordHelp'),
          )}
        >
          <input
            className="input"
            type="password"
            value={draft.password}
            onChange={(e) => update('password', e.target.value)}
            autoComplete="new-password"
            {...control('password')}
          />
        </Field>
        <Field
          {...field(
            'callerId',
            t('settings.trunks.form.callerId'),
            t('settings.trunks.form.callerIdHelp'),
          )}
        >
          <input
            className="input mono"
            value={draft.callerId}
            onChange={(e) => update('callerId', e.target.value)}
            placeholder={t('settings.trunks.form.callerIdPlaceholder')}
            autoComplete="off"
            spellCheck={false}
            {...control('callerId')}
          />
        </Field>
        <Field
          {...field(
            'maxConcurrentCalls',
            t('settings.trunks.form.maxCalls'),
            t('settings.trunks.form.maxCallsHelp'),
          )}
        >
          <input
            className="input input-number"
            type="number"
            inputMode="numeric"
            min={1}
            max={500}
            step={1}
            value={draft.maxConcurrentCalls}
            onChange={(e) => update('maxConcurrentCalls', e.target.value)}
            {...control('maxConcurrentCalls')}
          />
        </Field>
        <Field
          {...field('role', t('settings.trunks.form.role'), t('settings.trunks.form.roleHelp'))}
        >
          <select
            className="input"
            value={draft.role}
            onChange={(e) => update('role', TrunkRole.parse(e.target.value))}
            {...control('role')}
          >
            {TrunkRole.options.map((role) => (
              <option key={role} value={role}>
                {t(`settings.trunks.role.${role}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          {...field(
            'transferMode',
            t('settings.trunks.form.transferMode'),
            t('settings.trunks.form.transferModeHelp'),
          )}
        >
          <select
            className="input"
            value={draft.transferMode}
            onChange={(e) => update('transferMode', TrunkTransferMode.parse(e.target.value))}
            {...control('transferMode')}
          >
            {TrunkTransferMode.options.map((mode) => (
              <option key={mode} value={mode}>
                {t(`settings.trunks.transferMode.${mode}`)}
              </option>
            ))}
          </select>
        </Field>
        <div
          className={
            errorFor('register') ? 'field field-checkbox has-error' : 'field field-checkbox'
          }
        >
          <div className="checkbox">
            <input
              type="checkbox"
              checked={draft.register}
              onChange={(e) => update('register', e.target.checked)}
              {...control('register')}
            />
            <label htmlFor={id('register')} className="field-label">
              {t('settings.trunks.form.register')}
            </label>
          </div>
          {errorFor('register') ? (
            <p
              className="field-error"
              id={`${id('register')}-error`}
              role="alert"
              data-testid="trunk-error-register"
            >
              {errorFor('register')}
            </p>
          ) : null}
          <p className="field-help" id={`${id('register')}-help`}>
            {t('settings.trunks.form.registerHelp')}
          </p>
        </div>
      </div>

      {create.error && apiField === null ? (
        <ErrorNotice
          error={create.error}
          title={t('settings.trunks.form.failed')}
          testId="trunk-form-error"
        />
      ) : null}
      {createdName ? (
        <p className="notice notice-success" role="status" data-testid="trunk-created">
          {t('settings.trunks.form.created', { name: createdName })}
        </p>
      ) : null}

      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={create.pending}
          data-testid="trunk-submit"
        >
          {create.pending ? t('settings.trunks.form.submitting') : t('settings.trunks.form.submit')}
        </button>
        {create.error || localError ? (
          <span className="form-status form-status-error" role="status" data-testid="trunk-failed">
            {t('settings.trunks.form.failed')}
          </span>
        ) : null}
      </div>
    </form>
  );
}
