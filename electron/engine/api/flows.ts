/**
 * Dialog flows in the API: versioned definitions (validate, save, get), the background training
 * of a saved version's phrase models, and the typed test chat that runs the real dialog runtime
 * over text.
 *
 * A flow is named by its file's `id` (e.g. `bill-reminder-zh`). Definitions cross the API as plain
 * JSON and are checked by the engine (dialog/validate.ts), not here: an invalid flow is a normal
 * answer of `flows.validate` and an `INVALID_FLOW` error of `flows.save`, each issue naming the
 * node id and field.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

const Timestamp = z.number().int().nonnegative();

/** A store flow name = the flow file's `id`. */
export const FlowName = z.string().trim().min(1, 'is required').max(200);
export const FlowVersionNumber = z.number().int().min(1);

/** A JSON object as the editor wrote it (checked by the engine, which names node and field). */
export const FlowDefinitionSchema = z.record(z.string(), z.unknown());
export type FlowDefinition = z.infer<typeof FlowDefinitionSchema>;

export const FlowIssueSchema = z.object({
  /** The node the problem is in; null for a flow-level field such as `start`. */
  nodeId: z.string().nullable(),
  /** Dotted path inside the node (or the flow), e.g. `intents[0].next`; '' for the node itself. */
  field: z.string(),
  message: z.string(),
});
export type FlowIssueView = z.infer<typeof FlowIssueSchema>;

export const FLOW_TRAINING_STATES = ['queued', 'training', 'ready', 'failed'] as const;
export const FlowTrainingStateName = z.enum(FLOW_TRAINING_STATES);

/** Mirrors bot/flow-training.ts's FlowTrainingProgress (the engine checks they stay in step). */
export const FlowTrainingProgressSchema = z.object({
  nodeId: z.string().nullable(),
  nodesDone: z.number().int().nonnegative(),
  nodes: z.number().int().nonnegative(),
  stage: z.enum(['queued', 'synthesize', 'embed', 'calibrate', 'fit', 'cached', 'done']),
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
});

/** The latest training state of one flow version (kept in memory by the engine; also the `flow.training` event). */
export const FlowTrainingSchema = z.object({
  flow: z.string(),
  version: z.number().int(),
  state: FlowTrainingStateName,
  progress: FlowTrainingProgressSchema.optional(),
  /** Why training failed (names the node). */
  error: z.string().optional(),
  /** When this state began (epoch ms). */
  at: Timestamp,
});
export type FlowTraining = z.infer<typeof FlowTrainingSchema>;

export const FlowVersionSummarySchema = z.object({
  version: z.number().int(),
  createdAt: Timestamp,
  /** null when this version was never trained in this run of the engine (or no trainer is set). */
  training: FlowTrainingSchema.nullable(),
});

const ContactValue = z.union([z.string(), z.number(), z.boolean()]);

export const FlowContactFieldSchema = z.object({
  name: z.string(),
  /** The flow's default for it (its `variables`), or null when the contact must supply it. */
  default: z.union([ContactValue, z.null()]),
});

export const FlowDetailSchema = z.object({
  name: z.string(),
  /** The flow's display name (its `name` field). */
  title: z.string(),
  language: z.enum(['zh-CN', 'en']),
  version: z.number().int(),
  latestVersion: z.number().int(),
  definition: FlowDefinitionSchema,
  versions: z.array(FlowVersionSummarySchema),
  /** This version's training state. */
  training: FlowTrainingSchema.nullable(),
  /** Contact fields the flow reads (for the test chat's form), with the flow's defaults. */
  contactFields: z.array(FlowContactFieldSchema),
});
export type FlowDetail = z.infer<typeof FlowDetailSchema>;

export const CHAT_TURN_KINDS = [
  'prompt',
  'text',
  'dtmf',
  'silence',
  'no_input',
  'no_match',
  'confirmation',
  'variable_set',
  'transfer',
  'callback',
  'callback_unavailable',
  'ended',
] as const;

