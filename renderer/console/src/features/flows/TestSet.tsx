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

/** The figures of a part of the report (docs/FLOWS.md, "What the figures count"). */
type EvalFigures = NonNullable<FlowEvalReport['whole']>;
/** Figures with their confusion matrix and lines. */
type EvalPart = NonNullable<FlowEvalReport['library']>;

/**
 * One part's figures: accuracy, accepted-correct, false accepts over the lines expecting none and
 * over the lines tagged offtopic (or why there is no such figure), negation errors, would confirm.
 * `testId` prefixes each figure's test id (`test-set` for the flow's own questions).
 */
function Figures({ figures: f, testId }: { figures: EvalFigures; testId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const value = (rate: number | null, part: number, whole: number) =>
    rate === null
      ? '—'
      : t('flowTestSet.value', {
          percent: format.percent(rate),
          part: format.number(part),
          whole: format.number(whole),
        });
  return (
    <dl className="test-set-figures" data-testid={`${testId}-figures`}>
      <div>
        <dt className="muted">{t('flowTestSet.accuracy')}</dt>
        <dd data-testid={`${testId}-accuracy`} data-value={f.accuracy ?? ''}>
          {value(f.accuracy, f.correct, f.lines)}
        </dd>
      </div>
      <div>
        <dt className="muted">{t('flowTestSet.acceptedCorrect')}</dt>
        <dd data-testid={`${testId}-accepted-correct`}>
          {value(f.acceptedCorrectRate, f.acceptedCorrect, f.inScope)}
        </dd>
      </div>
      <div>
        <dt className="muted">{t('flowTestSet.falseAccepts')}</dt>
        <dd data-testid={`${testId}-false-accepts`} data-count={f.falseAccepts}>
          {value(f.falseAcceptRate, f.falseAccepts, f.offTopic)}
        </dd>
      </div>
      <div>
        <dt className="muted">{t('flowTestSet.offTopicFalseAccepts')}</dt>
        <dd
          data-testid={`${testId}-offtopic-false-accepts`}
          data-count={f.offTopicFalseAccepts}
          data-tagged={f.offTopicTagged}
        >
          {f.offTopicTagged === 0 ? (
            <span className="muted">{t('flowTestSet.noOffTopicTag')}</span>
          ) : (
            value(f.offTopicFalseAcceptRate, f.offTopicFalseAccepts, f.offTopicTagged)
          )}
        </dd>
      </div>
      <div>
        <dt className="muted" title={t('flowTestSet.negationErrorsHelp')}>
          {t('flowTestSet.negationErrors')}
        </dt>
        <dd data-testid={`${testId}-negation-errors`} data-count={f.negationErrors}>
          {t('flowTestSet.count', {
            count: format.number(f.negationErrors),
            whole: format.number(f.negated),
          })}
        </dd>
      </div>
      <div>
        <dt className="muted">{t('flowTestSet.wouldConfirm')}</dt>
        <dd data-testid={`${testId}-would-confirm`}>
          {value(f.uncertainShare, f.uncertain, f.lines)}
        </dd>
      </div>
    </dl>
  );
}

/** A part's confusion matrix: rows expected, columns understood, `none` last. */
function Confusion({
  part,
  testId,
  label,
}: {
  part: EvalPart;
  testId: string;
  label: (intent: string) => string;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <div className="table-wrap">
      <table className="test-set-confusion" data-testid={testId}>
        <caption>{t('flowTestSet.confusion')}</caption>
        <thead>
          <tr>
            <th scope="col" />
            {part.labels.map((l) => (
              <th key={l} scope="col" className="mono">
                {label(l)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {part.labels.map((row, r) => (
            <tr key={row} data-expected={row}>
              <th scope="row" className="mono">
                {label(row)}
              </th>
              {part.labels.map((col, c) => {
                const n = part.confusion[r]?.[c] ?? 0;
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
  );
}

/**
 * The Flows page's test set: typed answers with the intent each should get, run through this flow
 * version's own understanding by the engine (flows.evaluate, as `outbound flow eval --text`), with
 * accuracy, false accepts (all none lines, and the lines tagged offtopic), negation errors, the
 * share it would confirm and the confusion matrix; lines for the common-answer library on its own
 * (question `library`) in a part of their own, then the whole set's figures.
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

  const label = (intent: string) => (intent === 'none' ? t('flowTestSet.none') : intent);
  const wrong = report
    ? [...report.items, ...(report.library?.items ?? [])].filter((i) => !i.correct)
    : [];

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
              lines: format.number(report.whole?.lines ?? report.lines),
            })}
          </p>
          {report.library ? (
            <h4 className="test-set-part">
              {t('flowTestSet.partFlow', { lines: format.number(report.lines) })}
            </h4>
          ) : null}
          <Figures figures={report} testId="test-set" />
          <Confusion part={report} testId="test-set-confusion" label={label} />
          {report.library && report.whole ? (
            <>
              <h4 className="test-set-part">
                {t('flowTestSet.partLibrary', { lines: format.number(report.library.lines) })}
              </h4>
              <Figures figures={report.library} testId="test-set-library" />
              <Confusion part={report.library} testId="test-set-library-confusion" label={label} />
              <h4 className="test-set-part">
                {t('flowTestSet.partWhole', { lines: format.number(report.whole.lines) })}
              </h4>
              <Figures figures={report.whole} testId="test-set-whole" />
            </>
          ) : null}
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
                    {i.negationError ? (
                      <span className="tag">{t('flowTestSet.negationTag')}</span>
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
