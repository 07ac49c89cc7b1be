/**
 * DialogRuntime: runs one call through one compiled flow version over a DialogChannel. Node by
 * node, each a small executor class; `cancel()` aborts the signal every await races against, so
 * the run stops at once (the channel is not hung up: whoever cancels owns the call). Every step is
 * a typed DialogEvent for the transcript. A flow's AI/recording disclosure is said before its start
 * node (never interruptible), as a `prompt` event of node DISCLOSURE_NODE_ID.
 */
import { CompiledFlow } from './compile.js';
import { DialogCancelledError, DialogContext, type DialogEventInput } from './context.js';
import { createNodeExecutor } from './nodes/index.js';
import { DISCLOSURE_NODE_ID, disclosureText, type Flow, type Literal } from './schema.js';
import type {
  DialogChannel,
  DialogContact,
  DialogEvent,
  DialogListener,
  DialogOutcome,
  EndReason,
} from './types.js';

export interface DialogRuntimeOptions {
  /** The flow version the call runs (a plain validated Flow is compiled for this call only). */
  flow: CompiledFlow | Flow;
  channel: DialogChannel;
  contact: DialogContact;
  /** Clock (tests pin it); default `() => new Date()`. */
  now?: () => Date;
  /** Guard against flows that loop without end; default 200 nodes per call. */
  maxSteps?: number;
}

export class DialogRuntime {
  private readonly compiled: CompiledFlow;
  private readonly channel: DialogChannel;
  private readonly contact: DialogContact;
  private readonly now: () => Date;
  private readonly maxSteps: number;
  private readonly abort = new AbortController();
  private readonly listeners = new Set<DialogListener>();
  private running: Promise<DialogOutcome> | null = null;
  private currentNodeId: string | null = null;

  constructor(options: DialogRuntimeOptions) {
    this.compiled =
      options.flow instanceof CompiledFlow ? options.flow : new CompiledFlow(options.flow);
    this.channel = options.channel;
    this.contact = options.contact;
    this.now = options.now ?? ((): Date => new Date());
    this.maxSteps = options.maxSteps ?? 200;
  }

  /** Subscribes to the run's events; returns the unsubscribe function. */
  on(listener: DialogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The node being executed (null before the start and after the end). */
  get nodeId(): string | null {
    return this.currentNodeId;
  }

  /** Stops the run: the pending say/listen is abandoned and run() resolves with reason `cancelled`. */
  cancel(): void {
    this.abort.abort();
  }

  /** Runs the dialog to its end; calling it again returns the same run. Never rejects. */
  run(): Promise<DialogOutcome> {
    this.running ??= this.execute();
    return this.running;
  }

  private emit(event: DialogEventInput): void {
    const full = { ...event, atMs: this.now().getTime() } as DialogEvent;
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A listener's failure must not break the call.
      }
    }
  }

  private async execute(): Promise<DialogOutcome> {
    const signal = this.abort.signal;
    const ctx = new DialogContext(
      this.compiled,
      this.channel,
      this.contact,
      (e) => this.emit(e),
      this.now,
    );
    const path: string[] = [];
    const finish = (reason: EndReason, disposition: string, error?: string): DialogOutcome => {
      const nodeId = this.currentNodeId;
      this.currentNodeId = null;
      this.emit({
        type: 'ended',
        reason,
        disposition,
        nodeId,
        ...(error !== undefined ? { error } : {}),
      });
      // Personal data a sensitive node collected is dropped here (or kept masked, store 'masked').
      const variables: Record<string, Literal> = ctx.outcomeVariables();
      return {
        reason,
        disposition,
        path,
        variables,
        ...(ctx.transfer ? { transfer: ctx.transfer } : {}),
        ...(ctx.callbackAt ? { callbackAt: ctx.callbackAt } : {}),
        ...(error !== undefined ? { error } : {}),
      };
    };
    let nodeId = this.compiled.flow.start;
    try {
      const disclosure = disclosureText(this.compiled.flow);
      if (disclosure !== null) {
        // First, whole: no barge-in (speech or keys), a `prompt` event like any node's.
        this.currentNodeId = DISCLOSURE_NODE_ID;
        await ctx.say(DISCLOSURE_NODE_ID, disclosure, false, signal);
      }
      for (let step = 0; ; step++) {
        if (signal.aborted) throw new DialogCancelledError();
        if (step >= this.maxSteps)
          return finish(
            'error',
            'dialog_error',
            `more than ${this.maxSteps} nodes: the flow loops`,
          );
        const node = this.compiled.flow.nodes[nodeId];
        if (!node) return finish('error', 'dialog_error', `no node "${nodeId}"`);
        this.currentNodeId = nodeId;
        path.push(nodeId);
        this.emit({ type: 'node_entered', nodeId, kind: node.kind });
        const result = await createNodeExecutor(node).execute(ctx, signal);
        if ('end' in result) return finish(result.end.reason, result.end.disposition);
        nodeId = result.next;
      }
    } catch (error) {
      if (error instanceof DialogCancelledError || signal.aborted)
        return finish('cancelled', 'cancelled');
      return finish(
        'error',
        'dialog_error',
        error instanceof Error ? error.message : String(error),
      );
    }
  }
}
