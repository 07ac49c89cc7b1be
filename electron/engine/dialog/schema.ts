/**
 * The JSON flow format, as zod schemas. `docs/flow.schema.json` is generated from `FlowFileSchema`
 * (see `flowJsonSchema()`); graph checks (dangling `next`, unreachable nodes, a missing start,
 * prompts missing in the flow's language) live in validate.ts because a schema cannot express them.
 */
import { z } from 'zod';

import { COMMON_ANSWERS } from '../nlu/library/index.js';

export const FLOW_LANGUAGES = ['zh-CN', 'en'] as const;
export const FlowLanguageSchema = z.enum(FLOW_LANGUAGES);
export type FlowLanguage = z.infer<typeof FlowLanguageSchema>;

export const NODE_KINDS = [
  'say',
  'ask',
  'branch',
  'set',
  'transfer',
  'callback',
  'hangup',
  'collect',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** Entities the NLU extracts from an answer; conditions, `set` and intents can refer to them. */
export const ENTITY_KINDS = ['datetime', 'money', 'number', 'yesno', 'phone'] as const;
export const EntityKindSchema = z.enum(ENTITY_KINDS);
export type EntityKind = z.infer<typeof EntityKindSchema>;

export const NodeIdSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.-]*$/,
    'a node id is a letter or _ followed by letters, digits, _ . -',
  )
  .describe('A node id.');

/** Text said to the customer: one string in the flow's language, or one string per language. `{var}` is substituted. */
export const PromptTextSchema = z
  .union([
    z.string().min(1),
    z.strictObject({ 'zh-CN': z.string().min(1).optional(), en: z.string().min(1).optional() }),
  ])
  .describe('Prompt text with {variables}: a string, or { "zh-CN": "...", "en": "..." }.');
export type PromptText = z.infer<typeof PromptTextSchema>;

const note = z.string().optional().describe('Free text for the flow author; ignored at run time.');
const bargeIn = z
  .boolean()
  .default(true)
  .describe('Customer speech stops the prompt (false for legal disclosures).');

export const SayNodeSchema = z.strictObject({
  kind: z.literal('say'),
  id: NodeIdSchema.optional(),
  note,
  text: PromptTextSchema,
  bargeIn,
  next: NodeIdSchema,
});

const DtmfKeySchema = z.string().regex(/^[0-9*#]{1,4}$/, 'DTMF keys are 1–4 of 0-9 * #');

export const IntentSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*$/,
        'an intent name is a letter or _ followed by letters, digits, _',
      ),
    examples: z
      .union([
        z.array(z.string().min(1)),
        z.strictObject({
          'zh-CN': z.array(z.string().min(1)).optional(),
          en: z.array(z.string().min(1)).optional(),
        }),
      ])
      .optional()
      .describe(
        'Example phrases the customer may say (any language mix, or per language); optional with `use`.',
      ),
    use: z
      .enum(COMMON_ANSWERS)
      .optional()
      .describe(
        "A common answer from the built-in library (affirm, deny, busy, agent, …): the intent also matches the library's many phrasings of it, in the flow's language, beside its own `examples`.",
      ),
    confirmPrompt: PromptTextSchema.optional().describe(
      'What the bot says back when it is unsure and confirms this answer: "Just to check: {confirmPrompt}, is that right?" / "您是说{confirmPrompt}，对吗？". Default: a paraphrase of the `use` answer, else the first example.',
    ),
    recordings: z
      .array(
        z
          .string()
          .regex(
            /^[\p{L}\p{N}_ .-]+(\/[\p{L}\p{N}_ .-]+)*\.wav$/u,
            'a WAV file under the workspace\'s phrase-recordings folder, e.g. "paid/wang-1.wav" (no "..", no absolute path)',
          )
          .refine(
            (path) => !path.split('/').some((part) => part === '..' || part === '.'),
            'no "." or ".." in the path',
          ),
      )
      .optional()
      .describe(
        "Real recordings of customers saying this answer (WAV files in the workspace's phrase-recordings folder): the phrase recognizer trains on them beside the synthetic voices.",
      ),
    dtmf: DtmfKeySchema.optional().describe('Keypad answer for this intent, e.g. "1".'),
    entity: EntityKindSchema.optional().describe(
      'Also matches when the answer contains this entity and no example matched (e.g. any date/time).',
    ),
    next: NodeIdSchema,
  })
  .describe('An expected answer.');
export type Intent = z.infer<typeof IntentSchema>;

