import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import {
  type Language,
  LANGUAGES,
  SETTING_KEYS,
  type SettingKey,
  type Settings,
} from '../../api/contract.js';
import { errorField, fieldMessage } from '../../api/errors.js';
import { useCommand, useMutation } from '../../api/hooks.js';
import { applyLanguage } from '../../i18n/index.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Field, fieldAria } from '../../ui/Field.js';
import { MaskingFields } from './MaskingFields.js';
import { diffDraft, type Draft, toDraft } from './settingsDraft.js';

let timeZoneList: string[] | null = null;
/** Every IANA zone the runtime knows, plus the stored one in case it is missing from that list. */
function timeZones(current: string): string[] {
  timeZoneList ??= Intl.supportedValuesOf('timeZone');
  return timeZoneList.includes(current) ? timeZoneList : [current, ...timeZoneList].sort();
}

function isSettingKey(value: string | undefined): value is SettingKey {
  return value !== undefined && (SETTING_KEYS as readonly string[]).includes(value);
}

interface SettingsFormProps {
  /** The settings as stored in the engine (kept current by settings.changed). */
  saved: Settings;
  onSaved: (settings: Settings) => void;
}

type Status =
  | { kind: 'idle' }
  | { kind: 'saved' }
  | { kind: 'no-changes' }
  | { kind: 'invalid'; keys: SettingKey[] };

