import { type ChangeEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type {
  ApiError,
  ContactListSummary,
  ImportPreview,
  ImportProgressData,
  ImportStatus,
} from '../../api/contract.js';
import { toApiError } from '../../api/errors.js';
import { useApi, useEvent } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Field, fieldAria } from '../../ui/Field.js';
import {
  chunkRanges,
  draftFromPreview,
  draftProblems,
  type ImportDraft,
  toBase64,
  toCommitParams,
} from './importDraft.js';
import { ImportMapping } from './ImportMapping.js';
import { ImportResultView } from './ImportResult.js';

type Step =
  | { kind: 'pick' }
  | { kind: 'uploading'; fileName: string; sent: number; total: number }
  | { kind: 'mapping'; preview: ImportPreview }
  | { kind: 'importing'; preview: ImportPreview; progress: ImportProgressData | null }
  | { kind: 'finished'; status: ImportStatus };

interface Props {
  lists: readonly ContactListSummary[];
  defaultRegion: string;
  onImported: () => void;
  onClose: () => void;
}

/**
 * Import in four steps: pick a file → upload (chunks through the API, so it works over IPC and the
 * WebSocket alike) → map columns and choose the list → import (progress by event) → the result.
 */
export function ImportWizard({ lists, defaultRegion, onImported, onClose }: Props) {
  const { t } = useTranslation();
  const format = useFormat();
  const api = useApi();
  const fileId = useId();
  const [step, setStep] = useState<Step>({ kind: 'pick' });
  const [draft, setDraft] = useState<ImportDraft | null>(null);
  const [error, setError] = useState<{ error: ApiError; importCode: string | null } | null>(null);
  const [pending, setPending] = useState(false);
  const importId = useRef<string | null>(null);

  useEvent('import.progress', (progress) => {
    setStep((s) =>
      s.kind === 'importing' && progress.id === importId.current ? { ...s, progress } : s,
    );
  });
  useEvent('import.finished', (status) => {
    if (status.id !== importId.current) return;
    setStep({ kind: 'finished', status });
    onImported();
  });

  const fail = (caught: unknown) => {
    const apiError = toApiError(caught);
    const code = apiError.details?.importCode;
    setError({ error: apiError, importCode: typeof code === 'string' ? code : null });
  };

  /** Drops the engine's temporary files of the current upload (best effort). */
  const discard = () => {
    const id = importId.current;
    importId.current = null;
    if (id) api.request('imports.cancel', { id }).catch(() => undefined);
  };

  const pick = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    discard();
    setError(null);
    setStep({ kind: 'uploading', fileName: file.name, sent: 0, total: file.size });
    try {
      const { id, chunkBytes } = await api.request('imports.begin', {
        fileName: file.name,
        bytes: file.size,
      });
      importId.current = id;
      for (const [start, end] of chunkRanges(file.size, chunkBytes)) {
        const data = toBase64(new Uint8Array(await file.slice(start, end).arrayBuffer()));
        await api.request('imports.chunk', { id, offset: start, data });
        if (importId.current !== id) return; // Cancelled meanwhile.
        setStep({ kind: 'uploading', fileName: file.name, sent: end, total: file.size });
      }
      const preview = await api.request('imports.preview', { id });
      setDraft(
        draftFromPreview(preview, {
          region: defaultRegion,
          lists: lists.map((l) => l.name),
          fileName: file.name,
        }),
      );
      setStep({ kind: 'mapping', preview });
    } catch (caught) {
      discard();
      fail(caught);
      setStep({ kind: 'pick' });
    }
  };

  const start = async () => {
    if (step.kind !== 'mapping' || !draft) return;
    setError(null);
    setPending(true);
    try {
      const status = await api.request('imports.commit', toCommitParams(step.preview.id, draft));
      setStep({ kind: 'importing', preview: step.preview, progress: status.progress });
    } catch (caught) {
      fail(caught);
    } finally {
      setPending(false);
    }
  };

  const again = () => {
    discard();
    setDraft(null);
    setError(null);
    setStep({ kind: 'pick' });
  };

  const close = () => {
    if (step.kind !== 'importing') discard();
    onClose();
  };

  const listNames = lists.map((l) => l.name);
  return (
    <section
      className="card import"
      aria-labelledby={`${fileId}-title`}
      data-testid="import-wizard"
      data-step={step.kind}
    >
      <div className="import-head">
        <h2 id={`${fileId}-title`} className="card-title">
          {t('contacts.import.title')}
        </h2>
        {step.kind !== 'importing' ? (
          <button
            type="button"
            className="button button-ghost"
            onClick={close}
            data-testid="import-close"
          >
            {t('contacts.import.close')}
          </button>
        ) : null}
      </div>
      <ol className="import-steps" aria-label={t('contacts.import.stepsLabel')}>
        {(['pick', 'mapping', 'importing', 'finished'] as const).map((name, i) => (
          <li
            key={name}
            aria-current={stepIndex(step.kind) === i ? 'step' : undefined}
            className={stepIndex(step.kind) >= i ? 'is-done' : undefined}
          >
            {t(`contacts.import.steps.${name}`)}
          </li>
        ))}
      </ol>

      {error ? (
        <div
          className="import-error"
          data-testid="import-error"
          data-import-code={error.importCode ?? ''}
        >
          {error.importCode ? (
            <p className="notice notice-error" role="alert">
              <span className="notice-text">
                <strong>{t(`contacts.import.failure.${knownFailure(error.importCode)}`)}</strong>
                <code className="notice-detail">{error.error.message}</code>
              </span>
            </p>
          ) : (
            <ErrorNotice
              error={error.error}
              title={t('contacts.import.failed')}
              testId="import-api-error"
            />
          )}
        </div>
      ) : null}

      {step.kind === 'pick' || step.kind === 'uploading' ? (
        <div className="import-pick">
          <Field
            htmlFor={fileId}
            label={t('contacts.import.file')}
            help={t('contacts.import.fileHelp')}
          >
            <input
              id={fileId}
              className="input"
              type="file"
              accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={pick}
              disabled={step.kind === 'uploading'}
              data-testid="import-file"
              {...fieldAria(fileId, true, null)}
            />
          </Field>
          {step.kind === 'uploading' ? (
            <div className="import-progress" data-testid="upload-progress">
              <Bar
                value={step.sent}
                max={step.total}
                label={t('contacts.import.uploading', { file: step.fileName })}
              />
              <p className="muted">
                {t('contacts.import.uploadProgress', {
                  file: step.fileName,
                  sent: format.number(Math.round(step.sent / 1024)),
                  total: format.number(Math.round(step.total / 1024)),
                })}
              </p>
            </div>
          ) : null}
        </div>
      ) : null}

      {step.kind === 'mapping' && draft ? (
        <ImportMapping
          preview={step.preview}
          draft={draft}
          lists={lists}
          problems={draftProblems(draft, listNames)}
          onChange={(next) => {
            setDraft(next);
            setError(null);
          }}
          onStart={start}
          onCancel={again}
          pending={pending}
        />
      ) : null}

      {step.kind === 'importing' ? (
        <ImportRunning preview={step.preview} progress={step.progress} />
      ) : null}

      {step.kind === 'finished' ? <ImportResultView status={step.status} onAgain={again} /> : null}
    </section>
  );
}

