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
  /** A dialog flow does not validate; `details.issues` lists each problem with its node id and field. */
  'INVALID_FLOW',
  /** The local database refused or failed; nothing was half-written. */
  'STORE_ERROR',
  /** The transport is not connected or the engine went away. */
  'UNAVAILABLE',
  /** A reply from the other side does not match the contract (a version mismatch or a bug). */
  'PROTOCOL_ERROR',
  /** Nobody is signed in on this connection (or the session expired): sign in first. */
  'UNAUTHENTICATED',
  /** The signed-in user's role may not run this command; the message names the role needed. */
  'FORBIDDEN',
  /** Too many failed sign-ins for this name or from this address; `details.retryAfterMs` says when to try again. */
  'RATE_LIMITED',
  /** A bug in the engine; the message says what failed. */
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
  /** For INVALID_PARAMS: the dotted path of the first offending field. */
  field?: string;
  /** Structured facts for programs, e.g. INVALID_FLOW's `{ issues: [{ nodeId, field, message }] }`. Plain JSON. */
  details?: Record<string, unknown>;
}

export class ApiError extends Error implements ApiErrorData {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): ApiErrorData {
    const data: ApiErrorData = { code: this.code, message: this.message };
    if (this.field !== undefined) data.field = this.field;
    if (this.details !== undefined) data.details = this.details;
    return data;
  }
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}
