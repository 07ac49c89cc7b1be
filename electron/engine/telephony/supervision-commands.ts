/**
 * The API's supervision commands (calls.supervise, calls.unsupervise) over the live CallSessions:
 * the supervisor's devices from Settings, routing told when a barge took a waiting transfer, and
 * every start, mode change and end audited. (The Live wall learns it from the session's state.)
 */
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import type { SupervisionMode } from '../api/supervision.js';
import type { Actor } from '../audit/index.js';
import type { Principal } from '../auth/index.js';
import { SeatLinkError } from '../seats/index.js';
import type { JsonObject } from '../store/types.js';
import { CallNotUpError, SupervisionError } from './call-session.js';
import { MediaHostCommandError } from './media-host-client.js';
import { MediaHostUnavailableError } from './media-host-supervisor.js';
import { type Telephony, TelephonyError } from './telephony-service.js';

/** One audited supervision step (api/audit.ts's `supervision.*` actions). */
export interface SupervisionAuditEntry {
  action: 'supervision.start' | 'supervision.mode' | 'supervision.end';
  /** The call's id. */
  subject: string;
  details: JsonObject;
}

/**
 * What the dispatcher tells a handler about the request; structural, so it takes the dispatcher's
 * request context (with the signed-in principal) as well as nothing at all.
 */
interface RequestLike {
  principal?: Principal | null;
}

export interface SupervisionDeps {
  telephony: Telephony;
  /** Who is acting when the request names no signed-in person (the shell's name). */
  actor: string;
  /** The supervisor's microphone and speaker chosen in Settings ('' = the system default). */
  devices(): Promise<{ inputDeviceId: string; outputDeviceId: string }>;
  /** A barge took the call from the bot while it waited for an agent: routing withdraws the offer. */
  withdrawTransfer(callId: string): void;
  /**
   * The audit trail's hook: every start, mode change and end (and takeover) of a supervision is
   * written here. The engine wires it to the store's audit log.
   */
  auditSupervision(entry: SupervisionAuditEntry, actor: Actor): Promise<void>;
  /**
   * Seats sharing one store (seats/): a call another seat holds is supervised over a SIP leg to
   * this seat; the call's seat makes the mix. Absent on one seat.
   */
  remote?: {
    isRemoteCall(callId: string): Promise<boolean>;
    supervise(
      callId: string,
      mode: SupervisionMode,
      userId: number,
    ): Promise<{ mode: SupervisionMode; previous: SupervisionMode | null; takeover: boolean }>;
    unsupervise(callId: string, userId: number): Promise<{ mode: SupervisionMode | null }>;
  };
}

type SupervisionCommandName = 'calls.supervise' | 'calls.unsupervise';

export function supervisionCommandHandlers(
  deps: SupervisionDeps,
): Pick<CommandHandlers, SupervisionCommandName> {
  const { telephony } = deps;
  const actorOf = (request?: RequestLike): string => request?.principal?.name ?? deps.actor;
  // The audit trail keeps the whole principal (id, role, source, address), not only the name.
  const auditActorOf = (request?: RequestLike): Actor => request?.principal ?? deps.actor;
  // Another seat's live call, asked by a signed-in person (the leg is theirs, by user id).
  const remoteCall = async (callId: string, request?: RequestLike) => {
    const userId = request?.principal?.userId ?? 0;
    if (!deps.remote || telephony.get(callId) || userId <= 0) return null;
    if (!(await deps.remote.isRemoteCall(callId))) return null;
    return { seats: deps.remote, userId };
  };
  return {
    'calls.supervise': ({ callId, mode }, request?: RequestLike) =>
      apiErrors(async () => {
        const actor = actorOf(request);
        const remote = await remoteCall(callId, request);
        if (remote) {
          const result = await remote.seats.supervise(callId, mode, remote.userId);
          if (result.previous !== mode)
            await deps.auditSupervision(
              {
                action: result.previous === null ? 'supervision.start' : 'supervision.mode',
                subject: callId,
                details: {
                  mode,
                  takeover: false,
                  callState: 'another seat',
                  ...(result.previous === null ? {} : { from: result.previous }),
                },
              },
              auditActorOf(request),
            );
          return result;
        }
        const session = telephony.require(callId);
        const stateBefore = session.state;
        const result = await session.supervise(mode, await deps.devices(), actor);
        if (result.takeover && stateBefore === 'transferring') deps.withdrawTransfer(callId);
        if (result.previous === null)
          await deps.auditSupervision(
            {
              action: 'supervision.start',
              subject: callId,
              details: auditDetails(mode, result.takeover, stateBefore),
            },
            auditActorOf(request),
          );
        else if (result.previous !== mode)
          await deps.auditSupervision(
            {
              action: 'supervision.mode',
              subject: callId,
              details: {
                ...auditDetails(mode, result.takeover, stateBefore),
                from: result.previous,
              },
            },
            auditActorOf(request),
          );
        return result;
      }),
    'calls.unsupervise': ({ callId }, request?: RequestLike) =>
      apiErrors(async () => {
        const actor = actorOf(request);
        const remote = await remoteCall(callId, request);
        if (remote) {
          const left = await remote.seats.unsupervise(callId, remote.userId);
          if (left.mode !== null)
            await deps.auditSupervision(
              {
                action: 'supervision.end',
                subject: callId,
                details: { mode: left.mode, hungUp: false },
              },
              auditActorOf(request),
            );
          return { mode: left.mode, hungUp: false };
        }
        const session = telephony.require(callId);
        const result = await session.unsupervise(actor);
        if (result.mode === null) return result;
        await deps.auditSupervision(
          {
            action: 'supervision.end',
            subject: callId,
            details: { mode: result.mode, hungUp: result.hungUp },
          },
          auditActorOf(request),
        );
        return result;
      }),
  };
}

function auditDetails(mode: SupervisionMode, takeover: boolean, state: string): JsonObject {
  return { mode, takeover, callState: state };
}

async function apiErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof SupervisionError) throw new ApiError(error.code, error.message);
    if (error instanceof TelephonyError)
      throw new ApiError(
        error.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'UNAVAILABLE',
        error.message,
        error.field,
      );
    if (error instanceof CallNotUpError) throw new ApiError('CONFLICT', error.message);
    if (error instanceof SeatLinkError) throw new ApiError(error.code, error.message);
    if (error instanceof MediaHostUnavailableError)
      throw new ApiError('UNAVAILABLE', error.message);
    if (error instanceof MediaHostCommandError)
      throw new ApiError(
        error.code === 'NO_SUCH_CALL'
          ? 'NOT_FOUND'
          : error.code === 'CALL_STATE'
            ? 'CONFLICT'
            : 'UNAVAILABLE',
        error.message,
      );
    throw error;
  }
}
