/**
 * The console's one door to the engine's API definitions (electron/engine/api, pure TypeScript).
 * Features import from here, never from across the tree.
 */
export {
  AgentRole,
  AgentStatus,
  CALL_OUTCOMES,
  CALL_STATES,
  CampaignStatus,
  DEFAULT_SETTINGS,
  LANGUAGES,
  SETTING_KEYS,
  SettingsSchema,
  Speaker,
  TRUNK_HEALTH_STATES,
  TrunkRole,
  type Agent,
  type AppInfo,
  type CallDetail,
  type CallEvent,
  type CallOutcome,
  type CallState,
  type CallSummary,
  type CallTransition,
  type RecordingInfo,
  type CampaignSummary,
  type CommandName,
  type CommandParams,
  type CommandResult,
  type EventData,
  type EventName,
  type FlowSummary,
  type FlowTraining,
  type FlowDetail,
  type FlowIssueView,
  type ChatTurn,
  type ChatEnded,
  type CallUtterance,
  type Language,
  type LiveCall,
  type SecretStorage,
  type SettingKey,
  type Settings,
  type TrunkHealth,
  type TrunkHealthState,
  type TrunkView,
  type Utterance,
} from '../../../../electron/engine/api/contract.js';
export { ApiError, type ApiErrorCode, API_ERROR_CODES } from '../../../../electron/engine/api/errors.js';
export { createApiClient, type ClientTransport, type OutboundApi } from '../../../../electron/engine/api/client.js';
export {
  createWebSocketTransport,
  type ConnectionState,
  type WebSocketLike,
} from '../../../../electron/engine/api/ws-client.js';

export type CampaignStatusName = import('../../../../electron/engine/api/contract.js').CampaignSummary['status'];
export type DialingMode = import('../../../../electron/engine/api/contract.js').CampaignSummary['dialingMode'];

// Contact lists, imports and campaign pages.
export {
  CampaignContactStatus,
  DEFAULT_RETRY_POLICY,
  DialingMode as DialingModeSchema,
  IMPORT_CHUNK_BYTES,
  WEEKDAY_KEYS,
  type CampaignConfigInput,
  type CampaignContact,
  type CampaignDetail,
  type CampaignProgress,
  type ContactListSummary,
  type ExplainedReason,
  type ImportPreview,
  type ImportProgressData,
  type ImportRejectedRow,
  type ImportStatus,
  type WeekdayKey,
} from '../../../../electron/engine/api/contract.js';
