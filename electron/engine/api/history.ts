/**
 * History in the API: the filter calls.list and calls.export share (date range, campaign, outcome,
 * disposition, text in transcripts), the CSV export of calls with their transcripts (paged, so an
 * export of any size is made of bounded replies), and a call's recording for the waveform player
 * (precomputed peaks per channel, so the console draws without decoding a long file; the audio
 * itself comes from the transport's media URL, not through the API).
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

import { CallOutcome } from './call-states.js';

const Timestamp = z.number().int().nonnegative();

/** The filter fields shared by calls.list and calls.export (all optional, combined with AND). */
export const CallFilterFields = {
  outcome: CallOutcome.optional(),
  campaignId: z.number().int().optional(),
  /** Matches the number, the contact's name or a transcript line. */
  search: z.string().max(200).optional(),
  /** A disposition code (system or agent-chosen), e.g. `opt_out`. */
  disposition: z.string().min(1).max(64).optional(),
  /** Calls started at or after this instant (ms since the epoch). */
  from: Timestamp.optional(),
  /** Calls started before this instant (ms since the epoch; exclusive). */
  to: Timestamp.optional(),
};

/** Rows one calls.export reply carries at most: a page of CSV stays well under a few MB. */
export const EXPORT_PAGE_MAX = 1_000;

/**
 * Bins per second in calls.recording's peaks: 50 (20 ms each) draws a sharp waveform for short
 * calls; longer calls get fewer per second so one channel never exceeds RECORDING_PEAKS_MAX values.
 */
export const RECORDING_PEAKS_PER_SECOND = 50;
export const RECORDING_PEAKS_MAX = 16_000;

export const RecordingInfoSchema = z.object({
  callId: z.string(),
  durationMs: z.number().int().nonnegative(),
  channels: z.number().int().min(1),
  sampleRate: z.number().int().positive(),
  /** What each channel holds, in order: the recorder puts the customer left, what they heard (bot and agent) right. */
  channelRoles: z.array(z.enum(['customer', 'outgoing'])),
  /** Per channel, the largest absolute sample of each bin, 0..1 (wavesurfer's `peaks`). */
  peaks: z.array(z.array(z.number().min(0).max(1))),
  /** How long each bin is. */
  binMs: z.number().positive(),
  /** Where the audio is served under the transport's media root: `recordings/<callId>`. */
  mediaPath: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type RecordingInfo = z.infer<typeof RecordingInfoSchema>;

export const historyCommands = {
  /**
   * One page of the CSV export: a header row on the first page (offset 0), then one row per call,
   * newest first, with its transcript in one cell ("[m:ss] Speaker: text" per line). The console
   * asks page after page until `nextOffset` is null or its own cap is reached.
   */
  'calls.export': {
    params: z
      .object({
        ...CallFilterFields,
        limit: z.number().int().min(1).max(EXPORT_PAGE_MAX).default(500),
        offset: z.number().int().min(0).default(0),
        /**
         * Numbers, names and transcripts are masked in the file (privacy/) unless an admin asks for
         * them unmasked: admins only (FORBIDDEN for others), and each page's audit entry says so.
         */
        unmasked: z.boolean().optional(),
      })
      .strict(),
    result: z.object({
      csv: z.string(),
      /** Calls in this page. */
      rows: z.number().int().nonnegative(),
      /** Calls that match the filter in all. */
      total: z.number().int().nonnegative(),
      /** Where the next page starts, or null when this was the last. */
      nextOffset: z.number().int().nonnegative().nullable(),
    }),
  },
  /** The call's stereo recording for the player: format, peaks per channel, and its media path. */
  'calls.recording': {
    params: z.object({ id: z.string().min(1).max(200) }).strict(),
    result: RecordingInfoSchema,
  },
} as const;