function stepIndex(kind: Step['kind']): number {
  return { pick: 0, uploading: 0, mapping: 1, importing: 2, finished: 3 }[kind];
}

const FAILURES = [
  'EMPTY_FILE',
  'NO_PHONE_COLUMN',
  'NOT_TEXT',
  'UNREADABLE',
  'BAD_REGION',
  'UNKNOWN_COLUMN',
  'BAD_FIELD',
] as const;
function knownFailure(code: string): (typeof FAILURES)[number] | 'other' {
  return (FAILURES as readonly string[]).includes(code)
    ? (code as (typeof FAILURES)[number])
    : 'other';
}

function ImportRunning({
  preview,
  progress,
}: {
  preview: ImportPreview;
  progress: ImportProgressData | null;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const total = progress?.totalBytes || preview.bytes;
  const done = progress?.bytesRead ?? 0;
  return (
    <div
      className="import-progress"
      data-testid="import-progress"
      data-rows={progress?.rowsRead ?? 0}
      role="status"
    >
      <Bar
        value={done}
        max={total}
        label={t('contacts.import.importing', { file: preview.fileName })}
      />
      <p>{t('contacts.import.importing', { file: preview.fileName })}</p>
      <p className="muted" data-testid="import-progress-counts">
        {t('contacts.import.progressCounts', {
          rows: format.number(progress?.rowsRead ?? 0),
          accepted: format.number(progress?.accepted ?? 0),
          merged: format.number(progress?.merged ?? 0),
          rejected: format.number(progress?.rejected ?? 0),
          percent: format.percent(total > 0 ? done / total : 0),
        })}
      </p>
      <p className="muted">{t('contacts.import.oneTransaction')}</p>
    </div>
  );
}

/** A progress bar that shows at any size (the native <progress> is a hairline in Chromium's default style). */
function Bar({ value, max, label }: { value: number; max: number; label: string }) {
  const fraction = max > 0 ? Math.min(1, value / max) : 0;
  return (
    <div
      className="import-bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(fraction * 100)}
    >
      <span style={{ width: `${fraction * 100}%` }} />
    </div>
  );
}

export function failureKey(code: string) {
  return `contacts.import.failure.${knownFailure(code)}` as const;
}
