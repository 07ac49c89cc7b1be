/**
 * Errors that cross the API carry a stable code (for programs) and a message a person can act on.
 * Pure TypeScript: shared by the engine and the renderer.
 */
export const API_ERROR_CODES = [
  /** The message itself is unusable: not JSON, not an object, missing its type or id. */
  'BAD_MESSAGE',
  /** The command is not part of the contract. */
  'UNKNOWN_COMMAND',
  /** The command's parameters do not match its schema; the message names the field. */
  'INVALID_PARAMS',
  /** The thing asked for does not exist. */
  'NOT_FOUND',
  /** The request clashes with what is stored (a name already taken, an illegal state change). */
  'CONFLICT',
  /** The local database refused or failed; nothing was half-written. */
  'STORE_ERROR',
  /** The transport is not connected or the engine went away. */
  'UNAVAILABLE',
  /** A reply from the other side does not match the contract (a version mismatch or a bug). */
  'PROTOCOL_ERROR',
  /** A bug in the engine; the message says what failed. */
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
  /** For INVALID_PARAMS: the dotted path of the first offending field. */
  field?: string;
}

export class ApiError extends Error implements ApiErrorData {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  toJSON(): ApiErrorData {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}
