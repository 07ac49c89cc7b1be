import { type ReactNode, useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { type ApiError, NONE_INTENT, type UtteranceLabel } from '../../api/contract.js';
import { useCommand, useMutation } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import type { TranscriptLine } from '../history/transcriptLines.js';

/**
 * History's labelling: for a finished call that ran a flow, each customer answer to a question
 * gets one button per intent of that question and "none of these"; one click labels it
 * (calls.labelUtterance: its clip joins the question's training recordings). Returns what the
 * transcript shows under a line, or undefined when the call has nothing to label.
 */
export function useUtteranceLabelling(
  callId: string,
  enabled: boolean,
): ((line: TranscriptLine) => ReactNode) | undefined {
  const info = useCommand('calls.labels', { callId }, { enabled });
  const label = useMutation('calls.labelUtterance');
  const [saved, setSaved] = useState<Record<number, UtteranceLabel>>({});
  const [failedAt, setFailedAt] = useState<number | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const data = info.data;
  const onLabel = useCallback(
    async (startMs: number, intent: string) => {
      setBusy(startMs);
      setFailedAt(null);
      const result = await label.run({ callId, startMs, intent });
      setBusy(null);
      if (result) setSaved((previous) => ({ ...previous, [startMs]: result }));
      else setFailedAt(startMs);
    },
    [callId, label],
  );
  if (!enabled || !data?.flow || data.nodes.length === 0) return undefined;
  const intentsOf = new Map(data.nodes.map((n) => [n.nodeId, n.intents]));
  const stored = new Map(data.labels.map((l) => [l.startMs, l]));
  return function LabelRow(line: TranscriptLine) {
    if (line.speaker !== 'customer' || line.nodeId === null) return null;
    const intents = intentsOf.get(line.nodeId);
    if (!intents) return null;
    const current = (saved[line.startMs] ?? stored.get(line.startMs))?.intent ?? null;
    return (
      <LabelButtons
        intents={intents}
        current={current}
        pending={busy === line.startMs}
        error={failedAt === line.startMs ? label.error : null}
        onLabel={(intent) => void onLabel(line.startMs, intent)}
      />
    );
  };
}

function LabelButtons({
  intents,
  current,
  pending,
  error,
  onLabel,
}: {
  intents: readonly string[];
  current: string | null;
  pending: boolean;
  error: ApiError | null;
  onLabel: (intent: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <div
      className="utterance-label"
      role="group"
      aria-label={t('labelling.group')}
      data-testid="utterance-label"
      data-labelled={current ?? undefined}
      // A click here labels; it must not also seek the player (the line's own click).
      onClick={(event) => event.stopPropagation()}
    >
      <span className="muted">{t('labelling.meant')}</span>
      {[...intents, NONE_INTENT].map((intent) => (
        <button
          key={intent}
          type="button"
          className={`button button-small ${current === intent ? 'button-primary' : 'button-secondary'}`}
          aria-pressed={current === intent}
          title={t('labelling.labelTitle', { intent })}
          disabled={pending}
          data-testid="label-intent"
          data-intent={intent}
          onClick={() => onLabel(intent)}
        >
          {intent === NONE_INTENT ? t('labelling.none') : intent}
        </button>
      ))}
      {current !== null ? (
        <span className="tag" role="status" data-testid="utterance-labelled">
          {t('labelling.labelled', {
            intent: current === NONE_INTENT ? t('labelling.none') : current,
          })}
        </span>
      ) : null}
      {error ? (
        <ErrorNotice error={error} title={t('labelling.labelFailed')} testId="label-error" />
      ) : null}
    </div>
  );
}
