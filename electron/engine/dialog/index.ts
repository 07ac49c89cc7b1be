/**
 * dialog/ — the bot's conversation: the JSON flow format (zod schemas, published as
 * docs/flow.schema.json), validation with node-level errors, and the DialogRuntime that runs one
 * call through one flow version over a DialogChannel (audio call, typed test chat, or a fake).
 * Node kinds: say, ask, branch, set, transfer, callback, hangup — one cancellable class each.
 * Text answers go through nlu/ (intents from each ask's example phrases, entities in the contact's
 * time zone). Pure TypeScript, no electron import.
 */
export { CompiledFlow, CompiledFlowCache } from './compile.js';
export { confirmationQuestion } from './confirm.js';
export { openingPrompts } from './opening.js';
export { DialogRuntime } from './runtime.js';
export { APPOINTMENT_EN, BILL_REMINDER_ZH, SAMPLE_FLOWS } from './samples/index.js';
export {
  DEFAULT_DISCLOSURE_TEXT,
  DISCLOSURE_NODE_ID,
  disclosureText,
  type Flow,
  type FlowLanguage,
  type Literal,
  type NodeOf,
} from './schema.js';
export {
  promptIn,
  type PromptPart,
  promptParts,
  renderTemplate,
  templateVariables,
} from './template.js';
export type {
  DialogChannel,
  DialogContact,
  DialogEvent,
  DialogOutcome,
  ListenResult,
} from './types.js';
export { checkFlow, type FlowIssue, validateFlow } from './validate.js';
