/**
 * The routing API's commands (api/routing.ts) over the RoutingService and the store: agent status
 * and profile, offers, accept / decline, mute, the wrap-up form, dispositions, queues, rules and
 * the media host's audio devices. Errors name the field.
 */
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import type { QueueView, RoutingRule } from '../api/routing.js';
import { type Actor, requestActor, writeAudit } from '../audit/index.js';
import type { QueueRecord, Store } from '../store/types.js';
import { StoreError } from '../store/types.js';
import { AgentTransitionError } from './agent-states.js';
import { RoutingError, type RoutingService } from './routing-service.js';
import { checkRules } from './rules.js';

type RoutingCommandName =
  | 'agents.states'
  | 'agents.setStatus'
  | 'agents.update'
  | 'agents.offer'
  | 'agents.accept'
  | 'agents.decline'
  | 'calls.mute'
  | 'calls.wrapUp'
  | 'dispositions.list'
  | 'queues.list'
  | 'queues.create'
  | 'queues.update'
  | 'routing.rules.get'
  | 'routing.rules.set'
  | 'routing.fallbacks'
  | 'devices.list';

export interface RoutingCommandDeps {
  routing: RoutingService;
  store: Store;
  actor: Actor;
  /** The live call's agent microphone on/off (the media host's agent gain). */
  mute(callId: string, muted: boolean): Promise<void>;
  devices(): Promise<{
    inputs: Array<{ deviceId: string; label: string }>;
    outputs: Array<{ deviceId: string; label: string }>;
  }>;
  /** After an agent's profile changed: the agents list for `agents.changed`. */
  agentsChanged(): Promise<void>;
}

export function routingCommandHandlers(
  deps: RoutingCommandDeps,
): Pick<CommandHandlers, RoutingCommandName> {
  const { routing, store, actor } = deps;
  return {
    'agents.states': () => apiErrors(async () => ({ agents: await routing.states() })),
    'agents.setStatus': ({ agentId, status }) =>
      apiErrors(() => routing.setOwnStatus(agentId, status)),
    'agents.update': ({ agentId, displayName, skills }, context) =>
      apiErrors(async () => {
        await store.transaction(async (tx) => {
          await tx.routing.updateAgent(agentId, {
            ...(displayName === undefined ? {} : { displayName }),
            ...(skills === undefined ? {} : { skills }),
          });
          await writeAudit(tx, requestActor(context, actor), {
            action: 'agents.update',
            subject: String(agentId),
            details: {
              ...(displayName === undefined ? {} : { displayName }),
              ...(skills === undefined ? {} : { skills }),
            },
          });
        });
        await deps.agentsChanged();
        return routing.state(agentId);
      }),
    'agents.offer': ({ agentId }) => apiErrors(async () => ({ offer: routing.offerFor(agentId) })),
    'agents.accept': ({ callId, agentId }) =>
      apiErrors(async () => {
        await routing.accept(callId, agentId);
        return {};
      }),
    'agents.decline': ({ callId, agentId }) =>
      apiErrors(async () => {
        await routing.decline(callId, agentId);
        return {};
      }),
    'calls.mute': ({ callId, muted }) =>
      apiErrors(async () => {
        if (routing.agentOf(callId) === null)
          throw new ApiError(
            'CONFLICT',
            `Call ${callId} has no agent on it: only an agent's microphone can be muted`,
          );
        await deps.mute(callId, muted);
        return { muted };
      }),
    'calls.wrapUp': (form, context) =>
      apiErrors(async () => {
        await routing.wrapUp(
          {
            callId: form.callId,
            disposition: form.disposition,
            notes: form.notes,
            doNotCall: form.doNotCall,
            ...(form.callbackAt === undefined ? {} : { callbackAt: form.callbackAt }),
          },
          context?.principal ?? undefined,
        );
        return {};
      }),
    'dispositions.list': () =>
      apiErrors(async () => ({ dispositions: await store.dispositions.list() })),
    'queues.list': () =>
      apiErrors(async () => ({ queues: (await store.routing.queues()).map(toQueueView) })),
    'queues.create': (input, context) =>
      apiErrors(async () => {
        checkQueueTimes(input.offerTimeoutMs, input.waitTimeoutMs);
        const queue = await store.transaction(async (tx) => {
          const created = await tx.routing.createQueue(input);
          await writeAudit(tx, requestActor(context, actor), {
            action: 'queues.create',
            subject: created.name,
            details: { skills: created.skills, fallback: created.fallback },
          });
          return created;
        });
        return toQueueView(queue);
      }, 'name'),
    'queues.update': ({ name, changes }, context) =>
      apiErrors(async () => {
        const current = await store.routing.queueByName(name);
        if (!current) throw new ApiError('NOT_FOUND', `No queue named "${name}"`, 'name');
        checkQueueTimes(
          changes.offerTimeoutMs ?? current.offerTimeoutMs,
          changes.waitTimeoutMs ?? current.waitTimeoutMs,
          'changes.',
        );
        const queue = await store.transaction(async (tx) => {
          const updated = await tx.routing.updateQueue(name, changes);
          await writeAudit(tx, requestActor(context, actor), {
            action: 'queues.update',
            subject: name,
            details: { ...changes },
          });
          return updated;
        });
        return toQueueView(queue);
      }),
    'routing.rules.get': () =>
      apiErrors(async () => ({ rules: (await store.routing.rules()).map(toRuleView) })),
    'routing.rules.set': ({ rules }, context) =>
      apiErrors(async () => {
        const queues = await store.routing.queues();
        const byName = new Map(queues.map((q) => [q.name, q]));
        const issues = checkRules(rules, new Set(byName.keys()));
        const first = issues[0];
        if (first)
          throw new ApiError('INVALID_PARAMS', `${first.field}: ${first.message}`, first.field, {
            issues,
          });
        const stored = await store.transaction(async (tx) => {
          const saved = await tx.routing.replaceRules(
            rules.map((r) => ({
              field: r.field,
              operator: r.operator,
              value: r.value,
              queueId: (byName.get(r.queue) as QueueRecord).id,
            })),
          );
          await writeAudit(tx, requestActor(context, actor), {
            action: 'routing.rules.set',
            subject: null,
            details: {
              rules: rules.map((r) => `${r.field} ${r.operator} ${r.value} → ${r.queue}`),
            },
          });
          return saved;
        });
        return { rules: stored.map(toRuleView) };
      }),
    'routing.fallbacks': ({ campaignId }) =>
      apiErrors(async () => {
        const byFallback = await store.routing.fallbackCounts(campaignId);
        return { total: Object.values(byFallback).reduce((a, b) => a + b, 0), byFallback };
      }),
    'devices.list': () => apiErrors(() => deps.devices()),
  };
}

