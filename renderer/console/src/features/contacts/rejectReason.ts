/**
 * A rejected row's reason in the console's language. The engine words each reason in English
 * (the CLI prints them; the downloaded CSV keeps them); the common ones are recognised here by
 * their fixed wording and shown translated, anything else as the engine wrote it.
 */
export type RejectKey =
  'noPhone' | 'invalidPhone' | 'roundedNumber' | 'columnCount' | 'notNumber' | 'notTimeZone';

export const PHONE_WHYS = [
  'too short',
  'too long',
  'wrong length',
  'unknown country code',
  'not a phone number',
  'not a number in use',
] as const;
export type PhoneWhy = (typeof PHONE_WHYS)[number];

export type RejectMessage =
  | { key: Exclude<RejectKey, 'invalidPhone'>; values: Record<string, string> }
  | { key: 'invalidPhone'; values: { value: string }; why: PhoneWhy };

export function rejectMessage(reason: string): RejectMessage | null {
  if (reason === 'no phone number') return { key: 'noPhone', values: {} };
  let m = /^invalid phone number "(.*)" \(stored by the spreadsheet as a rounded number\)$/s.exec(
    reason,
  );
  if (m) return { key: 'roundedNumber', values: { value: m[1] as string } };
  m = /^invalid phone number "(.*)" \(([a-z ]+)\)$/s.exec(reason);
  if (m && (PHONE_WHYS as readonly string[]).includes(m[2] as string))
    return { key: 'invalidPhone', values: { value: m[1] as string }, why: m[2] as PhoneWhy };
  m = /^wrong column count: (\d+) columns?, the header has (\d+)$/.exec(reason);
  if (m) return { key: 'columnCount', values: { found: m[1] as string, expected: m[2] as string } };
  m = /^(.*): "(.*)" is not a number$/s.exec(reason);
  if (m) return { key: 'notNumber', values: { column: m[1] as string, value: m[2] as string } };
  m = /^(.*): "(.*)" is not a time zone \(use an IANA name such as Asia\/Shanghai\)$/s.exec(reason);
  if (m) return { key: 'notTimeZone', values: { column: m[1] as string, value: m[2] as string } };
  return null;
}
