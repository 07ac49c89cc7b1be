import { useTranslation } from 'react-i18next';

import type { FlowTraining } from '../../api/contract.js';
import { useFormat } from '../../i18n/format.js';
import { Badge, type Tone } from '../../ui/Badge.js';
import { trainingFraction } from './flowText.js';

const tones: Record<FlowTraining['state'], Tone> = {
  queued: 'neutral',
  training: 'active',
  ready: 'success',
  failed: 'danger',
};

/** A flow version's training state as a badge (for tables). */
export function TrainingBadge({ training }: { training: FlowTraining | null }) {
  const { t } = useTranslation();
  if (!training) return <span className="muted">{t('flows.training.none')}</span>;
  return (
    <Badge tone={tones[training.state]} testId="flow-training-badge">
      {t(`flows.training.${training.state}`)}
    </Badge>
  );
}

/** The state, and while training a progress bar fed by `flow.training` events: node x of y, stage. */
export function TrainingProgress({ training }: { training: FlowTraining | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const fraction = trainingFraction(training);
  const p = training?.progress;
  const text =
    training?.state === 'training' && p
      ? p.nodeId
        ? t('flows.training.progressNode', {
            done: format.number(Math.min(p.nodes, p.nodesDone + 1)),
            total: format.number(p.nodes),
            node: p.nodeId,
            stage: t(`flows.training.stage.${p.stage}`),
          })
        : t('flows.training.progress', {
            done: format.number(Math.min(p.nodes, p.nodesDone + 1)),
            total: format.number(p.nodes),
            stage: t(`flows.training.stage.${p.stage}`),
          })
      : null;
  return (
    <div className="training" data-testid="flow-training" data-state={training?.state ?? 'none'}>
      <div className="training-head">
        <span className="training-label">{t('flows.training.label')}</span>
        <TrainingBadge training={training} />
      </div>
      {fraction !== null && training?.state !== 'failed' ? (
        <progress
          className="training-bar"
          max={1}
          value={fraction}
          aria-label={t('flows.training.label')}
          data-testid="flow-training-bar"
        />
      ) : null}
      {text ? <p className="training-text muted">{text}</p> : null}
      {training?.state === 'failed' && training.error ? (
        <p className="field-error">{t('flows.training.failedReason', { error: training.error })}</p>
      ) : null}
    </div>
  );
}
