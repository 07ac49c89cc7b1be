/**
 * amd/ — answering-machine detection from a call's audio, offline: the detector (greeting length
 * and cadence, silence after it, word count, initial silence), the voicemail beep detector, and
 * the per-call wiring that runs them from the answer, stores the decision on the call and carries
 * out the campaign's machine action.
 */
export { type Beep, BeepDetector, type BeepOptions, type BeepStep } from './beep.js';
export { attachAmd, type CallAmd, type CallAmdOptions } from './call-amd.js';
export {
  AMD_TUNING,
  type AmdDecision,
  AmdDetector,
  type AmdDetectorOptions,
  type AmdEvent,
  type AmdReason,
  type AmdResult,
  type AmdTuning,
} from './detector.js';
