import { ApiError } from './contract.js';

/** Any rejection as an ApiError, so components handle one shape. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError('INTERNAL', message);
}

/**
 * The form field an error is about, without the command's wrapper object
 * (`changes.ringTimeoutMs` → `ringTimeoutMs` for settings.update).
 */
export function errorField(error: ApiError, wrapper?: string): string | undefined {
  if (error.field === undefined) return undefined;
  if (wrapper !== undefined && error.field.startsWith(`${wrapper}.`))
    return error.field.slice(wrapper.length + 1);
  return error.field;
}

/**
 * The API's message for showing next to its field: "agents.create: username: must be at least 2
 * characters" → "must be at least 2 characters". The label beside it already names the field.
 */
export function fieldMessage(error: ApiError): string {
  if (error.field === undefined) return error.message;
  const marker = `${error.field}: `;
  const at = error.message.indexOf(marker);
  return at === -1 ? error.message : error.message.slice(at + marker.length);
}
