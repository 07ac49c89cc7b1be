/**
 * Routing and agents in the API: agent status (available, offered, on call, wrap-up, away,
 * offline), skills, queues, the routing rules, offers of transferred calls with their context card,
 * accept / decline, the agent's controls during the call (mute; hold, DTMF and hang-up are the
 * calls.* commands) and the wrap-up form; the media host's audio devices for Settings.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

export const ROUTING_RULE_OPERATORS = [
  '>',
  '>=',
  '<',
  '<=',
  '=',
  '!=',
  'has_tag',
  'contains',
] as const;
export const RoutingRuleOperator = z.enum(ROUTING_RULE_OPERATORS);
export type RoutingRuleOperator = z.infer<typeof RoutingRuleOperator>;
export const QUEUE_FALLBACK_KINDS = ['callback_offer', 'voicemail'] as const;
export const QueueFallback = z.enum(QUEUE_FALLBACK_KINDS);
export type QueueFallback = z.infer<typeof QueueFallback>;

/** The statuses an agent sets themselves; the others (offered, on call, wrap-up) follow the calls. */
export const AgentSelfStatus = z.enum(['available', 'away', 'offline']);

const Timestamp = z.number().int().nonnegative();
const CallId = z.string().min(1).max(200);
const AgentId = z.number().int().positive();
const QueueName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64)
  .regex(/^[a-z0-9._-]+$/, 'may use lowercase letters, digits, dot, dash and underscore only');
const Skill = z.string().trim().min(1).max(50);

/** An agent as the Agent page and the supervisor see them: who, skills, status since when, and the call they hold. */
export const AgentStateSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['agent', 'supervisor', 'admin']),
  skills: z.array(z.string()),
  status: z.enum(['available', 'offered', 'on_call', 'wrap_up', 'away', 'offline']),
  statusChangedAt: Timestamp.nullable(),
  /** The call offered to, held by or being wrapped up by the agent. */
  callId: z.string().nullable(),
  /** When the offer expires (offered) or the wrap-up time runs out (wrap_up). */
  deadline: Timestamp.nullable(),
});
export type AgentState = z.infer<typeof AgentStateSchema>;

export const QueueSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  labelEn: z.string(),
  labelZh: z.string(),
  skills: z.array(z.string()),
  offerTimeoutMs: z.number().int(),
  waitTimeoutMs: z.number().int(),
  fallback: QueueFallback,
  priority: z.number().int(),
  system: z.boolean(),
});
export type QueueView = z.infer<typeof QueueSchema>;

const QueueFields = z.object({
  labelEn: z.string().trim().min(1, 'is required').max(100),
  labelZh: z.string().trim().min(1, 'is required').max(100),
  skills: z.array(Skill).max(20),
  /** How long one agent has to accept before the offer moves on. */
  offerTimeoutMs: z
    .number()
    .int()
    .min(1000, 'must be at least 1000 ms')
    .max(300_000, 'must be at most 300000 ms'),
  /** How long the transfer waits for any agent before the bot's fallback. */
  waitTimeoutMs: z
    .number()
    .int()
    .min(1000, 'must be at least 1000 ms')
    .max(600_000, 'must be at most 600000 ms'),
  fallback: QueueFallback,
  priority: z.number().int().min(-100).max(100),
});

export const RoutingRuleSchema = z.object({
  /** A contact field: vip_level, tags, amount, … */
  field: z.string().trim().min(1, 'is required').max(64),
  operator: RoutingRuleOperator,
  value: z.string().trim().min(1, 'is required').max(200),
  /** The queue's name. */
  queue: z.string().min(1, 'is required').max(64),
});
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;

export const TranscriptLineSchema = z.object({
  speaker: z.enum(['bot', 'customer', 'agent', 'supervisor']),
  text: z.string(),
  intent: z.string().nullable(),
  startMs: z.number().nonnegative(),
});

/** What an agent sees before accepting: who, why the bot transferred, and what was said. */
export const OfferContextSchema = z.object({
  contact: z.object({
    name: z.string().nullable(),
    phone: z.string(),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  }),
  campaign: z.string().nullable(),
  queue: z.object({ name: z.string(), labelEn: z.string(), labelZh: z.string() }),
  /** The flow's transfer reason (e.g. "customer asked for a person"). */
  reason: z.string(),
  /** The customer's last recognized intent before the transfer. */
  lastIntent: z.string().nullable(),
  transcript: z.array(TranscriptLineSchema),
});
export type OfferContext = z.infer<typeof OfferContextSchema>;

export const AgentOfferSchema = z.object({
  callId: z.string(),
  agentId: z.number().int(),
  offeredAt: Timestamp,
  expiresAt: Timestamp,
  context: OfferContextSchema,
});
export type AgentOffer = z.infer<typeof AgentOfferSchema>;