export const RepromptSchema = z.strictObject({
  prompt: PromptTextSchema.optional().describe(
    'Said before asking again; defaults to the question itself.',
  ),
  maxAttempts: z
    .int()
    .min(1)
    .max(10)
    .default(2)
    .describe('After this many, go to `next` instead of re-prompting.'),
  next: NodeIdSchema.describe('Where to go when the attempts are exhausted.'),
});

/** When an ask node confirms an answer before acting on it. */
export const CONFIRM_MODES = ['auto', 'always', 'never'] as const;

export const AskNodeSchema = z.strictObject({
  kind: z.literal('ask'),
  id: NodeIdSchema.optional(),
  note,
  prompt: PromptTextSchema,
  bargeIn,
  timeoutMs: z
    .int()
    .min(500)
    .max(60_000)
    .default(6000)
    .describe('No-input timeout after the prompt.'),
  minConfidence: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Answers below this confidence are no_match.'),
  confirm: z
    .enum(CONFIRM_MODES)
    .default('auto')
    .describe(
      'Confirm the answer before acting on it ("Just to check: …, is that right?"): auto = only when the recognizer is unsure (between its accept and reject thresholds), always = every spoken or typed answer (not keys), never = act on any answer above the reject threshold.',
    ),
  intents: z.array(IntentSchema).min(1, 'an ask needs at least one intent'),
  noneRecordings: IntentSchema.shape.recordings.describe(
    'Real recordings of customers saying none of this question\'s answers (WAV files in the workspace\'s phrase-recordings folder, e.g. labelled in History as "none"): the phrase recognizer trains its "none of these" class on them.',
  ),
  noInput: RepromptSchema,
  noMatch: RepromptSchema,
  sensitive: z
    .boolean()
    .optional()
    .describe(
      "The answer is personal data (see `collect`): the recording is silent from this question's prompt until its answer, and the transcript and events carry the answer only masked.",
    ),
});

const VariableNameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'a variable name is a letter or _ followed by letters, digits, _',
  );

/** What a `collect` node checks the digits with: a bank card's Luhn digit, a 身份证's GB 11643 check character. */
export const COLLECT_CHECKS = ['none', 'luhn', 'idCard'] as const;

export const CollectNodeSchema = z.strictObject({
  kind: z.literal('collect'),
  id: NodeIdSchema.optional(),
  note,
  prompt: PromptTextSchema.describe(
    'Asks for the digits ("Please key in your card number, then #").',
  ),
  bargeIn,
  variable: VariableNameSchema.describe(
    'The flow variable the digits go to (the only place the raw value ever is); {variable} in a later prompt says its masked form.',
  ),
  digits: z
    .strictObject({
      min: z.int().min(1).max(32).default(1).describe('Fewest digits accepted.'),
      max: z.int().min(1).max(32).default(32).describe('Input ends by itself at this many.'),
      terminator: z
        .enum(['#', '*', 'none'])
        .default('#')
        .describe(
          'The key that ends the input (not part of the value); none: only max or a pause ends it.',
        ),
      firstDigitTimeoutMs: z
        .int()
        .min(1000)
        .max(60_000)
        .default(8000)
        .describe('No key this long after the prompt: no input.'),
      interDigitTimeoutMs: z
        .int()
        .min(500)
        .max(30_000)
        .default(5000)
        .describe('A pause this long after a key ends the input.'),
      maxTimeMs: z
        .int()
        .min(2000)
        .max(300_000)
        .default(60_000)
        .describe('The whole input (from the end of the prompt) ends after this long.'),
    })
    .prefault({})
    .describe('How the digits are keyed (DTMF: RFC 4733, SIP INFO or in-band tones).'),
  check: z
    .enum(COLLECT_CHECKS)
    .default('none')
    .describe(
      "luhn: a bank card's check digit (16–19 digits); idCard: an 18-character 身份证 with its GB 11643 check character (X keyed as *).",
    ),
  sensitive: z
    .boolean()
    .default(false)
    .describe(
      "Personal data (card, ID): the recording is silent on both channels from this node's prompt until its input ends (PCI DSS pause-and-resume); transcript, events and logs carry only the masked form; the raw value is dropped at the end of the call.",
    ),
  store: z
    .enum(['none', 'masked'])
    .default('none')
    .describe(
      "With sensitive: 'masked' keeps the masked form in the call's outcome variables; 'none' (default) drops the value at the end of the call.",
    ),
  maxAttempts: z
    .int()
    .min(1)
    .max(10)
    .default(3)
    .describe('Asks this many times in all (no input or an invalid entry) before noInput/invalid.'),
  retryPrompt: PromptTextSchema.optional().describe(
    'Said before asking again after an invalid entry; defaults to the prompt.',
  ),
  next: NodeIdSchema.describe('Valid digits were keyed; they are in the variable.'),
  noInput: NodeIdSchema.describe('Nothing keyed in any attempt.'),
  invalid: NodeIdSchema.describe('The last attempt was too short or failed the check.'),
});