export function SettingsForm({ saved, onSaved }: SettingsFormProps) {
  const { t } = useTranslation();
  const idPrefix = useId();
  const id = (key: SettingKey) => `${idPrefix}-${key}`;
  // Only what the user changed; everything else follows the stored settings, even when another window saves.
  const [edits, setEdits] = useState<Partial<Draft>>({});
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const update = useMutation('settings.update');
  // The media host's microphones and speakers (for the agent), asked for only when a device list is
  // opened: listing them starts the media host (a Chromium page) if it is not running.
  const [wantDevices, setWantDevices] = useState(false);
  const devices = useCommand('devices.list', {}, { enabled: wantDevices });
  const draft: Draft = { ...toDraft(saved), ...edits };
  const pending = diffDraft(draft, saved);
  const dirty = Object.keys(pending.changes).length > 0 || pending.invalid.length > 0;

  const apiField = update.error ? errorField(update.error, 'changes') : undefined;
  const errorFor = (key: SettingKey): string | null => {
    if (status.kind === 'invalid' && status.keys.includes(key)) return t('settings.enterNumber');
    if (update.error && apiField === key) return fieldMessage(update.error);
    return null;
  };

  const edit = <K extends SettingKey>(key: K, value: Draft[K]) => {
    setEdits((previous) => ({ ...previous, [key]: value }));
    setStatus({ kind: 'idle' });
    if (apiField === key) update.reset();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.reset();
    const diff = pending;
    if (diff.invalid.length > 0) {
      setStatus({ kind: 'invalid', keys: diff.invalid });
      return;
    }
    if (Object.keys(diff.changes).length === 0) {
      setStatus({ kind: 'no-changes' });
      return;
    }
    setStatus({ kind: 'idle' });
    const result = await update.run({ changes: diff.changes });
    if (!result) return;
    onSaved(result);
    setEdits({});
    setStatus({ kind: 'saved' });
    if (diff.changes.language) void applyLanguage(result.language);
  };

  const discard = () => {
    setEdits({});
    setStatus({ kind: 'idle' });
    update.reset();
  };

  /** Props shared by every control: id, test id and the ARIA wiring to its help and error. */
  const control = (key: SettingKey) => ({
    id: id(key),
    'data-testid': `setting-${key}`,
    ...fieldAria(id(key), true, errorFor(key)),
  });
  const field = (key: SettingKey) => ({
    htmlFor: id(key),
    label: t(`settings.fields.${key}.label`),
    help: t(`settings.fields.${key}.help`),
    error: errorFor(key),
    errorTestId: `setting-error-${key}`,
  });

  return (
    <form
      className="card form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${idPrefix}-title`}
      data-testid="settings-form"
    >
      <h2 id={`${idPrefix}-title`} className="card-title">
        {t('settings.formTitle')}
      </h2>
      <div className="form-grid">
        <Field {...field('language')}>
          <select
            className="input"
            value={draft.language}
            onChange={(e) => edit('language', e.target.value as Language)}
            {...control('language')}
          >
            {LANGUAGES.map((language) => (
              <option key={language} value={language} lang={language}>
                {t(`languageNames.${language}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field {...field('defaultRegion')}>
          <input
            className="input input-short mono"
            value={draft.defaultRegion}
            onChange={(e) => edit('defaultRegion', e.target.value.toUpperCase())}
            autoComplete="off"
            spellCheck={false}
            {...control('defaultRegion')}
          />
        </Field>
        <Field {...field('timeZone')}>
          <select
            className="input"
            value={draft.timeZone}
            onChange={(e) => edit('timeZone', e.target.value)}
            {...control('timeZone')}
          >
            {timeZones(draft.timeZone).map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </Field>
        <Field {...field('ringTimeoutMs')} suffix={t('settings.seconds')}>
          <input
            className="input input-number"
            type="number"
            inputMode="numeric"
            min={5}
            max={120}
            step={1}
            value={draft.ringTimeoutMs}
            onChange={(e) => edit('ringTimeoutMs', e.target.value)}
            {...control('ringTimeoutMs')}
          />
        </Field>
        <Field {...field('maxConcurrentCalls')}>
          <input
            className="input input-number"
            type="number"
            inputMode="numeric"
            min={1}
            max={200}
            step={1}
            value={draft.maxConcurrentCalls}
            onChange={(e) => edit('maxConcurrentCalls', e.target.value)}
            {...control('maxConcurrentCalls')}
          />
        </Field>
        <Field {...field('wrapUpMs')} suffix={t('settings.seconds')}>
          <input
            className="input input-number"
            type="number"
            inputMode="numeric"
            min={0}
            max={600}
            step={1}
            value={draft.wrapUpMs}
            onChange={(e) => edit('wrapUpMs', e.target.value)}
            {...control('wrapUpMs')}
          />
        </Field>
        <Field {...field('sessionIdleMs')} suffix={t('auth.minutes')}>
          <input
            className="input input-number"
            type="number"
            inputMode="numeric"
            min={1}
            max={1440}
            step={1}
            value={draft.sessionIdleMs}
            onChange={(e) => edit('sessionIdleMs', e.target.value)}
            {...control('sessionIdleMs')}
          />
        </Field>
        <Field {...field('previewTimeoutMs')} suffix={t('settings.seconds')}>
          <input
            className="input input-number"
            type="number"
            inputMode="numeric"
            min={10}
            max={3600}
            step={1}
            value={draft.previewTimeoutMs}
            onChange={(e) => edit('previewTimeoutMs', e.target.value)}
            {...control('previewTimeoutMs')}
          />
        </Field>
        {(
          [
            'audioInputDeviceId',
            'audioOutputDeviceId',
            'supervisorInputDeviceId',
            'supervisorOutputDeviceId',
          ] as const
        ).map((key) => {
          const options =
            (key === 'audioInputDeviceId' || key === 'supervisorInputDeviceId'
              ? devices.data?.inputs
              : devices.data?.outputs) ?? [];
          const value = draft[key];
          return (
            <Field key={key} {...field(key)}>
              <select
                className="input"
                value={value}
                onChange={(e) => edit(key, e.target.value)}
                onFocus={() => setWantDevices(true)}
                onMouseDown={() => setWantDevices(true)}
                {...control(key)}
              >
                <option value="">{t('settings.defaultDevice')}</option>
                {value !== '' && !options.some((o) => o.deviceId === value) ? (
                  <option value={value}>{value}</option>
                ) : null}
                {options
                  .filter((o) => o.deviceId !== '' && o.deviceId !== 'default')
                  .map((o) => (
                    <option key={o.deviceId} value={o.deviceId}>
                      {o.label}
                    </option>
                  ))}
              </select>
            </Field>
          );
        })}
        <div
          className={
            errorFor('recordCalls') ? 'field field-checkbox has-error' : 'field field-checkbox'
          }
        >
          <div className="checkbox">
            <input
              type="checkbox"
              checked={draft.recordCalls}
              onChange={(e) => edit('recordCalls', e.target.checked)}
              {...control('recordCalls')}
            />
            <label htmlFor={id('recordCalls')} className="field-label">
              {t('settings.fields.recordCalls.label')}
            </label>
          </div>
          {errorFor('recordCalls') ? (
            <p
              className="field-error"
              id={`${id('recordCalls')}-error`}
              role="alert"
              data-testid="setting-error-recordCalls"
            >
              {errorFor('recordCalls')}
            </p>
          ) : null}
          <p className="field-help" id={`${id('recordCalls')}-help`}>
            {t('settings.fields.recordCalls.help')}
          </p>
        </div>
        <MaskingFields values={draft} onChange={edit} control={control} />
      </div>

      {update.error && !isSettingKey(apiField) ? (
        <ErrorNotice error={update.error} title={t('settings.failed')} testId="settings-error" />
      ) : null}

      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={update.pending}
          data-testid="settings-save"
        >
          {update.pending ? t('settings.saving') : t('settings.save')}
        </button>
        {dirty ? (
          <button
            type="button"
            className="button button-secondary"
            onClick={discard}
            disabled={update.pending}
            data-testid="settings-discard"
          >
            {t('settings.discard')}
          </button>
        ) : null}
        <FormStatus status={status} dirty={dirty} failed={update.error !== null} />
      </div>
    </form>
  );
}

function FormStatus({
  status,
  dirty,
  failed,
}: {
  status: Status;
  dirty: boolean;
  failed: boolean;
}) {
  const { t } = useTranslation();
  if (status.kind === 'saved') {
    return (
      <span className="form-status form-status-success" role="status" data-testid="settings-saved">
        {t('settings.saved')}
      </span>
    );
  }
  if (status.kind === 'no-changes') {
    return (
      <span className="form-status" role="status" data-testid="settings-no-changes">
        {t('settings.noChanges')}
      </span>
    );
  }
  if (failed || status.kind === 'invalid') {
    return (
      <span className="form-status form-status-error" role="status" data-testid="settings-failed">
        {t('settings.failed')}
      </span>
    );
  }
  if (dirty) {
    return (
      <span className="form-status" data-testid="settings-unsaved">
        {t('settings.unsaved')}
      </span>
    );
  }
  return null;
}
