/**
 * The allowed values of every enumerated column, taken from the API contract where it defines
 * them, so the schema's CHECK constraints and the contract cannot drift apart.
 */
import {
  AgentRole,
  AgentStatus,
  CALL_OUTCOMES,
  CALL_STATES,
  CampaignStatus,
  CampaignSummarySchema,
  LANGUAGES,
  Speaker,
} from '../api/contract.js';
import type { CampaignRecord, DispositionRecord, TrunkRecord } from './types.js';

export const ENUMS = {
  callStates: CALL_STATES,
  callOutcomes: CALL_OUTCOMES,
  speakers: Speaker.options,
  agentRoles: AgentRole.options,
  agentStatuses: AgentStatus.options,
  languages: LANGUAGES,
  campaignStatuses: CampaignStatus.options satisfies readonly CampaignRecord['status'][],
  dialingModes: CampaignSummarySchema.shape.dialingMode
    .options satisfies readonly CampaignRecord['dialingMode'][],
  trunkRoles: ['primary', 'backup'] as const satisfies readonly TrunkRecord['role'][],
  dispositionKinds: ['system', 'agent'] as const satisfies readonly DispositionRecord['kind'][],
} as const;