const Literal = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Literal = z.infer<typeof Literal>;

export const CONDITION_OPS = ['equals', 'in', 'gt', 'lt', 'exists'] as const;

export const ConditionSchema = z
  .strictObject({
    source: z.enum(['intent', 'entity', 'contact', 'variable']).describe('What is tested.'),
    key: z
      .string()
      .min(1)
      .optional()
      .describe('Entity kind, contact field or variable name (not for intent).'),
    op: z.enum(CONDITION_OPS),
    value: z
      .union([Literal, z.array(Literal)])
      .optional()
      .describe('Not for exists; an array for in.'),
  })
  .superRefine((c, ctx) => {
    if (c.source !== 'intent' && c.key === undefined)
      ctx.addIssue({ code: 'custom', path: ['key'], message: `source "${c.source}" needs a key` });
    if (
      c.source === 'entity' &&
      c.key !== undefined &&
      !(ENTITY_KINDS as readonly string[]).includes(c.key)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: `unknown entity "${c.key}" (expected one of ${ENTITY_KINDS.join(', ')})`,
      });
    }
    if (c.op === 'exists') return;
    if (c.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: `op "${c.op}" needs a value` });
    else if (c.op === 'in' && !Array.isArray(c.value))
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'op "in" needs an array' });
    else if ((c.op === 'gt' || c.op === 'lt') && typeof c.value !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `op "${c.op}" needs a number` });
    }
  });
export type Condition = z.infer<typeof ConditionSchema>;

export const BranchNodeSchema = z.strictObject({
  kind: z.literal('branch'),
  id: NodeIdSchema.optional(),
  note,
  conditions: z
    .array(z.strictObject({ when: ConditionSchema, next: NodeIdSchema }))
    .describe('Tested in order; the first true one wins.'),
  else: NodeIdSchema,
});

export const SetValueSchema = z.union([
  z.strictObject({ value: Literal }),
  z.strictObject({ entity: EntityKindSchema }),
  z.strictObject({ contact: z.string().min(1) }),
  z.strictObject({ intent: z.literal(true) }),
]);

export const SetNodeSchema = z.strictObject({
  kind: z.literal('set'),
  id: NodeIdSchema.optional(),
  note,
  assign: z
    .record(
      z
        .string()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_]*$/,
          'a variable name is a letter or _ followed by letters, digits, _',
        ),
      SetValueSchema,
    )
    .describe(
      'variable ← { value } | { entity } (of the last answer) | { contact } field | { intent: true } (last intent).',
    ),
  next: NodeIdSchema,
});

/**
 * A disposition code a flow sets (hangup and transfer nodes): snake_case, because it is stored as a
 * code, filtered on in History and written to CSV exports, where free text could carry a formula.
 */
export const DispositionCodeSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'a disposition code is snake_case (e.g. promise_to_pay)');

export const TransferNodeSchema = z.strictObject({
  kind: z.literal('transfer'),
  id: NodeIdSchema.optional(),
  note,
  say: PromptTextSchema.optional().describe('Said before the transfer.'),
  queue: z.string().min(1),
  reason: z.string().min(1),
  disposition: DispositionCodeSchema.default('transferred'),
});

export const CallbackNodeSchema = z.strictObject({
  kind: z.literal('callback'),
  id: NodeIdSchema.optional(),
  note,
  defaultHour: z
    .int()
    .min(0)
    .max(23)
    .default(10)
    .describe('Local hour used when the customer named only a day.'),
  minDelayMs: z
    .int()
    .min(0)
    .default(10 * 60_000)
    .describe('A time sooner than this is not accepted.'),
  maxDelayDays: z.int().min(1).default(30).describe('A time later than this is not accepted.'),
  next: NodeIdSchema.describe('After scheduling; {callback_time} holds the time in words.'),
  fallbackNext: NodeIdSchema.describe('When the last answer had no usable date/time.'),
});

export const HangupNodeSchema = z.strictObject({
  kind: z.literal('hangup'),
  id: NodeIdSchema.optional(),
  note,
  say: PromptTextSchema.optional().describe('Said before hanging up (never cut by barge-in).'),
  disposition: DispositionCodeSchema,
});

export const FlowNodeSchema = z.discriminatedUnion('kind', [
  SayNodeSchema,
  AskNodeSchema,
  BranchNodeSchema,
  SetNodeSchema,
  TransferNodeSchema,
  CallbackNodeSchema,
  HangupNodeSchema,
  CollectNodeSchema,
]);

