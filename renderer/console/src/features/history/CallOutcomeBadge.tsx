import { useTranslation } from 'react-i18next';

import type { CallSummary } from '../../api/contract.js';
import { Badge } from '../../ui/Badge.js';
import { callStateTone, outcomeTone } from '../../ui/tones.js';

/** The outcome of a finished call, or its current state while it runs. */
export function CallOutcomeBadge({ call }: { call: CallSummary }) {
  const { t } = useTranslation();
  if (call.outcome)
    return <Badge tone={outcomeTone[call.outcome]}>{t(`outcome.${call.outcome}`)}</Badge>;
  return (
    <Badge tone={callStateTone[call.state]}>
      {call.state === 'done' ? t('callState.done') : t('history.inProgress')}
    </Badge>
  );
}
