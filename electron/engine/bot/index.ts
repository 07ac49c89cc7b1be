/**
 * bot/ — the speech bot on real calls: `CallBot` runs one flow version over one call (prompts
 * played through the call, customer utterances endpointed by the VAD and recognized by the ask
 * node's phrase model, DTMF, barge-in, transcript lines, disposition, hang-up or transfer); each
 * prompt is a `SpeechHandle` (speech-handle.ts: pause, resume from the cut, interrupt), customer
 * speech over a prompt is weighed by `InterruptionDetector` (interruption.ts: barge-in or a false
 * interruption that resumes the prompt), and turn-detector.ts ends the customer's turn early
 * after a confident recognition or late after an incomplete one;
 * `PhraseModels` trains the phrase models of a flow when it is saved (the `FlowTrainer` the flows
 * service calls) and pre-renders its static prompts; `PromptRenderer` turns text into frames
 * through the prompt cache. `listenToCall` is the bare VAD-on-a-call used without a flow.
 */
export { type BotOutcome } from './call-bot.js';
export { listenToCall } from './listener.js';
export { PhraseModels } from './phrase-models.js';
export { defaultVoice, PromptRenderer } from './prompts.js';