/**
 * The opening notice that the caller is an AI assistant and the call is recorded (China's rules on
 * labelling AI-generated content, in force since 2025-09-01, ask for an explicit notice on
 * synthetic audio). Said before the start node, never interruptible, fixed text (no {variables}),
 * so the prompt cache holds it and no call synthesizes it.
 */
export const DEFAULT_DISCLOSURE_TEXT = {
  'zh-CN': '您好，本次通话由AI智能助理拨打，并将录音。',
  en: 'This call is from an automated AI assistant and is recorded.',
} as const satisfies Record<FlowLanguage, string>;

export const DisclosureSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Say the disclosure before the start node.'),
    text: PromptTextSchema.optional().describe(
      `The notice, without {variables}. Default: "${DEFAULT_DISCLOSURE_TEXT['zh-CN']}" / "${DEFAULT_DISCLOSURE_TEXT.en}"`,
    ),
  })
  .describe(
    'AI and recording disclosure, said first on every call and never cut by the customer (speech or keys); stored in the transcript.',
  );
export type Disclosure = z.output<typeof DisclosureSchema>;

const FlowFileBase = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().min(1),
  name: z.string().min(1),
  language: FlowLanguageSchema,
  description: z.string().optional(),
  variables: z
    .record(z.string(), Literal)
    .optional()
    .describe('Defaults for {variables}; contact fields override them.'),
  start: NodeIdSchema,
  disclosure: DisclosureSchema.optional(),
  dispositions: z
    .record(
      z.string(),
      PromptTextSchema.describe('The label: a string, or { "zh-CN": "...", "en": "..." }.'),
    )
    // Checked per key rather than as the record's key type: the error then names the code.
    .superRefine((labels, ctx) => {
      for (const code of Object.keys(labels)) {
        const check = DispositionCodeSchema.safeParse(code);
        if (!check.success)
          ctx.addIssue({
            code: 'custom',
            path: [code],
            message: check.error.issues[0]?.message ?? 'not a disposition code',
          });
      }
    })
    .optional()
    .describe(
      'Labels for the flow\'s own disposition codes, shown in History and on campaigns: a string in the flow\'s language, or { "zh-CN": "...", "en": "..." }.',
    ),
});

/** A flow file whose nodes are an object keyed by node id. */
export const FlowFileByIdSchema = FlowFileBase.extend({
  nodes: z.record(z.string(), FlowNodeSchema).describe('Nodes by id.'),
});
/** A flow file whose nodes are an array, each node carrying its `id`. */
export const FlowFileListSchema = FlowFileBase.extend({
  nodes: z.array(FlowNodeSchema).describe('Nodes, each with an id.'),
});

/** The published format: nodes by id, or an array of nodes that each carry an id. */
export const FlowFileSchema = z
  .union([FlowFileByIdSchema, FlowFileListSchema])
  .describe('An Outbound Console dialog flow.');

type ParsedNode = z.output<typeof FlowNodeSchema>;
/** A node after validation: defaults applied and its id filled in. */
export type FlowNode = ParsedNode & { id: string };
export type NodeOf<K extends NodeKind> = Extract<FlowNode, { kind: K }>;

/** A validated flow: nodes always by id. */
export interface Flow {
  id: string;
  name: string;
  language: FlowLanguage;
  description?: string;
  variables: Record<string, Literal>;
  start: string;
  nodes: Record<string, FlowNode>;
  /** Labels of the flow's disposition codes (registered with the code when a call ends with it). */
  dispositions?: Record<string, PromptText>;
  /** The AI/recording disclosure said before the start node (absent: none; see disclosureText). */
  disclosure?: Disclosure;
}

/** The id a disclosure's prompt carries in events and the transcript (no flow node can have it). */
export const DISCLOSURE_NODE_ID = '$disclosure';

/** The disclosure this flow says first, in its language; null when it has none or it is off. */
export function disclosureText(flow: Pick<Flow, 'disclosure' | 'language'>): string | null {
  const disclosure = flow.disclosure;
  if (!disclosure?.enabled) return null;
  const text = disclosure.text;
  if (text === undefined) return DEFAULT_DISCLOSURE_TEXT[flow.language];
  return typeof text === 'string' ? text : (text[flow.language] ?? null);
}

/** The JSON Schema of the flow file (input side: fields with defaults are optional). */
export function flowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(FlowFileSchema, { io: 'input', target: 'draft-2020-12' });
  return {
    ...schema,
    $id: 'https://outbound-console.local/schemas/flow.schema.json',
    title: 'Outbound Console dialog flow',
  };
}
