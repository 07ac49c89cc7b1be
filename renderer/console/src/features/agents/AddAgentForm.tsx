import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { AgentRole } from '../../api/contract.js';
import { errorField, fieldMessage } from '../../api/errors.js';
import { useMutation } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Field, fieldAria } from '../../ui/Field.js';

type FormField = 'username' | 'displayName' | 'role' | 'skills';
const FORM_FIELDS: readonly FormField[] = ['username', 'displayName', 'role', 'skills'];

interface Draft {
  username: string;
  displayName: string;
  role: AgentRole;
  skills: string;
}
const EMPTY: Draft = { username: '', displayName: '', role: 'agent', skills: '' };

/** "billing, vip，投诉" → ["billing", "vip", "投诉"] (ASCII and full-width commas). */
export function parseSkills(text: string): string[] {
  return text
    .split(/[,，、]/)
    .map((skill) => skill.trim())
    .filter((skill) => skill !== '');
}

/** The field an agents.create error is about: `skills.2` belongs to the skills box. */
function formFieldOf(field: string | undefined): FormField | null {
  const head = field?.split('.')[0];
  return (FORM_FIELDS as readonly (string | undefined)[]).includes(head)
    ? (head as FormField)
    : null;
}

export function AddAgentForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const ids = {
    username: `${id}-username`,
    displayName: `${id}-displayName`,
    role: `${id}-role`,
    skills: `${id}-skills`,
  };
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [createdName, setCreatedName] = useState<string | null>(null);
  const create = useMutation('agents.create');

  const errorFor = create.error ? formFieldOf(errorField(create.error)) : null;
  const messageFor = (field: FormField) =>
    create.error && errorFor === field ? fieldMessage(create.error) : null;

  const update = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((previous) => ({ ...previous, [key]: value }));
    setCreatedName(null);
    if (errorFor === key) create.reset(); // The message was about the old value.
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCreatedName(null);
    // The engine validates; its message is shown next to the field it names.
    const agent = await create.run({
      username: draft.username.trim(),
      displayName: draft.displayName,
      role: draft.role,
      skills: parseSkills(draft.skills),
    });
    if (agent) {
      setDraft(EMPTY);
      setCreatedName(agent.displayName);
      onCreated();
    }
  };

  const usernameError = messageFor('username');
  const displayNameError = messageFor('displayName');
  const roleError = messageFor('role');
  const skillsError = messageFor('skills');

  return (
    <form
      className="card form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      data-testid="agent-form"
    >
      <h2 id={`${id}-title`} className="card-title">
        {t('agents.form.title')}
      </h2>
      <Field
        htmlFor={ids.username}
        label={t('agents.form.username')}
        help={t('agents.form.usernameHelp')}
        error={usernameError}
        errorTestId="agent-error-username"
      >
        <input
          id={ids.username}
          className="input mono"
          value={draft.username}
          onChange={(event) => update('username', event.target.value)}
          placeholder={t('agents.form.usernamePlaceholder')}
          autoComplete="off"
          spellCheck={false}
          aria-required="true"
          data-testid="agent-username"
          {...fieldAria(ids.username, true, usernameError)}
        />
      </Field>
      <Field
        htmlFor={ids.displayName}
        label={t('agents.form.displayName')}
        error={displayNameError}
        errorTestId="agent-error-displayName"
      >
        <input
          id={ids.displayName}
          className="input"
          value={draft.displayName}
          onChange={(event) => update('displayName', event.target.value)}
          placeholder={t('agents.form.displayNamePlaceholder')}
          autoComplete="off"
          aria-required="true"
          data-testid="agent-displayName"
          {...fieldAria(ids.displayName, false, displayNameError)}
        />
      </Field>
      <Field
        htmlFor={ids.role}
        label={t('agents.form.role')}
        error={roleError}
        errorTestId="agent-error-role"
      >
        <select
          id={ids.role}
          className="input"
          value={draft.role}
          onChange={(event) => update('role', AgentRole.parse(event.target.value))}
          data-testid="agent-role"
          {...fieldAria(ids.role, false, roleError)}
        >
          {AgentRole.options.map((role) => (
            <option key={role} value={role}>
              {t(`agentRole.${role}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field
        htmlFor={ids.skills}
        label={t('agents.form.skills')}
        help={t('agents.form.skillsHelp')}
        error={skillsError}
        errorTestId="agent-error-skills"
      >
        <input
          id={ids.skills}
          className="input"
          value={draft.skills}
          onChange={(event) => update('skills', event.target.value)}
          placeholder={t('agents.form.skillsPlaceholder')}
          autoComplete="off"
          data-testid="agent-skills"
          {...fieldAria(ids.skills, true, skillsError)}
        />
      </Field>

      {create.error && errorFor === null ? (
        <ErrorNotice
          error={create.error}
          title={t('agents.form.failed')}
          testId="agent-form-error"
        />
      ) : null}
      {createdName ? (
        <p className="notice notice-success" role="status" data-testid="agent-created">
          {t('agents.form.created', { name: createdName })}
        </p>
      ) : null}

      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={create.pending}
          data-testid="agent-submit"
        >
          {create.pending ? t('agents.form.submitting') : t('agents.form.submit')}
        </button>
      </div>
    </form>
  );
}