/** One line of a test chat: the bot's prompt, the customer's answer, or why the bot went where it did. */
export const ChatTurnSchema = z.object({
  speaker: z.enum(['bot', 'customer', 'system']),
  kind: z.enum(CHAT_TURN_KINDS),
  /** The prompt, the answer as typed, or a one-line English description of a system turn. */
  text: z.string(),
  nodeId: z.string().nullable(),
  /** Customer answers: the intent it matched; no_match: the rejected best guess. */
  intent: z.string().optional(),
  confidence: z.number().min(0).max(1).optional(),
  matchedBy: z.enum(['classifier', 'dtmf', 'entity']).optional(),
  /** confirmation: what the customer's reply to "Just to check: …, is that right?" was (intent: what was checked). */
  result: z.enum(['confirmed', 'denied', 'unclear', 'no_input']).optional(),
  /** no_input / no_match / a confirmation not confirmed: which attempt, and whether the node gave up. */
  attempt: z.number().int().optional(),
  exhausted: z.boolean().optional(),
  /** variable_set: the variable and its new value. */
  name: z.string().optional(),
  value: z.union([ContactValue, z.null()]).optional(),
  /** transfer: the queue and the reason. */
  queue: z.string().optional(),
  reason: z.string().optional(),
  /** callback: when (ISO 8601); ended: the disposition. */
  at: z.string().optional(),
  disposition: z.string().optional(),
});
export type ChatTurn = z.infer<typeof ChatTurnSchema>;

export const ChatEndedSchema = z
  .object({
    reason: z.enum(['hangup', 'transfer', 'cancelled', 'error']),
    disposition: z.string(),
    transfer: z.object({ queue: z.string(), reason: z.string() }).optional(),
    /** ISO 8601. */
    callbackAt: z.string().optional(),
    error: z.string().optional(),
  })
  .nullable();
export type ChatEnded = z.infer<typeof ChatEndedSchema>;

export const ChatId = z.string().min(1).max(100);

/** One line (or WAV file) of a test set as the flow understood it; see flows/eval.ts. */
export const FlowEvalItemSchema = z.object({
  /** The line number in the TSV (1 = first line), or the file's position in an audio set. */
  line: z.number().int(),
  /** The typed answer, or the WAV file's path inside the set. */
  input: z.string(),
  /** The ask node, or `library` for a line of the common-answer library on its own. */
  nodeId: z.string(),
  /** The intent the line should get, or `none` (to be rejected: off-topic, or no intent covers it). */
  expected: z.string(),
  /** What the node would act on (or, when `uncertain`, confirm first), or `none`. */
  got: z.string(),
  confidence: z.number(),
  uncertain: z.boolean(),
  matchedBy: z.enum(['classifier', 'dtmf', 'entity', 'recognizer']).nullable(),
  correct: z.boolean(),
  /** A line expecting `none` acted on without a confirmation. */
  falseAccept: z.boolean(),
  /** The set tags the line `offtopic` (its false accept is an off-topic false accept). */
  offTopic: z.boolean(),
  /** Tagged `neg`/`neg=…`, expecting a negative intent, or read as "no" (see flows/eval.ts). */
  negated: z.boolean(),
  /** A negated answer taken as its opposite: its `neg=` intent, or the opposite polarity. */
  negationError: z.boolean(),
});
export type FlowEvalItem = z.infer<typeof FlowEvalItemSchema>;

const Rate = z.number().min(0).max(1).nullable();

/** The figures of a set of lines (docs/FLOWS.md, "What the figures count"). */
export const FlowEvalFiguresSchema = z.object({
  lines: z.number().int(),
  /** Lines with the right intent taken (confirmed, when uncertain), or `none` rejected, over all lines. */
  accuracy: Rate,
  correct: z.number().int(),
  /** Lines that expect an intent; of them, taken with the right intent. */
  inScope: z.number().int(),
  acceptedCorrect: z.number().int(),
  acceptedCorrectRate: Rate,
  /**
   * Lines that expect `none` (off-topic lines and answers no intent covers; the name predates
   * the `offtopic` tag); of them, acted on without a confirmation.
   */
  offTopic: z.number().int(),
  falseAccepts: z.number().int(),
  falseAcceptRate: Rate,
  /** Lines tagged `offtopic`; of them, acted on without a confirmation (null: none is tagged). */
  offTopicTagged: z.number().int(),
  offTopicFalseAccepts: z.number().int(),
  offTopicFalseAcceptRate: Rate,
  /** In-scope lines given another intent. */
  wrongIntent: z.number().int(),
  negated: z.number().int(),
  negationErrors: z.number().int(),
  /** Lines between the thresholds: the bot would confirm them. */
  uncertain: z.number().int(),
  uncertainShare: Rate,
});
export type FlowEvalFigures = z.infer<typeof FlowEvalFiguresSchema>;

