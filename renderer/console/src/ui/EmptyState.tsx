import type { ReactNode } from 'react';

interface EmptyStateProps {
  testId: string;
  title: string;
  body: string;
  icon?: ReactNode;
  action?: ReactNode;
}

/** What the page will show and how it gets there, for when there is nothing yet. */
export function EmptyState({ testId, title, body, icon, action }: EmptyStateProps) {
  return (
    <div className="empty-state" data-testid={testId} role="status">
      {icon ? (
        <div className="empty-state-icon" aria-hidden="true">
          {icon}
        </div>
      ) : null}
      <h2 className="empty-state-title">{title}</h2>
      <p className="empty-state-body">{body}</p>
      {action ? <div className="empty-state-action">{action}</div> : null}
    </div>
  );
}