function checkQueueTimes(offerTimeoutMs: number, waitTimeoutMs: number, prefix = ''): void {
  if (offerTimeoutMs > waitTimeoutMs) {
    throw new ApiError(
      'INVALID_PARAMS',
      `${prefix}offerTimeoutMs: the offer window (${offerTimeoutMs} ms) cannot be longer than the queue's wait (${waitTimeoutMs} ms)`,
      `${prefix}offerTimeoutMs`,
    );
  }
}

function toQueueView(q: QueueRecord): QueueView {
  return {
    id: q.id,
    name: q.name,
    labelEn: q.labelEn,
    labelZh: q.labelZh,
    skills: q.skills,
    offerTimeoutMs: q.offerTimeoutMs,
    waitTimeoutMs: q.waitTimeoutMs,
    fallback: q.fallback,
    priority: q.priority,
    system: q.system,
  };
}

function toRuleView(r: {
  field: string;
  operator: RoutingRule['operator'];
  value: string;
  queueName: string;
}): RoutingRule {
  return { field: r.field, operator: r.operator, value: r.value, queue: r.queueName };
}

async function apiErrors<T>(work: () => Promise<T>, conflictField?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof RoutingError) throw new ApiError(error.code, error.message, error.field);
    if (error instanceof AgentTransitionError)
      throw new ApiError('CONFLICT', error.message, 'status');
    if (error instanceof StoreError && error.code === 'CONFLICT')
      throw new ApiError('CONFLICT', error.message, conflictField);
    if (error instanceof StoreError && error.code === 'NOT_FOUND')
      throw new ApiError('NOT_FOUND', error.message);
    throw error;
  }
}
