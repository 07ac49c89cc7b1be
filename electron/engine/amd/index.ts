/**
 * amd/ — answering-machine detection from a call's audio, offline: the detector (greeting length
 * and cadence, silence after it, word count, initial silence) with its voicemail beep detector
 * (beep.ts), and the per-call wiring that runs them from the answer, stores the decision on the
 * call and carries out the campaign's machine action (call-amd.ts).
 */
export { attachAmd } from './call-amd.js';
export { type AmdDecision, AmdDetector, type AmdTuning } from './detector.js';
