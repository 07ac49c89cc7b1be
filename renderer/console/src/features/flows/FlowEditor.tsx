import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { FlowDetail, FlowIssueView, FlowTraining } from '../../api/contract.js';
import { useApi, useMutation } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { useDebouncedValue } from '../../ui/hooks.js';
import { FlowIssues } from './FlowIssues.js';
import { disclosureOf, lineOf, nodeOffset, parseFlowText, withDisclosure } from './flowText.js';

const VALIDATE_DEBOUNCE_MS = 400;

interface FlowEditorProps {
  /** The stored version shown (null for a new flow). */
  detail: FlowDetail | null;
  /** The text to start from. */
  initialText: string;
  /** Another version picked (undefined: the latest). */
  onVersion: (version: number | undefined) => void;
  /** After a save: the flow's name, version, and whether the version is new. */
  onSaved: (name: string, version: number, created: boolean) => void;
  training: (version: number) => FlowTraining | null;
  /** The save that led to this version (kept across the reload that follows it). */
  lastSaved?: { version: number; created: boolean } | null;
}

type Validation =
  | { state: 'checking' }
  | { state: 'json'; message: string }
  | { state: 'done'; ok: boolean; issues: FlowIssueView[]; warnings: FlowIssueView[] };

/**
 * The JSON editor: live validation as you type (debounced flows.validate), every issue by node and
 * field (clicking one moves the caret to that node), and Save. A refused save keeps the text and
 * lists the engine's reasons; the stored versions are untouched.
 */
