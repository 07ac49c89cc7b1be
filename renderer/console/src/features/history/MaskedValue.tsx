/**
 * A value the engine sent masked (138****5678, 张*丰) with a small "Show" button beside it for the
 * roles that may unmask (supervisors and admins: privacy.unmask in the role map). Showing asks the
 * engine for that one field of that one call, which the engine audits; "Hide" drops it again.
 * Agents and values that are not masked get the text alone.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { mayRun, type UnmaskField } from '../../api/contract.js';
import { useMutation } from '../../api/hooks.js';
import { useAuth } from '../auth/context.js';

export function MaskedValue({
  callId,
  field,
  value,
  testId,
}: {
  callId: string;
  field: UnmaskField;
  value: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const unmask = useMutation('privacy.unmask');
  const [shown, setShown] = useState<string | null>(null);
  const masked = value.includes('*');
  const allowed = masked && user !== null && mayRun(user.role, 'privacy.unmask');
  const kind = field.split('.')[0] as 'number' | 'contactName' | 'utterance';
  const onShow = async () => {
    const reply = await unmask.run({ callId, field });
    if (reply) setShown(reply.value ?? '');
  };
  return (
    <span className="masked-value">
      <span data-testid={testId}>{shown ?? value}</span>
      {allowed ? (
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => (shown === null ? void onShow() : setShown(null))}
          disabled={unmask.pending}
          aria-label={
            shown === null
              ? t('masking.showLabel', { field: t(`masking.fields.${kind}`) })
              : t('masking.hide')
          }
          data-testid={`${testId}-show`}
        >
          {shown === null ? t('masking.show') : t('masking.hide')}
        </button>
      ) : null}
      {unmask.error ? (
        <span className="field-error" role="alert">
          {t('masking.unmaskFailed')}
        </span>
      ) : null}
    </span>
  );
}

/**
 * Under a masked transcript line: "Show" asks for that line unmasked (`utterance.<index>`, the
 * line's place in calls.get's utterances) and shows it below the masked one; audited likewise.
 */
export function MaskedLine({
  callId,
  index,
  text,
}: {
  callId: string;
  index: number;
  text: string;
}) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const unmask = useMutation('privacy.unmask');
  const [shown, setShown] = useState<string | null>(null);
  if (index < 0 || !text.includes('*') || !user || !mayRun(user.role, 'privacy.unmask'))
    return null;
  const onShow = async () => {
    const reply = await unmask.run({ callId, field: `utterance.${index}` });
    if (reply) setShown(reply.value ?? '');
  };
  return (
    <span className="masked-value masked-line">
      {shown !== null ? <span data-testid="utterance-unmasked">{shown}</span> : null}
      <button
        type="button"
        className="button button-ghost button-small"
        onClick={(event) => {
          // The line itself seeks the recording when clicked; this button only shows or hides.
          event.stopPropagation();
          if (shown === null) void onShow();
          else setShown(null);
        }}
        disabled={unmask.pending}
        aria-label={
          shown === null
            ? t('masking.showLabel', { field: t('masking.fields.utterance') })
            : t('masking.hide')
        }
        data-testid="utterance-show"
      >
        {shown === null ? t('masking.show') : t('masking.hide')}
      </button>
      {unmask.error ? (
        <span className="field-error" role="alert">
          {t('masking.unmaskFailed')}
        </span>
      ) : null}
    </span>
  );
}
