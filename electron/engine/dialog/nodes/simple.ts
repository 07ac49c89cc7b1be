/** The node kinds that do one thing: say, set, transfer, hangup. One class each (jambonz-style verbs). */
import type { DialogContext } from '../context.js';
import {
  DialogCancelledError,
  entityValue,
  type NodeExecutor,
  type NodeResult,
  raceAbort,
} from '../context.js';
import type { Literal, NodeOf } from '../schema.js';

export class SayNode implements NodeExecutor {
  constructor(readonly node: NodeOf<'say'>) {}
  async execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult> {
    await ctx.say(this.node.id, this.node.text, this.node.bargeIn, signal);
    return { next: this.node.next };
  }
}

export class SetNode implements NodeExecutor {
  constructor(readonly node: NodeOf<'set'>) {}
  async execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult> {
    if (signal.aborted) throw new DialogCancelledError();
    for (const [name, source] of Object.entries(this.node.assign)) {
      let value: Literal;
      if ('value' in source) value = source.value;
      else if ('entity' in source)
        value = entityValue(ctx.lastAnswer?.entities, source.entity) ?? null;
      else if ('contact' in source) value = ctx.contact.fields[source.contact] ?? null;
      else value = ctx.lastAnswer?.intent ?? null;
      ctx.setVariable(this.node.id, name, value);
    }
    return { next: this.node.next };
  }
}

export class TransferNode implements NodeExecutor {
  constructor(readonly node: NodeOf<'transfer'>) {}
  async execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult> {
    const { id, say, queue, reason, disposition } = this.node;
    if (say !== undefined) await ctx.say(id, say, false, signal);
    ctx.emit({ type: 'transfer', nodeId: id, queue, reason });
    ctx.transfer = { queue, reason };
    await raceAbort(ctx.channel.transfer(queue, reason), signal);
    return { end: { reason: 'transfer', disposition } };
  }
}

export class HangupNode implements NodeExecutor {
  constructor(readonly node: NodeOf<'hangup'>) {}
  async execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult> {
    if (this.node.say !== undefined) await ctx.say(this.node.id, this.node.say, false, signal);
    await raceAbort(ctx.channel.hangup(this.node.disposition), signal);
    return { end: { reason: 'hangup', disposition: this.node.disposition } };
  }
}
