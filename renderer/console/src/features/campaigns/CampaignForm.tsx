import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import {
  type CampaignDetail,
  DialingModeSchema,
  WEEKDAY_KEYS,
  type WeekdayKey,
} from '../../api/contract.js';
import { fieldMessage } from '../../api/errors.js';
import { useCommand, useMutation } from '../../api/hooks.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Field, fieldAria } from '../../ui/Field.js';
import {
  type AmdDraft,
  type AmdField,
  type CampaignDraft,
  type CampaignFormField,
  campaignFormFieldOf,
  emptyCampaignDraft,
  moveTrunk,
  type PredictiveDraft,
  type PredictiveField,
  RETRY_OUTCOMES,
  toCampaignParams,
  type Window,
} from './campaignDraft.js';

/** Creates a campaign with campaigns.create; the engine validates, and its message appears under the field it names. */
export function CampaignForm({
  timeZone,
  onCreated,
  onCancel,
}: {
  timeZone: string;
  onCreated: (campaign: CampaignDetail) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const idPrefix = useId();
  const id = (field: string) => `${idPrefix}-${field.replace('.', '-')}`;
  const [draft, setDraft] = useState<CampaignDraft>(() => emptyCampaignDraft(timeZone));
  const [localError, setLocalError] = useState<{
    field: CampaignFormField;
    problem: 'wholeNumber' | 'number' | 'required';
  } | null>(null);
  const create = useMutation('campaigns.create');
  const lists = useCommand('contacts.lists', {});
  const flows = useCommand('flows.list', {});
  const trunks = useCommand('trunks.list', {});
  const flow = useCommand(
    'flows.get',
    { name: draft.flowName },
    { enabled: draft.flowName !== '' },
  );

  const apiField = create.error ? campaignFormFieldOf(create.error.field) : null;
  const errorFor = (field: CampaignFormField): string | null => {
    if (localError?.field === field) return t(`campaignPage.form.problem.${localError.problem}`);
    if (create.error && apiField === field) return fieldMessage(create.error);
    return null;
  };
  const update = (change: Partial<CampaignDraft>, fields: CampaignFormField[]) => {
    setDraft((previous) => ({ ...previous, ...change }));
    if (localError && fields.includes(localError.field)) setLocalError(null);
    if (apiField && fields.includes(apiField)) create.reset();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.reset();
    const result = toCampaignParams(draft);
    if (!result.ok) {
      setLocalError({ field: result.field, problem: result.problem });
      return;
    }
    setLocalError(null);
    const created = await create.run(result.params);
    if (created) onCreated(created);
  };

  const field = (name: CampaignFormField, label: string, help?: string) => ({
    htmlFor: id(name),
    label,
    help,
    error: errorFor(name),
    errorTestId: `campaign-error-${name}`,
  });
  const control = (name: CampaignFormField, hasHelp = false) => ({
    id: id(name),
    'data-testid': `campaign-${name}`,
    ...fieldAria(id(name), hasHelp, errorFor(name)),
  });

  const trunkNames = trunks.data?.trunks.map((tr) => tr.name) ?? [];
  const setWindows = (day: WeekdayKey, windows: Window[]) =>
    update({ windows: { ...draft.windows, [day]: windows } }, [`windows.${day}`]);

  return (
    <form
      className="card form campaign-form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${idPrefix}-title`}
      data-testid="campaign-form"
    >
      <h2 id={`${idPrefix}-title`} className="card-title">
        {t('campaignPage.form.title')}
      </h2>

      <Group title={t('campaignPage.form.groups.what')}>
        <Field {...field('name', t('campaignPage.form.name'))}>
          <input
            className="input"
            value={draft.name}
            onChange={(e) => update({ name: e.target.value }, ['name'])}
            autoComplete="off"
            aria-required="true"
            {...control('name')}
          />
        </Field>
        <Field {...field('list', t('campaignPage.form.list'), t('campaignPage.form.listHelp'))}>
          <select
            className="input"
            value={draft.list}
            onChange={(e) => update({ list: e.target.value }, ['list'])}
            aria-required="true"
            {...control('list', true)}
          >
            <option value="">{t('campaignPage.form.choose')}</option>
            {lists.data?.lists.map((l) => (
              <option key={l.id} value={l.name}>
                {t('campaignPage.form.listOption', { name: l.name, contacts: l.contacts })}
              </option>
            ))}
          </select>
        </Field>
        <Field {...field('flow', t('campaignPage.form.flow'), t('campaignPage.form.flowHelp'))}>
          <select
            className="input"
            value={draft.flowName}
            onChange={(e) =>
              update({ flowName: e.target.value, flowVersion: '' }, ['flow', 'flowVersion'])
            }
            {...control('flow', true)}
          >
            <option value="">{t('campaignPage.form.noFlow')}</option>
            {flows.data?.flows.map((f) => (
              <option key={f.id} value={f.name}>
                {f.name}
              </option>
            ))}
          </select>
        </Field>
        <Field
          {...field(
            'flowVersion',
            t('campaignPage.form.flowVersion'),
            t('campaignPage.form.flowVersionHelp'),
          )}
        >
          <select
            className="input"
            value={draft.flowVersion}
            disabled={draft.flowName === ''}
            onChange={(e) => update({ flowVersion: e.target.value }, ['flowVersion'])}
            {...control('flowVersion', true)}
          >
            <option value="">{t('campaignPage.form.latestVersion')}</option>
            {(draft.flowName !== '' ? (flow.data?.versions ?? []) : []).map((v) => (
              <option key={v.version} value={String(v.version)}>
                {t('campaignPage.form.versionOption', { version: v.version })}
              </option>
            ))}
          </select>
        </Field>
      </Group>

      <Group title={t('campaignPage.form.groups.how')}>
        <div className={errorFor('trunks') ? 'field has-error' : 'field'}>
          <span className="field-label" id={id('trunks')}>
            {t('campaignPage.form.trunks')}
          </span>
          {trunkNames.length === 0 ? (
            <p className="muted">{t('campaignPage.form.noTrunks')}</p>
          ) : null}
          <ol
            className="campaign-trunks"
            aria-labelledby={id('trunks')}
            data-testid="campaign-trunks"
          >
            {draft.trunks.map((name, index) => (
              <li key={name} data-testid="campaign-trunk-selected">
                <span className="campaign-trunk-order">{index + 1}</span>
                <span className="mono">{name}</span>
                <button
                  type="button"
                  className="button button-ghost button-small"
                  onClick={() => update({ trunks: moveTrunk(draft.trunks, index, -1) }, ['trunks'])}
                  disabled={index === 0}
                  aria-label={t('campaignPage.form.trunkUp', { name })}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="button button-ghost button-small"
                  onClick={() => update({ trunks: moveTrunk(draft.trunks, index, 1) }, ['trunks'])}
                  disabled={index === draft.trunks.length - 1}
                  aria-label={t('campaignPage.form.trunkDown', { name })}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="button button-ghost button-small"
                  onClick={() =>
                    update({ trunks: draft.trunks.filter((n) => n !== name) }, ['trunks'])
                  }
                  aria-label={t('campaignPage.form.trunkRemove', { name })}
                >
                  ✕
                </button>
              </li>
            ))}
          </ol>
          <div className="campaign-trunk-add">
            {trunkNames
              .filter((n) => !draft.trunks.includes(n))
              .map((name) => (
                <button
                  key={name}
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() => update({ trunks: [...draft.trunks, name] }, ['trunks'])}
                  data-testid="campaign-trunk-add"
                  data-trunk={name}
                >
                  {t('campaignPage.form.trunkAdd', { name })}
                </button>
              ))}
          </div>
          {errorFor('trunks') ? (
            <p className="field-error" role="alert" data-testid="campaign-error-trunks">
              {errorFor('trunks')}
            </p>
          ) : null}
          <p className="field-help">{t('campaignPage.form.trunksHelp')}</p>
        </div>
        <Field
          {...field(
            'dialingMode',
            t('campaignPage.form.dialingMode'),
            t(`campaignPage.form.modeHelp.${draft.dialingMode}`),
          )}
        >
          <select
            className="input"
            value={draft.dialingMode}
            onChange={(e) =>
              update({ dialingMode: DialingModeSchema.parse(e.target.value) }, ['dialingMode'])
            }
            {...control('dialingMode', true)}
          >
            {DialingModeSchema.options.map((mode) => (
              <option key={mode} value={mode}>
                {t(`dialingMode.${mode}`)}
              </option>
            ))}
          </select>
        </Field>
        {draft.dialingMode === 'power' ? (
          <Field
            {...field(
              'linesPerAgent',
              t('campaignPage.form.linesPerAgent'),
              t('campaignPage.form.linesPerAgentHelp'),
            )}
          >
            <input
              className="input input-number"
              inputMode="decimal"
              value={draft.linesPerAgent}
              onChange={(e) => update({ linesPerAgent: e.target.value }, ['linesPerAgent'])}
              {...control('linesPerAgent', true)}
            />
          </Field>
        ) : null}
        {draft.dialingMode === 'predictive' ? (
          <PredictiveFields
            draft={draft.predictive}
            onChange={(change, name) =>
              update({ predictive: { ...draft.predictive, ...change } }, [`predictive.${name}`])
            }
            field={field}
            control={control}
          />
        ) : null}
        <AmdFields
          draft={draft.amd}
          onChange={(change, name) => update({ amd: { ...draft.amd, ...change } }, [`amd.${name}`])}
          field={field}
          control={control}
        />
        <Field {...field('queue', t('campaignPage.form.queue'), t('campaignPage.form.queueHelp'))}>
          <input
            className="input mono"
            value={draft.queue}
            onChange={(e) => update({ queue: e.target.value }, ['queue'])}
            autoComplete="off"
            {...control('queue', true)}
          />
        </Field>
        <Field
          {...field(
            'maxConcurrentCalls',
            t('campaignPage.form.maxConcurrentCalls'),
            t('campaignPage.form.maxConcurrentCallsHelp'),
          )}
        >
          <input
            className="input input-number"
            inputMode="numeric"
            value={draft.maxConcurrentCalls}
            onChange={(e) => update({ maxConcurrentCalls: e.target.value }, ['maxConcurrentCalls'])}
            {...control('maxConcurrentCalls', true)}
          />
        </Field>
        <Field
          {...field(
            'requireConsent',
            t('campaignPage.form.requireConsentTitle'),
            t('campaignPage.form.requireConsentHelp'),
          )}
        >
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.requireConsent}
              onChange={(e) => update({ requireConsent: e.target.checked }, ['requireConsent'])}
              {...control('requireConsent', true)}
            />
            <span>{t('campaignPage.form.requireConsent')}</span>
          </label>
        </Field>
      </Group>

      <Group title={t('campaignPage.form.groups.when')}>
        <Field
          {...field(
            'timeZone',
            t('campaignPage.form.timeZone'),
            t('campaignPage.form.timeZoneHelp'),
          )}
        >
          <input
            className="input mono"
            value={draft.timeZone}
            onChange={(e) => update({ timeZone: e.target.value }, ['timeZone'])}
            autoComplete="off"
            spellCheck={false}
            {...control('timeZone', true)}
          />
        </Field>
        <fieldset className="campaign-windows" data-testid="campaign-windows">
          <legend className="field-label">{t('campaignPage.form.windows')}</legend>
          <p className="field-help">{t('campaignPage.form.windowsHelp')}</p>
          {WEEKDAY_KEYS.map((day) => (
            <WeekdayWindows
              key={day}
              day={day}
              windows={draft.windows[day]}
              error={errorFor(`windows.${day}`)}
              onChange={(w) => setWindows(day, w)}
            />
          ))}
        </fieldset>
        <Field
          {...field(
            'excludedDates',
            t('campaignPage.form.excludedDates'),
            t('campaignPage.form.excludedDatesHelp'),
          )}
        >
          <textarea
            className="input mono"
            rows={2}
            value={draft.excludedDates}
            onChange={(e) => update({ excludedDates: e.target.value }, ['excludedDates'])}
            placeholder={t('campaignPage.form.excludedDatesPlaceholder')}
            {...control('excludedDates', true)}
          />
        </Field>
      </Group>

      <Group title={t('campaignPage.form.groups.retries')}>
        {RETRY_OUTCOMES.map((outcome) => (
          <Field
            key={outcome}
            {...field(
              `retry.${outcome}`,
              t('campaignPage.form.retryAfter', { outcome: t(`outcome.${outcome}`) }),
            )}
            suffix={t('campaignPage.form.minutes')}
          >
            <input
              className="input input-number"
              inputMode="decimal"
              value={draft.retryMinutes[outcome]}
              placeholder={t('campaignPage.form.noRetry')}
              onChange={(e) =>
                update({ retryMinutes: { ...draft.retryMinutes, [outcome]: e.target.value } }, [
                  `retry.${outcome}`,
                ])
              }
              {...control(`retry.${outcome}`)}
            />
          </Field>
        ))}
        <Field
          {...field(
            'maxAttempts',
            t('campaignPage.form.maxAttempts'),
            t('campaignPage.form.maxAttemptsHelp'),
          )}
        >
          <input
            className="input input-number"
            inputMode="numeric"
            value={draft.maxAttempts}
            onChange={(e) => update({ maxAttempts: e.target.value }, ['maxAttempts'])}
            {...control('maxAttempts', true)}
          />
        </Field>
        <Field
          {...field(
            'dailyCap',
            t('campaignPage.form.dailyCap'),
            t('campaignPage.form.dailyCapHelp'),
          )}
        >
          <input
            className="input input-number"
            inputMode="numeric"
            value={draft.dailyCap}
            onChange={(e) => update({ dailyCap: e.target.value }, ['dailyCap'])}
            {...control('dailyCap', true)}
          />
        </Field>
      </Group>

      {create.error && apiField === null ? (
        <ErrorNotice
          error={create.error}
          title={t('campaignPage.form.failed')}
          testId="campaign-form-error"
        />
      ) : null}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={create.pending}
          data-testid="campaign-submit"
        >
          {create.pending ? t('campaignPage.form.submitting') : t('campaignPage.form.submit')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={onCancel}
          data-testid="campaign-cancel"
        >
          {t('campaignPage.form.cancel')}
        </button>
        {create.error || localError ? (
          <span
            className="form-status form-status-error"
            role="status"
            data-testid="campaign-failed"
          >
            {t('campaignPage.form.failed')}
          </span>
        ) : null}
      </div>
    </form>
  );
}