export const DispositionSchema = z.object({
  code: z.string(),
  labelEn: z.string(),
  labelZh: z.string(),
  kind: z.enum(['system', 'agent']),
  final: z.boolean(),
});

export const AudioDeviceSchema = z.object({ deviceId: z.string(), label: z.string() });

export const routingCommands = {
  /** Every agent with their live status, since when, and the call they hold. */
  'agents.states': {
    params: z.object({}).strict(),
    result: z.object({ agents: z.array(AgentStateSchema) }),
  },
  /** An agent signs on (available), steps away or signs off; refused while they hold a call. */
  'agents.setStatus': {
    params: z.object({ agentId: AgentId, status: AgentSelfStatus }).strict(),
    result: AgentStateSchema,
  },
  'agents.update': {
    params: z
      .object({
        agentId: AgentId,
        displayName: z.string().trim().min(1, 'is required').max(100).optional(),
        skills: z.array(Skill).max(50).optional(),
      })
      .strict(),
    result: AgentStateSchema,
  },
  /** The offer waiting for this agent, if any (the Agent page asks after a reload). */
  'agents.offer': {
    params: z.object({ agentId: AgentId }).strict(),
    result: z.object({ offer: AgentOfferSchema.nullable() }),
  },
  /** Takes the offered call: the media host switches its audio to this agent at once. */
  'agents.accept': {
    params: z.object({ callId: CallId, agentId: AgentId }).strict(),
    result: z.object({}),
  },
  /** Passes on the offer; it moves to the next agent. */
  'agents.decline': {
    params: z.object({ callId: CallId, agentId: AgentId }).strict(),
    result: z.object({}),
  },
  /** The agent's microphone off (the customer hears silence) or on again. */
  'calls.mute': {
    params: z.object({ callId: CallId, muted: z.boolean() }).strict(),
    result: z.object({ muted: z.boolean() }),
  },
  /** The wrap-up form: ends the agent's part of the call (wrap_up → done). */
  'calls.wrapUp': {
    params: z
      .object({
        callId: CallId,
        /** A stored disposition's code (dispositions.list). */
        disposition: z.string().min(1, 'is required').max(64),
        notes: z.string().max(4000).default(''),
        /** A callback time promised to the customer: the dialer calls the contact back then. */
        callbackAt: Timestamp.optional(),
        /** Put the number on the do-not-call list (source "agent"). */
        doNotCall: z.boolean().default(false),
      })
      .strict(),
    result: z.object({}),
  },
  'dispositions.list': {
    params: z.object({}).strict(),
    result: z.object({ dispositions: z.array(DispositionSchema) }),
  },
  'queues.list': {
    params: z.object({}).strict(),
    result: z.object({ queues: z.array(QueueSchema) }),
  },
  'queues.create': {
    params: QueueFields.extend({
      name: QueueName,
      priority: QueueFields.shape.priority.default(0),
    }).strict(),
    result: QueueSchema,
  },
  'queues.update': {
    params: z
      .object({ name: z.string().min(1).max(64), changes: QueueFields.partial().strict() })
      .strict(),
    result: QueueSchema,
  },
  /** The routing rules in evaluation order; a call matching none goes to the "default" queue. */
  'routing.rules.get': {
    params: z.object({}).strict(),
    result: z.object({ rules: z.array(RoutingRuleSchema) }),
  },
  'routing.rules.set': {
    params: z.object({ rules: z.array(RoutingRuleSchema).max(100) }).strict(),
    result: z.object({ rules: z.array(RoutingRuleSchema) }),
  },
  /**
   * Transfers nobody took, by fallback kind (callback_offer, voicemail), for a campaign's progress
   * (campaignId null: calls placed outside campaigns). Counted from the calls' transfer_fallback events.
   */
  'routing.fallbacks': {
    params: z.object({ campaignId: z.number().int().positive().nullable() }).strict(),
    result: z.object({
      total: z.number().int().nonnegative(),
      byFallback: z.record(z.string(), z.number().int().nonnegative()),
    }),
  },
  /** The media host's microphones and speakers (labels need the media permission, which the host has). */
  'devices.list': {
    params: z.object({}).strict(),
    result: z.object({ inputs: z.array(AudioDeviceSchema), outputs: z.array(AudioDeviceSchema) }),
  },
} as const;

export const routingEvents = {
  /** A transferred call is offered to one agent until expiresAt. */
  'agent.offer': AgentOfferSchema,
  /** The offer is over: taken, passed on, timed out, or the call ended or gave up waiting. */
  'agent.offerEnded': z.object({
    callId: z.string(),
    agentId: z.number().int(),
    reason: z.enum(['accepted', 'declined', 'expired', 'call_ended', 'cancelled']),
  }),
  /** One agent's status changed. */
  'agent.state': AgentStateSchema,
} as const;
