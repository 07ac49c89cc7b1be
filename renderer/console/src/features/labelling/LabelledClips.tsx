import './labelling.css';

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { type LabelAccuracy, NONE_INTENT } from '../../api/contract.js';
import { useCommand, useEvent, useMutation } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';

/** How often the panel asks again while the clips are being recognized. */
const POLL_MS = 2_000;

/**
 * The Flows page's view of the labelling loop for one flow: the answers labelled in History, a
 * button that saves a new version training with them (flows.applyLabels), and the labelled clips'
 * accuracy with the version before and the latest (flows.labelAccuracy, recognized by the real
 * phrase models in the background; the panel asks again until it is done).
 */
export function LabelledClips({ name }: { name: string }) {
  const { t } = useTranslation();
  const labels = useCommand('flows.labels', { name });
  const apply = useMutation('flows.applyLabels');
  const [applied, setApplied] = useState<{
    version: number;
    created: boolean;
    clips: number;
    skipped: Array<{ clipPath: string; reason: string }>;
  } | null>(null);
  // A new version, or one finishing its training, changes what the accuracy compares.
  const [trainedAt, setTrainedAt] = useState(0);
  useEvent('flows.changed', (event) => {
    if (event.name === name) labels.reload();
  });
  useEvent('flow.training', (event) => {
    if (event.flow === name && (event.state === 'ready' || event.state === 'failed'))
      setTrainedAt(event.at);
  });
  const data = labels.data;
  if (labels.error) return <ErrorNotice error={labels.error} onRetry={labels.reload} />;
  if (!data) return null;
  const pending = data.labels.filter((l) => !l.inLatest).length;
  return (
    <section
      className="labelled-clips"
      data-testid="labelled-clips"
      aria-label={t('labelling.panel.title')}
    >
      <h3>{t('labelling.panel.title')}</h3>
      {data.labels.length === 0 ? (
        <p className="muted" data-testid="labelled-clips-empty">
          {t('labelling.panel.empty')}
        </p>
      ) : (
        <>
          <p data-testid="labelled-clips-count" data-pending={pending}>
            {t('labelling.panel.count', {
              count: data.labels.length,
              pending,
              version: data.latestVersion,
            })}
          </p>
          <div>
            <button
              type="button"
              className="button button-secondary"
              disabled={apply.pending || pending === 0}
              data-testid="labelled-clips-apply"
              onClick={() =>
                void apply.run({ name }).then((result) => {
                  if (result) setApplied(result);
                  labels.reload();
                })
              }
            >
              {apply.pending ? t('labelling.panel.applying') : t('labelling.panel.apply')}
            </button>
          </div>
          {apply.error ? (
            <ErrorNotice error={apply.error} title={t('labelling.panel.applyFailed')} />
          ) : null}
          {applied ? (
            <div role="status" data-testid="labelled-clips-applied">
              <p>
                {applied.created
                  ? t('labelling.panel.applied', { version: applied.version, clips: applied.clips })
                  : t('labelling.panel.unchanged', { version: applied.version })}
              </p>
              {applied.skipped.map((s) => (
                <p key={s.clipPath} className="muted">
                  {t('labelling.panel.skipped', { clipPath: s.clipPath, reason: s.reason })}
                </p>
              ))}
            </div>
          ) : null}
          <Accuracy
            key={`${data.latestVersion}-${trainedAt}-${data.labels.length}`}
            name={name}
            version={data.latestVersion}
          />
        </>
      )}
    </section>
  );
}

/** Accuracy before and after, asked again every POLL_MS while the engine is still recognizing. */
function Accuracy({ name, version }: { name: string; version: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const accuracy = useCommand('flows.labelAccuracy', { name, version });
  const state = accuracy.data?.state;
  const reload = accuracy.reload;
  useEffect(() => {
    if (state !== 'running') return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [state, reload, accuracy.data]);
  if (accuracy.error) return <ErrorNotice error={accuracy.error} onRetry={accuracy.reload} />;
  const data = accuracy.data;
  if (!data) return null;
  const value = (v: LabelAccuracy['after']) =>
    v && v.accuracy !== null
      ? t('labelling.panel.value', {
          percent: format.percent(v.accuracy),
          correct: format.number(v.correct),
          total: format.number(v.total),
        })
      : '—';
  const heard = (r: LabelAccuracy['clips'][number]['after']) =>
    r ? (
      <span className={r.correct ? 'clip-correct' : 'clip-wrong'} data-correct={r.correct}>
        {t('labelling.panel.heard', {
          intent: r.intent === NONE_INTENT ? t('labelling.none') : r.intent,
          confidence: format.percent(r.confidence),
        })}
        {r.candidate
          ? ` ${t('labelling.panel.candidate', {
              intent: r.candidate.intent,
              confidence: format.percent(r.candidate.confidence),
            })}`
          : null}
      </span>
    ) : (
      '—'
    );
  return (
    <div data-testid="labelled-clips-accuracy" data-state={data.state}>
      <h3>{t('labelling.panel.accuracy')}</h3>
      {data.state === 'running' ? <p className="muted">{t('labelling.panel.running')}</p> : null}
      {data.state === 'failed' ? (
        <p className="field-error">{t('labelling.panel.failed', { error: data.error ?? '' })}</p>
      ) : null}
      {data.state === 'done' ? (
        <>
          <dl className="labelled-clips-accuracy">
            <div>
              <dt className="muted">
                {data.before
                  ? t('labelling.panel.before', { version: data.before.version })
                  : t('labelling.panel.noBefore')}
              </dt>
              <dd data-testid="accuracy-before">{value(data.before)}</dd>
            </div>
            <div>
              <dt className="muted">
                {data.after ? t('labelling.panel.after', { version: data.after.version }) : ''}
              </dt>
              <dd data-testid="accuracy-after">{value(data.after)}</dd>
            </div>
          </dl>
          <table aria-label={t('labelling.panel.clips')}>
            <thead>
              <tr>
                <th>{t('labelling.panel.columns.node')}</th>
                <th>{t('labelling.panel.columns.expected')}</th>
                <th>{t('labelling.panel.columns.before')}</th>
                <th>{t('labelling.panel.columns.after')}</th>
              </tr>
            </thead>
            <tbody>
              {data.clips.map((c) => (
                <tr key={c.clipPath} data-testid="labelled-clip" title={c.clipPath}>
                  <td className="mono">{c.nodeId}</td>
                  <td>{c.expected === NONE_INTENT ? t('labelling.none') : c.expected}</td>
                  <td>{heard(c.before)}</td>
                  <td>{heard(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
