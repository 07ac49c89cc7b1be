/** `branch`: the first condition that holds picks the next node; `else` otherwise. */
import type { DialogContext } from '../context.js';
import {
  DialogCancelledError,
  entityValue,
  type NodeExecutor,
  type NodeResult,
} from '../context.js';
import type { Condition, EntityKind, Literal, NodeOf } from '../schema.js';

function asNumber(v: Literal | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** Equality that lets a CSV string "3" equal the number 3. */
function same(a: Literal | undefined, b: Literal): boolean {
  if (a === undefined) return false;
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) return x === y;
  return a === b || (a !== null && b !== null && String(a) === String(b));
}

export function conditionValue(ctx: DialogContext, c: Condition): Literal | undefined {
  switch (c.source) {
    case 'intent':
      return ctx.lastAnswer?.intent;
    case 'entity':
      return entityValue(ctx.lastAnswer?.entities, c.key as EntityKind);
    case 'contact':
      return ctx.contact.fields[c.key ?? ''];
    case 'variable':
      return ctx.variables.get(c.key ?? '');
  }
}

export function evaluateCondition(ctx: DialogContext, c: Condition): boolean {
  const v = conditionValue(ctx, c);
  const target = c.value;
  switch (c.op) {
    case 'exists':
      return v !== undefined && v !== null && v !== '';
    case 'equals':
      return target !== undefined && !Array.isArray(target) && same(v, target);
    case 'in':
      return Array.isArray(target) && target.some((t) => same(v, t));
    case 'gt':
    case 'lt': {
      const x = asNumber(v);
      const y = asNumber(Array.isArray(target) ? undefined : target);
      if (x === null || y === null) return false;
      return c.op === 'gt' ? x > y : x < y;
    }
  }
}

export class BranchNode implements NodeExecutor {
  constructor(readonly node: NodeOf<'branch'>) {}
  async execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult> {
    if (signal.aborted) throw new DialogCancelledError();
    const hit = this.node.conditions.find((c) => evaluateCondition(ctx, c.when));
    return { next: hit ? hit.next : this.node.else };
  }
}
