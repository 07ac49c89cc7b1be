/**
 * Dialable numbers. A number is digits with an optional leading "+" (and * or # for PBX codes);
 * spaces, dashes, dots and brackets people type are removed. Anything else is refused with a
 * message that says what is wrong. (E.164 normalization per region comes with contact import.)
 */
export type NumberCheck = { ok: true; number: string } | { ok: false; message: string };

export function checkDialNumber(input: string): NumberCheck {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, message: 'is empty' };
  const compact = trimmed.replace(/[\s\-.()]/g, '');
  if (/[a-z]/i.test(compact))
    return {
      ok: false,
      message: `"${input}" contains letters; a phone number has digits only (and an optional leading +)`,
    };
  if (!/^\+?[0-9*#]+$/.test(compact))
    return { ok: false, message: `"${input}" contains characters a phone number cannot have` };
  const digits = compact.replace(/\D/g, '');
  if (digits.length < 2 || digits.length > 20)
    return {
      ok: false,
      message: `"${input}" has ${digits.length} digits; a phone number has 2 to 20`,
    };
  return { ok: true, number: compact };
}
