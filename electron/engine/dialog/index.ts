/**
 * dialog/ — the bot's conversation: the JSON flow format (zod schemas, published as
 * docs/flow.schema.json), validation with node-level errors, and the DialogRuntime that runs one
 * call through one flow version over a DialogChannel (audio call, typed test chat, or a fake).
 * Node kinds: say, ask, branch, set, transfer, callback, hangup — one cancellable class each.
 * Text answers go through nlu/ (intents from each ask's example phrases, entities in the contact's
 * time zone). Pure TypeScript, no electron import.
 */
export { CompiledFlow, CompiledFlowCache } from './compile.js';
export {
  DialogCancelledError,
  DialogContext,
  type NodeExecutor,
  type NodeResult,
} from './context.js';
export {
  AskNode,
  BranchNode,
  CallbackNode,
  createNodeExecutor,
  evaluateCondition,
  HangupNode,
  SayNode,
  SetNode,
  spokenTime,
  TransferNode,
} from './nodes/index.js';
export { type OpeningPrompt, openingPrompts } from './opening.js';
export { DialogRuntime, type DialogRuntimeOptions } from './runtime.js';
export { APPOINTMENT_EN, BILL_REMINDER_ZH, SAMPLE_FLOWS } from './samples/index.js';
export {
  type Condition,
  CONDITION_OPS,
  ENTITY_KINDS,
  type EntityKind,
  type Flow,
  FLOW_LANGUAGES,
  type FlowFile,
  FlowFileSchema,
  flowJsonSchema,
  type FlowLanguage,
  type FlowNode,
  FlowNodeSchema,
  type Intent,
  type Literal,
  NODE_KINDS,
  type NodeKind,
  type NodeOf,
  type PromptText,
  type SetValue,
} from './schema.js';
export {
  promptIn,
  type PromptPart,
  promptParts,
  renderTemplate,
  templateVariables,
} from './template.js';
export {
  type ChannelAction,
  type ScriptedAnswer,
  ScriptedChannel,
} from './testing/scripted-channel.js';
export type {
  Answer,
  DialogChannel,
  DialogContact,
  DialogEvent,
  DialogEventType,
  DialogListener,
  DialogOutcome,
  EndReason,
  ListenOptions,
  ListenResult,
  SayOptions,
} from './types.js';
export {
  checkFlow,
  type FlowCheck,
  type FlowIssue,
  FlowValidationError,
  nodeTargets,
  validateFlow,
} from './validate.js';
