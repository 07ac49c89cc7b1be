/**
 * The API's call commands (calls.dial, hangup, dtmf, hold, transfer) over the telephony service,
 * with its errors turned into API errors that name the field.
 */
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { CallNotUpError } from './call-session.js';
import { MediaHostCommandError } from './media-host-client.js';
import { MediaHostUnavailableError } from './media-host-supervisor.js';
import type { Telephony } from './telephony-service.js';
import { TelephonyError } from './telephony-service.js';

type CallCommandName =
  'calls.dial' | 'calls.hangup' | 'calls.dtmf' | 'calls.hold' | 'calls.transfer';

export function callCommandHandlers(
  telephony: Telephony,
  actor: string,
): Pick<CommandHandlers, CallCommandName> {
  return {
    'calls.dial': ({ number, trunk, ringTimeoutMs }) =>
      apiErrors(async () => {
        const session = await telephony.dial({
          number,
          ...(trunk === undefined ? {} : { trunk }),
          ...(ringTimeoutMs === undefined ? {} : { ringTimeoutMs }),
        });
        return { callId: session.callId };
      }),
    'calls.hangup': ({ id }) =>
      apiErrors(async () => {
        await telephony.require(id).hangup(`hung up by ${actor}`, actor);
        return {};
      }),
    'calls.dtmf': ({ id, digits, transport }) =>
      apiErrors(async () => {
        await telephony.require(id).sendDtmf(digits, transport);
        return {};
      }),
    'calls.hold': ({ id, hold }) =>
      apiErrors(async () => ({ done: await telephony.require(id).hold(hold) })),
    'calls.transfer': ({ id, target }) =>
      apiErrors(async () => {
        const session = telephony.require(id);
        const uri = target.startsWith('sip:')
          ? target
          : `sip:${target.replace(/[\s\-()]/g, '')}@${session.trunk.domain}`;
        if (!/^sip:[^@\s]+@[^@\s]+$/.test(uri))
          throw new ApiError(
            'INVALID_PARAMS',
            `target: "${target}" is neither a number nor a sip: URI`,
            'target',
          );
        await session.refer(uri);
        return {};
      }),
  };
}

async function apiErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof TelephonyError) {
      const code =
        error.code === 'INVALID_NUMBER'
          ? 'INVALID_PARAMS'
          : error.code === 'NOT_FOUND' || error.code === 'NO_TRUNK'
            ? 'NOT_FOUND'
            : error.code === 'TRUNK_FULL'
              ? 'CONFLICT'
              : 'UNAVAILABLE';
      throw new ApiError(code, error.message, error.field);
    }
    if (error instanceof CallNotUpError) throw new ApiError('CONFLICT', error.message);
    if (error instanceof MediaHostUnavailableError)
      throw new ApiError('UNAVAILABLE', error.message);
    if (error instanceof MediaHostCommandError)
      throw new ApiError(
        error.code === 'NO_SUCH_CALL' ? 'NOT_FOUND' : 'UNAVAILABLE',
        error.message,
      );
    throw error;
  }
}
