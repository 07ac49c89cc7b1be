/**
 * A supervisor edits an agent's skills in place (agents.update); routing offers a queue's calls
 * only to agents with all its skills. Errors name the field, as the API reports them.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { fieldMessage } from '../../api/errors.js';
import { useMutation } from '../../api/hooks.js';

export function AgentSkillsCell({
  agentId,
  name,
  skills,
}: {
  agentId: number;
  name: string;
  skills: readonly string[];
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<string | null>(null);
  const update = useMutation('agents.update');
  if (editing === null) {
    return (
      <div className="tag-list">
        {skills.length === 0 ? (
          <span className="muted">{t('agents.noSkills')}</span>
        ) : (
          skills.map((skill) => (
            <span key={skill} className="tag">
              {skill}
            </span>
          ))
        )}
        <button
          type="button"
          className="link-button"
          onClick={() => setEditing(skills.join(', '))}
          data-testid="agent-edit-skills"
        >
          {t('agentDesk.supervisor.editSkills')}
        </button>
      </div>
    );
  }
  const save = async () => {
    const list = editing
      .split(/[,，;；]/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (await update.run({ agentId, skills: [...new Set(list)] })) setEditing(null);
  };
  return (
    <div className="toolbar">
      <input
        className="input"
        aria-label={t('agentDesk.supervisor.skillsLabel', { name })}
        value={editing}
        onChange={(e) => setEditing(e.target.value)}
        data-testid="agent-skills-input"
      />
      <button
        type="button"
        className="button button-small button-primary"
        disabled={update.pending}
        onClick={() => void save()}
        data-testid="agent-skills-save"
      >
        {t('agentDesk.supervisor.save')}
      </button>
      <button
        type="button"
        className="button button-small button-secondary"
        onClick={() => setEditing(null)}
      >
        {t('agentDesk.supervisor.cancel')}
      </button>
      {update.error ? (
        <p className="field-error" role="alert">
          {fieldMessage(update.error)}
        </p>
      ) : null}
    </div>
  );
}
