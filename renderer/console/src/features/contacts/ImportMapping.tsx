import { useId } from 'react';
import { useTranslation } from 'react-i18next';

import type { ContactListSummary, ImportPreview } from '../../api/contract.js';
import { useFormat } from '../../i18n/format.js';
import { Field, fieldAria } from '../../ui/Field.js';
import {
  COLUMN_CHOICES,
  type ColumnChoice,
  type ColumnDraft,
  type DraftProblem,
  type ImportDraft,
} from './importDraft.js';

interface Props {
  preview: ImportPreview;
  draft: ImportDraft;
  lists: readonly ContactListSummary[];
  problems: DraftProblem[];
  onChange: (draft: ImportDraft) => void;
  onStart: () => void;
  onCancel: () => void;
  pending: boolean;
}

/** Each column → a field (the engine's guess preselected, sample values beside it), the target list and the region. */
export function ImportMapping({
  preview,
  draft,
  lists,
  problems,
  onChange,
  onStart,
  onCancel,
  pending,
}: Props) {
  const { t } = useTranslation();
  const format = useFormat();
  const id = useId();
  const setColumn = (index: number, change: Partial<ColumnDraft>) =>
    onChange({
      ...draft,
      columns: draft.columns.map((c, i) => (i === index ? { ...c, ...change } : c)),
    });
  const columnProblem = (index: number): string | null => {
    for (const p of problems) {
      if (p.kind === 'customName' && p.column === index)
        return t('contacts.import.problems.customName');
      if (p.kind === 'duplicateField' && p.column === index)
        return t('contacts.import.problems.duplicateField', { field: p.field });
    }
    return null;
  };
  const listProblem = problems.find((p) => p.kind === 'list' || p.kind === 'listExists');
  const regionProblem = problems.some((p) => p.kind === 'region')
    ? t('contacts.import.problems.region')
    : null;
  const phoneProblem = problems.find((p) => p.kind === 'noPhone' || p.kind === 'twoPhones');

  return (
    <div className="import-mapping" data-testid="import-mapping">
      <p className="import-facts" data-testid="import-facts">
        {t('contacts.import.facts', {
          file: preview.fileName,
          format: preview.format.toUpperCase(),
          encoding: preview.encoding
            ? t(`contacts.import.encoding.${preview.encoding}`)
            : t('contacts.import.encoding.xlsx'),
          size: format.number(Math.max(1, Math.round(preview.bytes / 1024))),
        })}{' '}
        {preview.rowEstimate === null
          ? t('contacts.import.rowsUnknown')
          : preview.rowEstimateExact
            ? t('contacts.import.rowsExact', { rows: format.number(preview.rowEstimate) })
            : t('contacts.import.rowsAbout', { rows: format.number(preview.rowEstimate) })}
      </p>
      {phoneProblem ? (
        <p className="notice notice-error" role="alert" data-testid="mapping-phone-problem">
          <span className="notice-text">
            {phoneProblem.kind === 'noPhone'
              ? t(
                  preview.mappingProblem
                    ? 'contacts.import.problems.noPhoneFound'
                    : 'contacts.import.problems.noPhone',
                )
              : t('contacts.import.problems.twoPhones', {
                  columns: phoneProblem.columns.join(', '),
                })}
          </span>
        </p>
      ) : null}

      <div className="table-wrap">
        <table className="table import-columns" data-testid="mapping-table">
          <caption className="sr-only">{t('contacts.import.mappingCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('contacts.import.columns.column')}</th>
              <th scope="col">{t('contacts.import.columns.samples')}</th>
              <th scope="col">{t('contacts.import.columns.field')}</th>
            </tr>
          </thead>
          <tbody>
            {draft.columns.map((column, index) => {
              const selectId = `${id}-col-${index}`;
              const problem = columnProblem(index);
              return (
                <tr
                  key={`${column.header}-${index}`}
                  data-testid="mapping-row"
                  data-header={column.header}
                >
                  <th scope="row">
                    <label htmlFor={selectId}>
                      {column.header || t('contacts.import.unnamedColumn', { n: index + 1 })}
                    </label>
                  </th>
                  <td className="import-samples">
                    {column.samples.length === 0 ? (
                      <span className="muted">{t('contacts.import.noSamples')}</span>
                    ) : (
                      column.samples.map((s, i) => (
                        <span key={i} className="tag">
                          {s}
                        </span>
                      ))
                    )}
                  </td>
                  <td>
                    <div className="import-field">
                      <select
                        id={selectId}
                        className="input"
                        value={column.choice}
                        onChange={(e) =>
                          setColumn(index, {
                            choice: e.target.value as ColumnChoice,
                            customName: column.customName || column.header,
                          })
                        }
                        data-testid="mapping-choice"
                        {...fieldAria(selectId, false, problem)}
                      >
                        {COLUMN_CHOICES.map((choice) => (
                          <option key={choice} value={choice}>
                            {t(`contacts.import.choice.${choice}`)}
                          </option>
                        ))}
                      </select>
                      {column.choice === 'custom' ? (
                        <input
                          className="input input-short mono"
                          value={column.customName}
                          onChange={(e) => setColumn(index, { customName: e.target.value })}
                          aria-label={t('contacts.import.customName', { column: column.header })}
                          data-testid="mapping-custom-name"
                          aria-invalid={problem ? true : undefined}
                        />
                      ) : null}
                    </div>
                    {problem ? (
                      <p className="field-error" id={`${selectId}-error`} role="alert">
                        {problem}
                      </p>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <div className="form-grid form-grid-columns import-target">
        <fieldset className="import-list">
          <legend className="field-label">{t('contacts.import.list')}</legend>
          <label className="checkbox">
            <input
              type="radio"
              name={`${id}-target`}
              checked={draft.target === 'existing'}
              disabled={lists.length === 0}
              onChange={() => onChange({ ...draft, target: 'existing' })}
              data-testid="target-existing"
            />
            <span>{t('contacts.import.existingList')}</span>
          </label>
          {draft.target === 'existing' ? (
            <select
              className="input"
              value={draft.existingList}
              onChange={(e) => onChange({ ...draft, existingList: e.target.value })}
              aria-label={t('contacts.import.existingList')}
              data-testid="target-list"
            >
              {lists.map((l) => (
                <option key={l.id} value={l.name}>
                  {t('contacts.import.listOption', {
                    name: l.name,
                    contacts: format.number(l.contacts),
                  })}
                </option>
              ))}
            </select>
          ) : null}
          <label className="checkbox">
            <input
              type="radio"
              name={`${id}-target`}
              checked={draft.target === 'new'}
              onChange={() => onChange({ ...draft, target: 'new' })}
              data-testid="target-new"
            />
            <span>{t('contacts.import.newList')}</span>
          </label>
          {draft.target === 'new' ? (
            <input
              className="input"
              value={draft.newList}
              onChange={(e) => onChange({ ...draft, newList: e.target.value })}
              aria-label={t('contacts.import.newListName')}
              data-testid="target-new-name"
              aria-invalid={listProblem ? true : undefined}
            />
          ) : null}
          {listProblem ? (
            <p className="field-error" role="alert" data-testid="target-problem">
              {listProblem.kind === 'listExists'
                ? t('contacts.import.problems.listExists')
                : t('contacts.import.problems.list')}
            </p>
          ) : null}
        </fieldset>
        <Field
          htmlFor={`${id}-region`}
          label={t('contacts.import.region')}
          help={t('contacts.import.regionHelp')}
          error={regionProblem}
        >
          <input
            id={`${id}-region`}
            className="input input-short mono"
            value={draft.region}
            maxLength={2}
            onChange={(e) => onChange({ ...draft, region: e.target.value.toUpperCase() })}
            data-testid="import-region"
            {...fieldAria(`${id}-region`, true, regionProblem)}
          />
        </Field>
      </div>

      <div className="form-actions">
        <button
          type="button"
          className="button button-primary"
          onClick={onStart}
          disabled={pending || problems.length > 0}
          data-testid="import-start"
        >
          {pending ? t('contacts.import.starting') : t('contacts.import.start')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={onCancel}
          data-testid="import-cancel"
        >
          {t('contacts.import.chooseAnother')}
        </button>
      </div>
    </div>
  );
}
