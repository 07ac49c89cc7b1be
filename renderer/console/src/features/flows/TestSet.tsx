import { type ChangeEvent, type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ApiError, FlowEvalReport } from '../../api/contract.js';
import { toApiError } from '../../api/errors.js';
import { useApi } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';

interface TestSetProps {
  name: string;
  version: number;
  /** The flow's definition, for its questions (ask nodes). */
  definition: Record<string, unknown>;
}

/** The ask node ids of a definition (nodes by id, or an array of nodes with ids). */
function askNodeIds(definition: Record<string, unknown>): string[] {
  const nodes = definition['nodes'];
  const entries: Array<[string, unknown]> = Array.isArray(nodes)
    ? nodes.map((n: unknown) => [
        typeof n === 'object' && n !== null && typeof (n as { id?: unknown }).id === 'string'
          ? (n as { id: string }).id
          : '',
        n,
      ])
    : typeof nodes === 'object' && nodes !== null
      ? Object.entries(nodes)
      : [];
  return entries
    .filter(
      ([id, n]) =>
        id !== '' &&
        typeof n === 'object' &&
        n !== null &&
        (n as { kind?: unknown }).kind === 'ask',
    )
    .map(([id]) => id);
}

/**
 * The Flows page's test set: typed answers with the intent each should get, run through this flow
 * version's own understanding by the engine (flows.evaluate, as `outbound flow eval --text`), with
 * accuracy, false accepts, negation errors, the share it would confirm and the confusion matrix.
 */
export function TestSet({ name, version, definition }: TestSetProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const api = useApi();
  const id = useId();
  const questions = askNodeIds(definition);
  const [tsv, setTsv] = useState('');
  const [nodeId, setNodeId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [report, setReport] = useState<FlowEvalReport | null>(null);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setReport(
        await api.request('flows.evaluate', {
          name,
          version,
          tsv,
          ...(nodeId !== '' ? { nodeId } : {}),
        }),
      );
    } catch (caught) {
      setReport(null);
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  const upload = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) void file.text().then(setTsv);
  };

  const value = (rate: number | null, part: number, whole: number) =>
    rate === null
      ? '—'
      : t('flowTestSet.value', {
          percent: format.percent(rate),
          part: format.number(part),
          whole: format.number(whole),
        });
  const label = (intent: string) => (intent === 'none' ? t('flowTestSet.none') : intent);
  const wrong = report ? report.items.filter((i) => !i.correct) : [];

  return (
    <section className="card test-set" data-testid="flow-test-set">
      <h3 className="card-title">{t('flowTestSet.title')}</h3>
      <p className="muted">{t('flowTestSet.help')}</p>
      <form onSubmit={(event) => void run(event)} className="test-set-form">
        <label htmlFor={`${id}-tsv`}>{t('flowTestSet.tsv')}</label>
        <textarea
          id={`${id}-tsv`}
          className="input mono"
          rows={6}
          value={tsv}
          onChange={(event) => setTsv(event.target.value)}
          spellCheck={false}
          data-testid="test-set-tsv"
        />
        <label className="test-set-upload">
          <span>{t('flowTestSet.upload')}</span>
          <input
            type="file"
            accept=".tsv,.txt,text/tab-separated-values,text/plain"
            onChange={upload}
            data-testid="test-set-file"
          />
        </label>
        {questions.length > 1 ? (
          <label>
            <span>{t('flowTestSet.node')}</span>
            <select
              className="input"
              value={nodeId}
              onChange={(event) => setNodeId(event.target.value)}
              data-testid="test-set-node"
            >
              <option value="">—</option>
              {questions.map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || tsv.trim() === ''}
            data-testid="test-set-run"
          >
            {busy ? t('flowTestSet.running') : t('flowTestSet.run')}
          </button>
        </div>
      </form>
      {error ? <ErrorNotice error={error} title={t('flowTestSet.failed')} /> : null}
      {report ? (
        <div data-testid="test-set-report" data-lines={report.lines}>
          <p className="muted">
            {t('flowTestSet.summary', {
              version: report.version ?? version,
              lines: format.number(report.lines),
            })}
          </p>
          <dl className="test-set-figures">
            <div>
              <dt className="muted">{t('flowTestSet.accuracy')}</dt>
              <dd data-testid="test-set-accuracy" data-value={report.accuracy ?? ''}>
                {value(report.accuracy, report.correct, report.lines)}
              </dd>
            </div>
            <div>
              <dt className="muted">{t('flowTestSet.acceptedCorrect')}</dt>
              <dd data-testid="test-set-accepted-correct">
                {value(report.acceptedCorrectRate, report.acceptedCorrect, report.inScope)}
              </dd>
            </div>
            <div>
              <dt className="muted">{t('flowTestSet.falseAccepts')}</dt>
              <dd data-testid="test-set-false-accepts" data-count={report.falseAccepts}>
                {value(report.falseAcceptRate, report.falseAccepts, report.offTopic)}
              </dd>
            </div>
            <div>
              <dt className="muted">{t('flowTestSet.negationErrors')}</dt>
              <dd data-testid="test-set-negation-errors" data-count={report.negationErrors}>
                {t('flowTestSet.count', {
                  count: format.number(report.negationErrors),
                  whole: format.number(report.negated),
                })}
              </dd>
            </div>
            <div>
              <dt className="muted">{t('flowTestSet.wouldConfirm')}</dt>
              <dd data-testid="test-set-would-confirm">
                {value(report.uncertainShare, report.uncertain, report.lines)}
              </dd>
            </div>
          </dl>
          <div className="table-wrap">
            <table className="test-set-confusion" data-testid="test-set-confusion">
              <caption>{t('flowTestSet.confusion')}</caption>
              <thead>
                <tr>
                  <th scope="col" />
                  {report.labels.map((l) => (
                    <th key={l} scope="col" className="mono">
                      {label(l)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {report.labels.map((row, r) => (
                  <tr key={row} data-expected={row}>
                    <th scope="row" className="mono">
                      {label(row)}
                    </th>
                    {report.labels.map((col, c) => {
                      const n = report.confusion[r]?.[c] ?? 0;
                      return (
                        <td
                          key={col}
                          data-got={col}
                          className={n === 0 ? 'muted' : row === col ? 'cell-right' : 'cell-wrong'}
                        >
                          {format.number(n)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {wrong.length === 0 ? (
            <p className="muted">{t('flowTestSet.allRight')}</p>
          ) : (
            <details>
              <summary>
                {t('flowTestSet.wrong')} ({format.number(wrong.length)})
              </summary>
              <ul className="test-set-wrong" data-testid="test-set-wrong">
                {wrong.slice(0, 100).map((i) => (
                  <li key={`${i.line}-${i.input}`} data-line={i.line}>
                    {t('flowTestSet.wrongLine', {
                      line: i.line,
                      text: i.input,
                      node: i.nodeId,
                      expected: label(i.expected),
                      got: label(i.got),
                    })}
                    {i.uncertain ? (
                      <span className="tag tag-muted">{t('flowTestSet.confirmTag')}</span>
                    ) : null}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      ) : null}
    </section>
  );
}
