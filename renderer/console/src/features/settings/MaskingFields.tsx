/**
 * The Settings form's masking switches (issue 15 §1): which roles see personal data masked, and
 * whether names and amounts are masked too. Saved with the rest of the form (settings.update,
 * audited); the engine applies them to every connection at once (privacy/view.ts).
 */
import { useTranslation } from 'react-i18next';

import { MASKING_KEYS } from './settingsDraft.js';

type MaskingKey = (typeof MASKING_KEYS)[number];

interface MaskingFieldsProps {
  values: Record<MaskingKey, boolean>;
  onChange: (key: MaskingKey, value: boolean) => void;
  /** The control's id and ARIA wiring, as the form gives every field. */
  control: (key: MaskingKey) => Record<string, unknown> & { id: string };
}

export function MaskingFields({ values, onChange, control }: MaskingFieldsProps) {
  const { t } = useTranslation();
  return (
    <fieldset className="field-group" data-testid="settings-masking">
      <legend className="field-label">{t('masking.sectionTitle')}</legend>
      {MASKING_KEYS.map((key) => {
        const props = control(key);
        return (
          <div key={key} className="field field-checkbox">
            <div className="checkbox">
              <input
                type="checkbox"
                checked={values[key]}
                onChange={(e) => onChange(key, e.target.checked)}
                {...props}
              />
              <label htmlFor={props.id} className="field-label">
                {t(`settings.fields.${key}.label`)}
              </label>
            </div>
            <p className="field-help" id={`${props.id}-help`}>
              {t(`settings.fields.${key}.help`)}
            </p>
          </div>
        );
      })}
    </fieldset>
  );
}