/** A select over a fixed list of values, each shown by its label (the form's enumerations). */
function Choice<V extends string>({
  value,
  options,
  optionLabel,
  onChange,
  control,
}: {
  value: V;
  options: readonly V[];
  optionLabel: (option: V) => string;
  onChange: (value: V) => void;
  control: Record<string, unknown>;
}) {
  return (
    <select
      className="input"
      value={value}
      onChange={(e) => onChange(e.target.value as V)}
      {...control}
    >
      {options.map((option) => (
        <option key={option} value={option}>
          {optionLabel(option)}
        </option>
      ))}
    </select>
  );
}

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="campaign-group">
      <legend className="campaign-group-title">{title}</legend>
      <div className="form-grid form-grid-columns">{children}</div>
    </fieldset>
  );
}

/** One weekday's calling windows: start–end pairs on the contact's clock; none = not called that day. */
function WeekdayWindows({
  day,
  windows,
  error,
  onChange,
}: {
  day: WeekdayKey;
  windows: Window[];
  error: string | null;
  onChange: (windows: Window[]) => void;
}) {
  const { t } = useTranslation();
  const set = (index: number, part: 0 | 1, value: string) =>
    onChange(
      windows.map((w, i) => (i === index ? (part === 0 ? [value, w[1]] : [w[0], value]) : w)),
    );
  return (
    <div
      className={error ? 'campaign-weekday has-error' : 'campaign-weekday'}
      data-testid={`campaign-windows-${day}`}
    >
      <span className="campaign-weekday-name">{t(`campaignPage.weekday.${day}`)}</span>
      <div className="campaign-weekday-windows">
        {windows.length === 0 ? (
          <span className="muted">{t('campaignPage.form.notCalled')}</span>
        ) : null}
        {windows.map((w, index) => (
          <span key={index} className="campaign-window">
            <input
              className="input input-time mono"
              value={w[0]}
              onChange={(e) => set(index, 0, e.target.value)}
              aria-label={t('campaignPage.form.windowStart', {
                day: t(`campaignPage.weekday.${day}`),
                n: index + 1,
              })}
              aria-invalid={error ? true : undefined}
              data-testid="window-start"
            />
            <span aria-hidden="true">–</span>
            <input
              className="input input-time mono"
              value={w[1]}
              onChange={(e) => set(index, 1, e.target.value)}
              aria-label={t('campaignPage.form.windowEnd', {
                day: t(`campaignPage.weekday.${day}`),
                n: index + 1,
              })}
              aria-invalid={error ? true : undefined}
              data-testid="window-end"
            />
            <button
              type="button"
              className="button button-ghost button-small"
              onClick={() => onChange(windows.filter((_, i) => i !== index))}
              aria-label={t('campaignPage.form.windowRemove', {
                day: t(`campaignPage.weekday.${day}`),
                n: index + 1,
              })}
            >
              ✕
            </button>
          </span>
        ))}
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => onChange([...windows, ['09:00', '18:00']])}
          data-testid="window-add"
        >
          {t('campaignPage.form.windowAdd')}
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert" data-testid={`campaign-error-windows.${day}`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** What the form hands a fieldset of its own: the part of the draft, where changes go, and the
 * props that tie a field to its error message. */
interface FieldsetProps<Draft, Name> {
  draft: Draft;
  onChange: (change: Partial<Draft>, name: Name) => void;
  field: (
    name: CampaignFormField,
    label: string,
    help?: string,
  ) => Omit<Parameters<typeof Field>[0], 'children'>;
  control: (name: CampaignFormField, hasHelp?: boolean) => Record<string, unknown>;
}

/** Predictive mode's settings: the abandonment target and cap, their window, lines per agent, the message. */
function PredictiveFields({
  draft,
  onChange,
  field,
  control,
}: FieldsetProps<PredictiveDraft, PredictiveField>) {
  const { t } = useTranslation();
  const number = (name: 'targetPct' | 'capPct' | 'maxDialLevel' | 'windowHours') => (
    <Field
      {...field(
        `predictive.${name}`,
        t(`campaignPage.form.predictive.${name}`),
        t(`campaignPage.form.predictive.${name}Help`),
      )}
    >
      <input
        className="input input-number"
        inputMode="decimal"
        value={draft[name]}
        onChange={(e) => onChange({ [name]: e.target.value }, name)}
        {...control(`predictive.${name}`, true)}
      />
    </Field>
  );
  return (
    <fieldset className="campaign-predictive" data-testid="campaign-predictive">
      <legend className="field-label">{t('campaignPage.form.predictive.title')}</legend>
      {number('targetPct')}
      {number('capPct')}
      <Field
        {...field(
          'predictive.window',
          t('campaignPage.form.predictive.window'),
          t('campaignPage.form.predictive.windowHelp'),
        )}
      >
        <Choice
          value={draft.window}
          options={['24h', '30d', 'custom'] as const}
          optionLabel={(w) => t(`campaignPage.form.predictive.windows.${w}`)}
          onChange={(window) => onChange({ window }, 'window')}
          control={control('predictive.window', true)}
        />
      </Field>
      {draft.window === 'custom' ? number('windowHours') : null}
      {number('maxDialLevel')}
      <Field
        {...field(
          'predictive.messageLanguage',
          t('campaignPage.form.predictive.messageLanguage'),
          t('campaignPage.form.predictive.messageLanguageHelp'),
        )}
      >
        <Choice
          value={draft.messageLanguage}
          options={['both', 'zh-CN', 'en'] as const}
          optionLabel={(l) => t(`campaignPage.form.predictive.languages.${l}`)}
          onChange={(messageLanguage) => onChange({ messageLanguage }, 'messageLanguage')}
          control={control('predictive.messageLanguage', true)}
        />
      </Field>
      {(['messageZh', 'messageEn'] as const).map((name) => (
        <Field
          key={name}
          {...field(
            `predictive.${name}`,
            t(`campaignPage.form.predictive.${name}`),
            t('campaignPage.form.predictive.messageHelp'),
          )}
        >
          <textarea
            className="input"
            rows={3}
            value={draft[name]}
            onChange={(e) => onChange({ [name]: e.target.value }, name)}
            {...control(`predictive.${name}`, true)}
          />
        </Field>
      ))}
    </fieldset>
  );
}

/** Answering-machine detection: on or off, what a machine gets, and the message left after the beep. */
function AmdFields({ draft, onChange, field, control }: FieldsetProps<AmdDraft, AmdField>) {
  const { t } = useTranslation();
  const label = (name: AmdField) => t(`campaignPage.form.amd.${name}`);
  const help = (name: Exclude<AmdField, 'enabled' | 'language'>) =>
    t(`campaignPage.form.amd.${name}Help`);
  return (
    <fieldset className="campaign-predictive" data-testid="campaign-amd-fields">
      <legend className="field-label">{t('campaignPage.form.amd.title')}</legend>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => onChange({ enabled: e.target.checked }, 'enabled')}
          {...control('amd.enabled')}
        />
        <span>{label('enabled')}</span>
      </label>
      {draft.enabled ? (
        <>
          <Field {...field('amd.machineAction', label('machineAction'), help('machineAction'))}>
            <Choice
              value={draft.machineAction}
              options={['hangup', 'message', 'continue'] as const}
              optionLabel={(a) => t(`campaignPage.form.amd.actions.${a}`)}
              onChange={(machineAction) => onChange({ machineAction }, 'machineAction')}
              control={control('amd.machineAction', true)}
            />
          </Field>
          {draft.machineAction === 'message' ? (
            <>
              <Field {...field('amd.messageKind', label('messageKind'), help('messageKind'))}>
                <Choice
                  value={draft.messageKind}
                  options={['text', 'recording'] as const}
                  optionLabel={(k) => t(`campaignPage.form.amd.kinds.${k}`)}
                  onChange={(messageKind) => onChange({ messageKind }, 'messageKind')}
                  control={control('amd.messageKind', true)}
                />
              </Field>
              {draft.messageKind === 'text' ? (
                <>
                  <Field {...field('amd.text', label('text'), help('text'))}>
                    <textarea
                      className="input"
                      rows={3}
                      value={draft.text}
                      onChange={(e) => onChange({ text: e.target.value }, 'text')}
                      {...control('amd.text', true)}
                    />
                  </Field>
                  <Field {...field('amd.language', label('language'))}>
                    <Choice
                      value={draft.language}
                      options={['en', 'zh-CN'] as const}
                      optionLabel={(l) => t(`campaignPage.form.predictive.languages.${l}`)}
                      onChange={(language) => onChange({ language }, 'language')}
                      control={control('amd.language')}
                    />
                  </Field>
                </>
              ) : (
                <Field {...field('amd.recording', label('recording'), help('recording'))}>
                  <input
                    className="input mono"
                    value={draft.recording}
                    onChange={(e) => onChange({ recording: e.target.value }, 'recording')}
                    autoComplete="off"
                    placeholder={t('campaignPage.form.amd.recordingPlaceholder')}
                    {...control('amd.recording', true)}
                  />
                </Field>
              )}
              <Field {...field('amd.beepWaitSec', label('beepWaitSec'), help('beepWaitSec'))}>
                <input
                  className="input input-number"
                  inputMode="decimal"
                  value={draft.beepWaitSec}
                  onChange={(e) => onChange({ beepWaitSec: e.target.value }, 'beepWaitSec')}
                  {...control('amd.beepWaitSec', true)}
                />
              </Field>
            </>
          ) : null}
        </>
      ) : null}
    </fieldset>
  );
}