/** Figures with their confusion matrix, per-intent rows and lines. */
export const FlowEvalPartSchema = FlowEvalFiguresSchema.extend({
  /** Row = expected, column = got; both over `labels` (intent names, `none` last). */
  labels: z.array(z.string()),
  confusion: z.array(z.array(z.number().int())),
  perIntent: z.array(
    z.object({
      nodeId: z.string(),
      intent: z.string(),
      /** Lines expecting it; of them, given it. */
      lines: z.number().int(),
      correct: z.number().int(),
      /** Lines given it (right or wrong). */
      taken: z.number().int(),
      precision: Rate,
      recall: Rate,
    }),
  ),
  items: z.array(FlowEvalItemSchema),
});
export type FlowEvalPart = z.infer<typeof FlowEvalPartSchema>;

/**
 * The understanding of a flow version measured on a test set (typed lines or WAV files). The
 * top-level figures are the flow's own questions; lines for the common-answer library on its own
 * (question `library`) are `library`, and `whole` sums both (null when the set has no such line).
 */
export const FlowEvalReportSchema = z.object({
  flow: z.string(),
  version: z.number().int().nullable(),
  language: z.enum(['zh-CN', 'en']),
  kind: z.enum(['text', 'audio']),
  ...FlowEvalPartSchema.shape,
  library: FlowEvalPartSchema.nullable(),
  whole: FlowEvalFiguresSchema.nullable(),
});
export type FlowEvalReport = z.infer<typeof FlowEvalReportSchema>;

export const flowCommands = {
  'flows.get': {
    params: z.object({ name: FlowName, version: FlowVersionNumber.optional() }).strict(),
    result: FlowDetailSchema,
  },
  /** Never fails for an invalid flow: `ok: false` and the issues. */
  'flows.validate': {
    params: z.object({ definition: z.unknown() }).strict(),
    result: z.object({
      ok: z.boolean(),
      issues: z.array(FlowIssueSchema),
      warnings: z.array(FlowIssueSchema),
    }),
  },
  /** INVALID_FLOW (details.issues) when it does not validate; nothing is stored then. */
  'flows.save': {
    params: z.object({ definition: z.unknown() }).strict(),
    result: z.object({
      name: z.string(),
      version: z.number().int(),
      /** A new version was stored (false: the definition equals the latest, which is returned). */
      created: z.boolean(),
      /** The flow itself is new. */
      newFlow: z.boolean(),
    }),
  },
  'flows.chat.start': {
    params: z
      .object({
        name: FlowName,
        version: FlowVersionNumber.optional(),
        contact: z.record(z.string(), ContactValue).optional(),
        /** IANA zone for dates the customer says; default the settings' time zone. */
        timeZone: z.string().min(1).max(64).optional(),
      })
      .strict(),
    result: z.object({
      chatId: ChatId,
      name: z.string(),
      version: z.number().int(),
      turns: z.array(ChatTurnSchema),
      ended: ChatEndedSchema,
    }),
  },
  'flows.chat.send': {
    params: z
      .object({
        chatId: ChatId,
        text: z.string().max(1000).optional(),
        digits: z
          .string()
          .regex(/^[0-9*#]{1,16}$/, 'may use 0-9, * and # only')
          .optional(),
        silence: z.literal(true).optional(),
      })
      .strict()
      .refine((p) => [p.text, p.digits, p.silence].filter((x) => x !== undefined).length === 1, {
        message: 'give exactly one of text, digits or silence',
      }),
    result: z.object({ turns: z.array(ChatTurnSchema), ended: ChatEndedSchema }),
  },
  'flows.chat.stop': { params: z.object({ chatId: ChatId }).strict(), result: z.object({}) },
  /**
   * Runs a typed test set through a saved flow version, exactly as its ask nodes would take the
   * answers (`outbound flow eval --text`). INVALID_PARAMS (details.lines) names each malformed TSV line.
   */
  'flows.evaluate': {
    params: z
      .object({
        name: FlowName,
        version: FlowVersionNumber.optional(),
        /** `text<TAB>expected[<TAB>node[<TAB>tags]]` lines; `#` starts a comment (docs/FLOWS.md). */
        tsv: z.string().min(1).max(2_000_000),
        /** The ask node for lines without a third column (default: the flow's only question). */
        nodeId: z.string().min(1).max(200).optional(),
      })
      .strict(),
    result: FlowEvalReportSchema,
  },
} as const;

export const flowEvents = {
  /** After a save that stored a new version (or a new flow): which flow and version. */
  'flows.changed': z.object({ name: z.string(), version: z.number().int() }),
  /** A flow version's training state changed (queued, training with progress, ready, failed). */
  'flow.training': FlowTrainingSchema,
} as const;
