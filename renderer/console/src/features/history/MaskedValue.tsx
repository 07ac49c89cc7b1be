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
  const unmask = useUnmask(callId, field, value);
  const kind = field.split('.')[0] as 'number' | 'contactName' | 'utterance';
  return (
    <span className="masked-value">
      <span data-testid={testId}>{unmask.shown ?? value}</span>
      {unmask.allowed ? <ShowToggle unmask={unmask} kind={kind} testId={`${testId}-show`} /> : null}
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
  const unmask = useUnmask(callId, `utterance.${index}`, text);
  if (index < 0 || !unmask.allowed) return null;
  return (
    <span className="masked-value masked-line">
      {unmask.shown !== null ? <span data-testid="utterance-unmasked">{unmask.shown}</span> : null}
      {/* The line itself seeks the recording when clicked; this button only shows or hides. */}
      <ShowToggle unmask={unmask} kind="utterance" testId="utterance-show" stopPropagation />
    </span>
  );
}

type Unmask = ReturnType<typeof useUnmask>;

/** One field of one call, shown unmasked on request (when the signed-in role may) and hidden again. */
function useUnmask(callId: string, field: UnmaskField, value: string) {
  const { user } = useAuth();
  const unmask = useMutation('privacy.unmask');
  const [shown, setShown] = useState<string | null>(null);
  const allowed = value.includes('*') && user !== null && mayRun(user.role, 'privacy.unmask');
  const toggle = async () => {
    if (shown !== null) return setShown(null);
    const reply = await unmask.run({ callId, field });
    if (reply) setShown(reply.value ?? '');
  };
  return { allowed, shown, toggle, pending: unmask.pending, failed: Boolean(unmask.error) };
}

function ShowToggle({
  unmask,
  kind,
  testId,
  stopPropagation = false,
}: {
  unmask: Unmask;
  kind: 'number' | 'contactName' | 'utterance';
  testId: string;
  stopPropagation?: boolean;
}) {
  const { t } = useTranslation();
  const hidden = unmask.shown === null;
  return (
    <>
      <button
        type="button"
        className="button button-ghost button-small"
        onClick={(event) => {
          if (stopPropagation) event.stopPropagation();
          void unmask.toggle();
        }}
        disabled={unmask.pending}
        aria-label={
          hidden
            ? t('masking.showLabel', { field: t(`masking.fields.${kind}`) })
            : t('masking.hide')
        }
        data-testid={testId}
      >
        {hidden ? t('masking.show') : t('masking.hide')}
      </button>
      {unmask.failed ? (
        <span className="field-error" role="alert">
          {t('masking.unmaskFailed')}
        </span>
      ) : null}
    </>
  );
}