export function FlowEditor({
  detail,
  initialText,
  onVersion,
  onSaved,
  training,
  lastSaved = null,
}: FlowEditorProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const api = useApi();
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(initialText);
  const debounced = useDebouncedValue(text, VALIDATE_DEBOUNCE_MS);
  const [validation, setValidation] = useState<Validation>({ state: 'checking' });
  const save = useMutation('flows.save');
  const [saved, setSaved] = useState<{ version: number; created: boolean } | null>(lastSaved);

  useEffect(() => {
    const parsed = parseFlowText(debounced);
    if (!parsed.ok) {
      setValidation({ state: 'json', message: parsed.message });
      return;
    }
    let current = true;
    setValidation({ state: 'checking' });
    api.request('flows.validate', { definition: parsed.value }).then(
      (result) => {
        if (current) setValidation({ state: 'done', ...result });
      },
      () => {
        if (current) setValidation({ state: 'checking' }); // Disconnected: checked again on the next edit.
      },
    );
    return () => {
      current = false;
    };
  }, [api, debounced]);

  const goTo = (issue: FlowIssueView) => {
    const textarea = area.current;
    if (!textarea) return;
    const at = nodeOffset(text, issue.nodeId, issue.field);
    if (at < 0) return;
    textarea.focus();
    textarea.setSelectionRange(at, at);
    const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
    textarea.scrollTop = Math.max(0, (lineOf(text, at) - 3) * lineHeight);
  };

  const onSave = async () => {
    setSaved(null);
    const parsed = parseFlowText(text);
    if (!parsed.ok) {
      setValidation({ state: 'json', message: parsed.message });
      return;
    }
    const result = await save.run({ definition: parsed.value });
    if (!result) return;
    setSaved({ version: result.version, created: result.created });
    onSaved(result.name, result.version, result.created);
  };

  // The engine's reasons for a refused save (INVALID_FLOW carries them by node and field).
  const refusedIssues =
    save.error?.code === 'INVALID_FLOW' && Array.isArray(save.error.details?.['issues'])
      ? (save.error.details['issues'] as FlowIssueView[])
      : null;
  const dirty = detail !== null && text !== initialText;
  const disclosure = disclosureOf(text);

  return (
    <section className="card flow-editor" data-testid="flow-editor">
      <div className="flow-editor-head">
        <h3 className="card-title">
          {detail ? t('flows.editor.title') : t('flows.editor.newTitle')}
        </h3>
        {detail ? (
          <label className="toolbar-field">
            <span>{t('flows.editor.version')}</span>
            <select
              className="input"
              value={detail.version}
              onChange={(event) => {
                const v = Number(event.target.value);
                onVersion(v === detail.latestVersion ? undefined : v);
              }}
              data-testid="flow-version"
            >
              {[...detail.versions].reverse().map((v) => (
                <option key={v.version} value={v.version}>
                  {t('flows.editor.versionOption', {
                    version: v.version,
                    date: format.dateTimeShort(v.createdAt),
                  })}
                  {v.version === detail.latestVersion ? ` ${t('flows.editor.latest')}` : ''}
                  {training(v.version)
                    ? ` · ${t(`flows.training.${training(v.version)?.state ?? 'queued'}`)}`
                    : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {disclosure ? (
        <div
          className="field"
          data-testid="flow-disclosure"
          data-enabled={String(disclosure.enabled)}
        >
          <label className="checkbox">
            <input
              type="checkbox"
              checked={disclosure.enabled}
              onChange={(event) => {
                setText(withDisclosure(text, event.target.checked));
                setSaved(null);
              }}
              aria-describedby={`${id}-disclosure`}
              data-testid="flow-disclosure-toggle"
            />
            <span>{t('flows.editor.disclosure')}</span>
          </label>
          <p className="field-help" id={`${id}-disclosure`}>
            {disclosure.enabled && disclosure.text !== null
              ? t('flows.editor.disclosureOn', { text: disclosure.text })
              : t('flows.editor.disclosureOff')}
          </p>
        </div>
      ) : null}
      <label className="field-label" htmlFor={`${id}-json`}>
        {t('flows.editor.json')}
      </label>
      <textarea
        id={`${id}-json`}
        ref={area}
        className="input flow-json mono"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setSaved(null);
        }}
        spellCheck={false}
        wrap="off"
        aria-describedby={`${id}-help`}
        data-testid="flow-json"
      />
      <p className="field-help" id={`${id}-help`}>
        {t('flows.editor.help')}
      </p>
      <div
        className="flow-validation"
        aria-live="polite"
        data-testid="flow-validation"
        data-state={
          validation.state === 'done' ? (validation.ok ? 'valid' : 'invalid') : validation.state
        }
      >
        {validation.state === 'checking' ? (
          <p className="muted">{t('flows.editor.validating')}</p>
        ) : null}
        {validation.state === 'json' ? (
          <p className="field-error">
            {t('flows.editor.invalidJson', { message: validation.message })}
          </p>
        ) : null}
        {validation.state === 'done' && validation.ok ? (
          <p className="form-status form-status-success">{t('flows.editor.valid')}</p>
        ) : null}
        {validation.state === 'done' ? (
          <>
            <FlowIssues issues={validation.issues} kind="error" onGo={goTo} testId="flow-issues" />
            <FlowIssues
              issues={validation.warnings}
              kind="warning"
              onGo={goTo}
              testId="flow-warnings"
            />
          </>
        ) : null}
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => void onSave()}
          disabled={save.pending}
          data-testid="flow-save"
        >
          {save.pending ? t('flows.editor.saving') : t('flows.editor.save')}
        </button>
        {dirty ? (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => {
              setText(initialText);
              save.reset();
            }}
            data-testid="flow-discard"
          >
            {t('flows.editor.discard')}
          </button>
        ) : null}
        {saved ? (
          <span
            className="form-status form-status-success"
            data-testid="flow-saved"
            data-version={saved.version}
          >
            {saved.created
              ? t('flows.editor.savedNew', { version: saved.version })
              : t('flows.editor.savedSame', { version: saved.version })}
          </span>
        ) : null}
      </div>
      {save.error ? (
        <div data-testid="flow-save-refused">
          {refusedIssues ? (
            <p className="form-status form-status-error">{t('flows.editor.refused')}</p>
          ) : (
            <ErrorNotice error={save.error} title={t('flows.editor.save')} />
          )}
          {refusedIssues ? (
            <FlowIssues issues={refusedIssues} kind="error" onGo={goTo} testId="flow-save-issues" />
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
