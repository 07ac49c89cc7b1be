/**
 * History's labelling loop in the API: an admin marks what a customer's utterance really meant
 * (one of the ask node's intents, or `none`), the clip is cut from the call's recording into the
 * workspace's phrase-recordings folder, a new flow version trains with the labelled clips, and the
 * Flows page compares the labelled clips' accuracy before and after.
 *
 * `none` is the intent name for "none of the node's intents" (as in `outbound flow eval`'s files).
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

import { FlowName, FlowVersionNumber } from './flows.js';

const Timestamp = z.number().int().nonnegative();
const CallId = z.string().min(1).max(200);

/** The intent name that means "none of the node's intents". */
export const NONE_INTENT = 'none';

export const UtteranceLabelSchema = z.object({
  callId: z.string(),
  /** The utterance's start and end, ms from the call's answer. */
  startMs: z.number().int().nonnegative(),
  endMs: z.number().int().nonnegative(),
  /** The flow (its name) and version the call ran, and the ask node the utterance answered. */
  flow: z.string(),
  flowVersion: z.number().int(),
  nodeId: z.string(),
  /** An intent of the node, or `none`. */
  intent: z.string(),
  /** The clip under the workspace's phrase-recordings folder. */
  clipPath: z.string(),
  clipMs: z.number().int().positive(),
  /** Where it came from. */
  source: z.enum(['history']),
  labelledBy: z.string(),
  labelledAt: Timestamp,
});
export type UtteranceLabel = z.infer<typeof UtteranceLabelSchema>;

/** One version's result on the labelled clips. */
export const LabelVersionAccuracySchema = z.object({
  version: z.number().int(),
  /** Clips recognized as their label (`none`: not accepted as any intent). */
  correct: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** correct / total; null without clips. */
  accuracy: z.number().min(0).max(1).nullable(),
});

const ClipRecognitionSchema = z.object({
  /** The intent accepted (or, between the thresholds, the one the bot would confirm), or `none`. */
  intent: z.string(),
  confidence: z.number().min(0).max(1),
  correct: z.boolean(),
  /** When nothing was accepted: the best candidate and how close it came. */
  candidate: z.object({ intent: z.string(), confidence: z.number().min(0).max(1) }).optional(),
});

export const LabelAccuracySchema = z.object({
  name: z.string(),
  /** running: the models are being loaded (or trained) and the clips recognized; ask again. */
  state: z.enum(['running', 'done', 'failed']),
  error: z.string().optional(),
  /** null when there is no earlier version. */
  before: LabelVersionAccuracySchema.nullable(),
  after: LabelVersionAccuracySchema.nullable(),
  clips: z.array(
    z.object({
      clipPath: z.string(),
      callId: z.string(),
      startMs: z.number().int().nonnegative(),
      nodeId: z.string(),
      expected: z.string(),
      before: ClipRecognitionSchema.nullable(),
      after: ClipRecognitionSchema.nullable(),
    }),
  ),
});
export type LabelAccuracy = z.infer<typeof LabelAccuracySchema>;

export const labelCommands = {
  /**
   * Labels a customer utterance (found by its call and start): cuts the customer's channel from
   * the call's recording ([start − 200 ms, end + 100 ms], 16 kHz mono) into
   * `phrase-recordings/labelled/<flow id>/<node>/<intent>/<call>-<start>.wav` and stores where it came
   * from. Labelling the same utterance again replaces the label. NOT_FOUND: no such call,
   * utterance or recording; CONFLICT: the utterance answered no ask node of a stored flow, or the
   * clip is too short or too long; INVALID_PARAMS (field intent): not an intent of the node.
   */
  'calls.labelUtterance': {
    params: z
      .object({
        callId: CallId,
        startMs: z.number().int().nonnegative(),
        intent: z.string().trim().min(1).max(100),
      })
      .strict(),
    result: UtteranceLabelSchema,
  },
  /** What History's labelling needs for one call: the flow it ran, each ask node's intents, and the labels so far. */
  'calls.labels': {
    params: z.object({ callId: CallId }).strict(),
    result: z.object({
      flow: z.object({ name: z.string(), version: z.number().int() }).nullable(),
      nodes: z.array(z.object({ nodeId: z.string(), intents: z.array(z.string()) })),
      labels: z.array(UtteranceLabelSchema),
    }),
  },
  /** A flow's labelled clips, and whether its latest version already trains with each. */
  'flows.labels': {
    params: z.object({ name: FlowName }).strict(),
    result: z.object({
      name: z.string(),
      latestVersion: z.number().int(),
      labels: z.array(UtteranceLabelSchema.extend({ inLatest: z.boolean() })),
    }),
  },
  /**
   * Stores a new version of the flow whose ask nodes list the labelled clips (each intent's
   * `recordings`, `none` in the node's `noneRecordings`); it trains in the background like any save.
   * Labels whose node or intent the latest version no longer has are skipped, with the reason.
   */
  'flows.applyLabels': {
    params: z.object({ name: FlowName }).strict(),
    result: z.object({
      name: z.string(),
      version: z.number().int(),
      previousVersion: z.number().int(),
      /** false: the latest version already listed every clip (it is returned). */
      created: z.boolean(),
      clips: z.number().int().nonnegative(),
      added: z.number().int().nonnegative(),
      removed: z.number().int().nonnegative(),
      skipped: z.array(z.object({ clipPath: z.string(), reason: z.string() })),
    }),
  },
  /**
   * The labelled clips recognized by a version's phrase models (the same recognizer calls use)
   * and by the version before it: accuracy before and after. Runs in the background: `running`
   * until done; ask again.
   */
  'flows.labelAccuracy': {
    params: z
      .object({
        name: FlowName,
        /** Default: the latest version. */
        version: FlowVersionNumber.optional(),
        /** Default: the version before `version`. */
        before: FlowVersionNumber.optional(),
      })
      .strict(),
    result: LabelAccuracySchema,
  },
} as const;
