import type { ReactNode } from 'react';

interface FieldProps {
  /** The id of the control inside; the label points at it. */
  htmlFor: string;
  label: string;
  help?: string;
  /** The error shown under the control (from the API or a local check). */
  error?: string | null;
  errorTestId?: string;
  /** Units or similar shown right of the control. */
  suffix?: string;
  children: ReactNode;
}

/** Label, control, help and error, wired for assistive technology (see fieldDescribedBy). */
export function Field({ htmlFor, label, help, error, errorTestId, suffix, children }: FieldProps) {
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label className="field-label" htmlFor={htmlFor}>
        {label}
      </label>
      <div className="field-control">
        {children}
        {suffix ? <span className="field-suffix">{suffix}</span> : null}
      </div>
      {error ? (
        <p className="field-error" id={`${htmlFor}-error`} role="alert" data-testid={errorTestId}>
          {error}
        </p>
      ) : null}
      {help ? (
        <p className="field-help" id={`${htmlFor}-help`}>
          {help}
        </p>
      ) : null}
    </div>
  );
}

/** aria-describedby / aria-invalid for the control inside a Field with the same id. */
export function fieldAria(id: string, hasHelp: boolean, error: string | null | undefined) {
  const describedBy = [error ? `${id}-error` : '', hasHelp ? `${id}-help` : '']
    .filter(Boolean)
    .join(' ');
  return {
    'aria-describedby': describedBy || undefined,
    'aria-invalid': error ? true : undefined,
  } as const;
}
