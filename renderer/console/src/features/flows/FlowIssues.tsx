import { useTranslation } from 'react-i18next';

import type { FlowIssueView } from '../../api/contract.js';

interface FlowIssuesProps {
  issues: readonly FlowIssueView[];
  kind: 'error' | 'warning';
  /** Moves the editor's caret to the issue's node. */
  onGo: (issue: FlowIssueView) => void;
  testId: string;
}

/** Every problem with the node id and field it is in; each one jumps to its node in the editor. */
export function FlowIssues({ issues, kind, onGo, testId }: FlowIssuesProps) {
  const { t } = useTranslation();
  if (issues.length === 0) return null;
  return (
    <div className={`flow-issues flow-issues-${kind}`} data-testid={testId}>
      <h4>
        {kind === 'error'
          ? t('flows.editor.issuesTitle', { count: issues.length })
          : t('flows.editor.warningsTitle', { count: issues.length })}
      </h4>
      <ul>
        {issues.map((issue, index) => {
          const where =
            issue.nodeId === null
              ? t('flows.editor.flowLevel')
              : t('flows.editor.issueWhere', { node: issue.nodeId });
          return (
            <li
              key={`${issue.nodeId ?? ''}-${issue.field}-${index}`}
              data-testid="flow-issue"
              data-node={issue.nodeId ?? ''}
              data-field={issue.field}
            >
              <button
                type="button"
                className="link-button mono"
                onClick={() => onGo(issue)}
                aria-label={t('flows.editor.goTo', { where })}
              >
                {where}
                {issue.field ? ` · ${issue.field}` : ''}
              </button>{' '}
              <span>{issue.message}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
