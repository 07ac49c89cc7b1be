/**
 * Envelopes: what actually travels over a transport. Both transports carry the same JSON-shaped
 * messages (IPC structured-clones them, the WebSocket sends them as JSON text).
 *
 *   client → engine   { type: 'request', id, command, params }
 *   engine → client   { type: 'response', id, ok: true, result } | { type: 'response', id, ok: false, error }
 *   engine → client   { type: 'event', event, data, seq }
 */
import { z } from 'zod';

import { API_ERROR_CODES } from './errors.js';

export const RequestId = z.union([z.string().min(1).max(100), z.number().int().nonnegative()]);
export type RequestId = z.infer<typeof RequestId>;

export const RequestMessage = z.object({
  type: z.literal('request'),
  id: RequestId,
  command: z.string().min(1).max(100),
  params: z.unknown().optional(),
});
export type RequestMessage = z.infer<typeof RequestMessage>;

export const ErrorPayload = z.object({
  code: z.enum(API_ERROR_CODES),
  message: z.string(),
  field: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const ResponseMessage = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('response'),
    id: RequestId.nullable(),
    ok: z.literal(true),
    result: z.unknown(),
  }),
  z.object({
    type: z.literal('response'),
    id: RequestId.nullable(),
    ok: z.literal(false),
    error: ErrorPayload,
  }),
]);
export type ResponseMessage = z.infer<typeof ResponseMessage>;

export const EventMessage = z.object({
  type: z.literal('event'),
  event: z.string(),
  data: z.unknown(),
  /**
   * Increases by one per event on one engine. A connection hears only the events its role may
   * (roles.ts, EVENT_MAP), so gaps between the numbers one connection sees are normal.
   */
  seq: z.number().int().nonnegative(),
});
export type EventMessage = z.infer<typeof EventMessage>;

export const ServerMessage = z.union([ResponseMessage, EventMessage]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** Largest message either side accepts; far above any real command, far below a memory problem. */
export const MAX_MESSAGE_BYTES = 1_048_576;
