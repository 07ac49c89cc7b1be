/**
 * The console's one door to the engine's API definitions (electron/engine/api, pure TypeScript).
 * Features import from here, never from across the tree.
 */
import type { CampaignSummary } from '../../../../electron/engine/api/contract.js';

export {
  type ClientTransport,
  createApiClient,
  type OutboundApi,
} from '../../../../electron/engine/api/client.js';
export {
  type Agent,
  AgentRole,
  AgentStatus,
  CALL_OUTCOMES,
  type CallDetail,
  type CallEvent,
  type CallOutcome,
  type CallState,
  type CallSummary,
  type CallTransition,
  type CallUtterance,
  type CampaignSummary,
  type ChatEnded,
  type ChatTurn,
  type CommandName,
  type CommandParams,
  type CommandResult,
  DEFAULT_SETTINGS,
  type EventData,
  type EventName,
  type FlowDetail,
  type FlowEvalReport,
  type FlowIssueView,
  type FlowSummary,
  type FlowTraining,
  type LabelAccuracy,
  type Language,
  LANGUAGES,
  type LiveCall,
  NONE_INTENT,
  type RecordingInfo,
  SETTING_KEYS,
  type SettingKey,
  type Settings,
  Speaker,
  type SupervisionMode,
  type TrunkHealthState,
  TrunkRole,
  TrunkTransferMode,
  type TrunkView,
  type Utterance,
  type UtteranceLabel,
} from '../../../../electron/engine/api/contract.js';
export { ApiError } from '../../../../electron/engine/api/errors.js';
export {
  createWebSocketTransport,
  type WebSocketLike,
} from '../../../../electron/engine/api/ws-client.js';

export type CampaignStatusName = CampaignSummary['status'];
export type DialingMode = CampaignSummary['dialingMode'];

// Contact lists, imports and campaign pages.
export {
  type AbandonWindow,
  type CampaignContact,
  CampaignContactStatus,
  type CampaignDetail,
  type CampaignProgress,
  type ContactListSummary,
  DEFAULT_ABANDON_MESSAGES,
  DEFAULT_RETRY_POLICY,
  DialingMode as DialingModeSchema,
  type ExplainedReason,
  type ImportPreview,
  type ImportProgressData,
  type ImportRejectedRow,
  type ImportStatus,
  WEEKDAY_KEYS,
  type WeekdayKey,
} from '../../../../electron/engine/api/contract.js';

// The audit trail (the Audit page, admins).
export {
  AUDIT_ACTION_NAMES,
  AUDIT_ACTIONS,
  AUDIT_KINDS,
  type AuditAction,
  type AuditEntry,
  type AuditKind,
} from '../../../../electron/engine/api/contract.js';

// The wallboard and the reports (supervisors).
export {
  type AgentTime,
  KPI_TARGETS,
  type KpiFigures,
  type KpiWindow,
  type Wallboard,
  WALLBOARD_WINDOWS,
  type WallboardWindowName,
} from '../../../../electron/engine/api/contract.js';

// Sign-in, users and the role map (issue 13).
export {
  type UserRole,
  type UserView,
  type WhoAmI,
} from '../../../../electron/engine/api/contract.js';
// Preview dialing (the Agent desk's next contact).
export {
  type AgentPreview,
  PREVIEW_SKIP_REASONS,
  type PreviewSkipReason,
} from '../../../../electron/engine/api/contract.js';
export { mayRun } from '../../../../electron/engine/api/roles.js';
// Masking (issue 15 §1): the field privacy.unmask shows.
export { type UnmaskField } from '../../../../electron/engine/api/contract.js';
