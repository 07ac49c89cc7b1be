/**
 * A supervisor's controls on one live call: Listen, Whisper (only when an agent has the call),
 * Barge (on a bot call it takes the call from the bot, so it asks first) and Leave. The current
 * mode comes from the call itself (`supervision` on call.updated), so every console shows it and a
 * mode switch never drops the call. Used on each Live wall row and in the call's detail.
 */
import type { MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';

import type { LiveCall, SupervisionMode } from '../../api/contract.js';
import { useMutation } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';

const UP_STATES: ReadonlySet<LiveCall['state']> = new Set([
  'answered',
  'bot',
  'transferring',
  'agent',
]);
const MODES: readonly SupervisionMode[] = ['listen', 'whisper', 'barge'];

export function SuperviseControls({
  call,
  compact = false,
}: {
  call: LiveCall;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const supervise = useMutation('calls.supervise');
  const leave = useMutation('calls.unsupervise');
  const mode = call.supervision?.mode ?? null;
  if (!UP_STATES.has(call.state)) return null;
  // Whisper coaches an agent: offered only while an agent (not a supervisor's takeover) has the call.
  const agentHas = call.state === 'agent' && Boolean(call.agentName);
  const pending = supervise.pending || leave.pending;
  const error = supervise.error ?? leave.error;
  const stop = (event: MouseEvent) => event.stopPropagation(); // the row's click opens the detail
  const buttonClass = compact ? 'button button-secondary button-small' : 'button button-secondary';
  return (
    <div
      className="supervise-controls"
      role="group"
      aria-label={t('supervise.label')}
      data-testid="supervise-controls"
      data-call-id={call.id}
      data-mode={mode ?? 'none'}
      onClick={stop}
    >
      {MODES.map((m) =>
        m === 'whisper' && !agentHas ? null : (
          <button
            key={m}
            type="button"
            className={mode === m ? `${buttonClass} is-active` : buttonClass}
            aria-pressed={mode === m}
            disabled={pending || mode === m}
            title={t(`supervise.help.${m}`)}
            data-testid={`supervise-${m}`}
            onClick={() => {
              if (
                m === 'barge' &&
                call.state !== 'agent' &&
                !window.confirm(t('supervise.confirmTakeover'))
              )
                return;
              void supervise.run({ callId: call.id, mode: m });
            }}
          >
            {t(`supervise.modes.${m}`)}
          </button>
        ),
      )}
      {mode !== null ? (
        <button
          type="button"
          className={compact ? 'button button-danger button-small' : 'button button-danger'}
          disabled={pending}
          data-testid="supervise-leave"
          onClick={() => void leave.run({ callId: call.id })}
        >
          {t('supervise.leave')}
        </button>
      ) : null}
      {mode !== null && call.supervision ? (
        <span className="sr-only" data-testid="supervise-by">
          {t('supervise.by', { name: call.supervision.by, mode: t(`supervise.modes.${mode}`) })}
        </span>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </div>
  );
}
