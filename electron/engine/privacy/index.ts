/**
 * privacy/ — personal data under PIPL: detectors for Chinese and English text (mainland mobiles,
 * fixed lines and other numbers libphonenumber-js knows, 18-digit 身份证 numbers by their GB 11643
 * check character, bank cards by length and Luhn, e-mail addresses, and amounts when configured;
 * digits typed or spoken as words, 幺三八 / "one three eight" / "double five"), and the maskers
 * that replace what was found in place (138****5678, 622202******1234, 110101********123X,
 * a***@x.com, 张*丰). Everything that shows personal data or lets it leave the app masks through
 * here: `PrivacyView` (view.ts) masks every command result and event a connection gets, by its
 * role and the masking settings; `privacy.unmask` (unmask.ts) shows one field of one call to a
 * supervisor or admin, audited; log.ts masks every log line; History's CSV export masks unless an
 * admin asks otherwise. The detectors and maskers are pure and synchronous.
 */
export {
  type DetectOptions,
  findPersonalData,
  idCardCheckCharacter,
  isValidIdCard,
  luhnValid,
  type PersonalDataKind,
  type PersonalDataMatch,
} from './detect.js';
export { maskName, maskText, maskValue } from './mask.js';
export { unmaskCommandHandlers } from './unmask.js';
export {
  maskCallEvents,
  Masker,
  type MaskingPolicy,
  maskingPolicyOf,
  PrivacyView,
  type Viewer,
} from './view.js';
