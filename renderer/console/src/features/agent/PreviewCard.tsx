/**
 * The Agent desk's preview (issue 14 §2): the contact a preview campaign leased for this agent,
 * with its fields and earlier calls, a countdown to when it goes back to the campaign, Dial (the
 * call goes out; answered, it is this agent's call) and Skip with a reason. `usePreview` follows
 * the agent's own preview from `preview.current` and the `agent.preview*` events.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import {
  type AgentPreview,
  PREVIEW_SKIP_REASONS,
  type PreviewSkipReason,
} from '../../api/contract.js';
import { useCommand, useEvent, useMutation } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { Badge } from '../../ui/Badge.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { useNow } from '../../ui/hooks.js';
import { ContactFacts } from './ContactFacts.js';

/** The contact previewed for `agentId` now, or null. */
export function usePreview(agentId: number): AgentPreview | null {
  const current = useCommand('preview.current', { agentId });
  const [preview, setPreview] = useState<AgentPreview | null>(null);
  useEffect(() => {
    if (current.data) setPreview(current.data.preview);
  }, [current.data]);
  useEvent('agent.preview', (p) => {
    if (p.agentId === agentId) setPreview(p);
  });
  useEvent('agent.previewEnded', (ended) => {
    if (ended.agentId === agentId) setPreview((p) => (p && p.callId === ended.callId ? null : p));
  });
  return preview;
}

export function PreviewCard({ preview }: { preview: AgentPreview }) {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow(250);
  const dial = useMutation('preview.dial');
  const skip = useMutation('preview.skip');
  const [reason, setReason] = useState<PreviewSkipReason>('later');
  const dialing = preview.state === 'dialing';
  return (
    <div
      className="card"
      data-testid="agent-preview"
      data-call-id={preview.callId}
      data-state={preview.state}
      aria-label={t('agentDesk.preview.title')}
    >
      <h2 className="card-title">
        {t('agentDesk.preview.title')}{' '}
        {dialing ? (
          <Badge tone="active" testId="preview-dialing">
            {t('agentDesk.preview.dialing')}
          </Badge>
        ) : (
          <Badge tone="warning" testId="preview-countdown">
            {t('agentDesk.preview.expiresIn', {
              seconds: Math.max(0, Math.ceil((preview.expiresAt - now) / 1000)),
            })}
          </Badge>
        )}
      </h2>
      <ContactFacts
        contact={preview.contact}
        campaign={preview.campaignName}
        testIds={{
          list: 'preview-contact',
          name: 'preview-name',
          phone: 'preview-phone',
          fields: 'preview-fields',
        }}
      >
        <div className="details-row">
          <dt>{t('agentDesk.preview.attempt')}</dt>
          <dd data-testid="preview-attempt">{preview.attempt}</dd>
        </div>
      </ContactFacts>
      <h3 className="section-title" style={{ margin: '16px 0 8px' }}>
        {t('agentDesk.preview.history')}
      </h3>
      {preview.history.length === 0 ? (
        <p className="muted" data-testid="preview-no-history">
          {t('agentDesk.preview.noHistory')}
        </p>
      ) : (
        <table className="table" data-testid="preview-history">
          <thead>
            <tr>
              <th>{t('agentDesk.preview.when')}</th>
              <th>{t('agentDesk.preview.outcome')}</th>
              <th>{t('agentDesk.preview.disposition')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.history.map((call) => (
              <tr key={call.callId} data-testid="preview-history-row" data-call-id={call.callId}>
                <td>{format.dateTimeShort(call.startedAt)}</td>
                <td>{call.outcome ? t(`outcome.${call.outcome}`) : '—'}</td>
                <td>{call.disposition ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dial.error ? <ErrorNotice error={dial.error} /> : null}
      {skip.error ? <ErrorNotice error={skip.error} /> : null}
      <div className="form-actions" style={{ marginTop: 16 }}>
        <button
          type="button"
          className="button button-primary"
          disabled={dialing || dial.pending || skip.pending}
          data-testid="preview-dial"
          onClick={() => void dial.run({ agentId: preview.agentId, callId: preview.callId })}
        >
          {t('agentDesk.preview.dial')}
        </button>
        <select
          className="input"
          value={reason}
          disabled={dialing}
          aria-label={t('agentDesk.preview.skipReason')}
          data-testid="preview-skip-reason"
          onChange={(event) => setReason(event.target.value as PreviewSkipReason)}
        >
          {PREVIEW_SKIP_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`agentDesk.preview.reasons.${r}`)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button-secondary"
          disabled={dialing || dial.pending || skip.pending}
          data-testid="preview-skip"
          onClick={() =>
            void skip.run({ agentId: preview.agentId, callId: preview.callId, reason })
          }
        >
          {t('agentDesk.preview.skip')}
        </button>
      </div>
    </div>
  );
}
