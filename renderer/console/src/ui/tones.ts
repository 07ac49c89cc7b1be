/** Which colour a status gets. Colour is never the only signal: the badge always has its word. */
import type {
  AgentStatus,
  CallOutcome,
  CallState,
  CampaignStatusName,
  TrunkHealthState,
} from '../api/contract.js';
import type { Tone } from './Badge.js';

export const callStateTone: Record<CallState, Tone> = {
  queued: 'neutral',
  dialing: 'info',
  ringing: 'info',
  answered: 'active',
  bot: 'active',
  transferring: 'warning',
  agent: 'success',
  wrap_up: 'neutral',
  done: 'neutral',
};

export const outcomeTone: Record<CallOutcome, Tone> = {
  completed: 'success',
  transferred: 'success',
  busy: 'warning',
  no_answer: 'neutral',
  failed: 'danger',
  machine: 'neutral',
  abandoned: 'danger',
  invalid_number: 'warning',
};

export const campaignTone: Record<CampaignStatusName, Tone> = {
  draft: 'neutral',
  running: 'success',
  paused: 'warning',
  stopped: 'neutral',
  completed: 'info',
};

export const agentStatusTone: Record<AgentStatus, Tone> = {
  available: 'success',
  offered: 'warning',
  on_call: 'active',
  wrap_up: 'info',
  away: 'neutral',
  offline: 'neutral',
};

export const trunkHealthTone: Record<TrunkHealthState, Tone> = {
  idle: 'neutral',
  connecting: 'info',
  connected: 'info',
  registering: 'info',
  registered: 'success',
  down: 'danger',
};
