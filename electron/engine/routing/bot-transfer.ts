/**
 * The bot's `transfer` dependency over routing: a live CallSession becomes a TransferCall (its
 * takeover switches the media host's audio to the agent's chosen devices from Settings), and the
 * routing result becomes what the bot acts on (an agent took it, or the queue's fallback).
 */
import type { BotTransferContext, BotTransferResult } from '../bot/call-bot.js';
import type { CallSession, SeatRemote } from '../telephony/call-session.js';
import type { CallEventData, CallEventType } from '../telephony/index.js';
import type { RoutingService, TransferCall } from './routing-service.js';

export interface AgentAudioDevices {
  inputDeviceId: string;
  outputDeviceId: string;
  /** The agent sits at another seat: a bridged SIP leg to its line (seats/). */
  remote?: SeatRemote;
}

/** The devices (or the seat leg) for the agent taking the call. */
export type AgentDevicesFor = (agentId: number) => Promise<AgentAudioDevices>;

export function transferCallOf(session: CallSession, devices: AgentDevicesFor): TransferCall {
  return {
    callId: session.callId,
    number: session.number,
    get isUp() {
      return session.isUp;
    },
    whenEnded: () => session.whenEnded(),
    note: <K extends CallEventType>(type: K, data: CallEventData<K>) => session.note(type, data),
    takeOver: async (agentId) => session.agentTakeover(agentId, await devices(agentId)),
  };
}

export function botTransfer(routing: RoutingService, devices: AgentDevicesFor) {
  return async (
    session: CallSession,
    queue: string,
    reason: string,
    context: BotTransferContext,
  ): Promise<BotTransferResult> => {
    const result = await routing.transfer(transferCallOf(session, devices), {
      queue,
      reason,
      fields: context.fields,
      lastIntent: context.lastIntent,
      transcript: context.transcript,
    });
    if (result.taken) return true;
    return {
      taken: false,
      fallback: result.fallback,
      callbackAt: 'callbackAt' in result ? result.callbackAt : null,
    };
  };
}
