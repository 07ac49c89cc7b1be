/**
 * Line statuses heard in early media (空号识别): what an operator announcement says about the
 * number before any answer. Renderer-safe (zod only): the call events and the console use it; the
 * models that hear them are speech/recognizers/phrase/line-status.ts.
 */
import { z } from 'zod';

export const LINE_STATUSES = [
  'empty_number',
  'powered_off',
  'suspended',
  'busy',
  'unreachable',
  'barred',
] as const;
export const LineStatusSchema = z.enum(LINE_STATUSES);
export type LineStatus = z.infer<typeof LineStatusSchema>;
