/**
 * dialog/ — the bot's conversation: the JSON flow format (zod schemas, published as
 * docs/flow.schema.json), validation with node-level errors, and the DialogRuntime that runs one
 * call through one flow version over a DialogChannel (audio call, typed test chat, or a fake).
 * Node kinds: say, ask, branch, set, transfer, callback, hangup — one cancellable class each.
 * Text answers go through nlu/ (intents from each ask's example phrases, entities in the contact's
 * time zone). Pure TypeScript, no electron import.
 */
export {
  FLOW_LANGUAGES,
  NODE_KINDS,
  ENTITY_KINDS,
  CONDITION_OPS,
  FlowFileSchema,
  FlowNodeSchema,
  flowJsonSchema,
  type Condition,
  type EntityKind,
  type Flow,
  type FlowFile,
  type FlowLanguage,
  type FlowNode,
  type Intent,
  type Literal,
  type NodeKind,
  type NodeOf,
  type PromptText,
  type SetValue,
} from './schema.js';
export { checkFlow, validateFlow, nodeTargets, FlowValidationError, type FlowCheck, type FlowIssue } from './validate.js';
export { CompiledFlow, CompiledFlowCache } from './compile.js';
export { DialogRuntime, type DialogRuntimeOptions } from './runtime.js';
export { DialogCancelledError, DialogContext, type NodeExecutor, type NodeResult } from './context.js';
export {
  createNodeExecutor,
  AskNode,
  BranchNode,
  CallbackNode,
  HangupNode,
  SayNode,
  SetNode,
  TransferNode,
  evaluateCondition,
  spokenTime,
} from './nodes/index.js';
export { promptIn, renderTemplate, templateVariables } from './template.js';
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
export { APPOINTMENT_EN, BILL_REMINDER_ZH, SAMPLE_FLOWS } from './samples/index.js';
export { ScriptedChannel, type ScriptedAnswer, type ChannelAction } from './testing/scripted-channel.js';
