/** The API's privacy.* commands over the RetentionService (admins only: api/roles.ts). */
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { type Actor, requestActor } from '../audit/index.js';
import { RetentionRequestError, type RetentionService } from './service.js';

type PrivacyCommandName =
  'privacy.status' | 'privacy.purge' | 'privacy.erase' | 'privacy.export' | 'privacy.exportChunk';

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof RetentionRequestError)) throw error;
    switch (error.code) {
      case 'INVALID_NUMBER':
      case 'NOT_CONFIRMED':
        throw new ApiError(
          'INVALID_PARAMS',
          `${error.field ?? 'number'}: ${error.message}`,
          error.field,
        );
      case 'NOT_FOUND':
        throw new ApiError('NOT_FOUND', error.message, error.field);
      case 'CALL_IN_PROGRESS':
      case 'BUSY':
        throw new ApiError('CONFLICT', error.message);
    }
  }
}

export function privacyCommandHandlers(
  service: RetentionService,
  actor: Actor,
): Pick<CommandHandlers, PrivacyCommandName> {
  return {
    'privacy.status': async () => ({
      lastPurge: await service.lastPurge(),
      nextPurgeAt: await service.nextPurgeAt(),
      erasedNumbers: await service.erasedCount(),
    }),
    'privacy.purge': ({ dryRun }, context) =>
      service.purge({ dryRun, trigger: 'manual', actor: requestActor(context, actor) }),
    'privacy.erase': ({ number, region, confirm }, context) =>
      mapped(() =>
        service.erase({
          number,
          confirm,
          actor: requestActor(context, actor),
          ...(region ? { region } : {}),
        }),
      ),
    'privacy.export': ({ number, region }, context) =>
      mapped(() =>
        service.export({
          number,
          actor: requestActor(context, actor),
          ...(region ? { region } : {}),
        }),
      ),
    'privacy.exportChunk': ({ exportId, offset }) =>
      mapped(() => service.exportChunk(exportId, offset)),
  };
}
