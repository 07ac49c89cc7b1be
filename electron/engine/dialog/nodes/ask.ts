/**
 * `ask`: says the question, listens, and maps the answer to one of the node's intents — a DTMF
 * key by its `dtmf`, text by the flow version's classifier over the intents' example phrases (or
 * by an `entity` the answer contains). Silence re-prompts up to `noInput.maxAttempts`, an
 * unrecognized answer up to `noMatch.maxAttempts`; then the exhausted branch's `next`.
 */
import { type Entities, extractEntities, NO_MATCH } from '../../nlu/index.js';
import type { DialogContext } from '../context.js';
import { entityValue, type NodeExecutor, type NodeResult } from '../context.js';
import type { Intent, NodeOf, PromptText } from '../schema.js';

/** A classifier match at or above this confidence beats an entity-only intent. */
const CONFIDENT_MATCH = 0.5;
/** Default acceptance threshold when the node sets no `minConfidence`. */
const DEFAULT_MIN_CONFIDENCE = 0.25;

interface Recognition {
  intent: Intent | null;
  confidence: number;
  matchedBy: 'classifier' | 'entity';
  best?: { intent: string; confidence: number };
}

export class AskNode implements NodeExecutor {
  constructor(readonly node: NodeOf<'ask'>) {}

  async execute(ctx: DialogContext, signal: AbortSignal): Promise<NodeResult> {
    const node = this.node;
    let noInputs = 0;
    let noMatches = 0;
    let prompt: PromptText = node.prompt;
    for (;;) {
      await ctx.say(node.id, prompt, node.bargeIn, signal);
      const heard = await ctx.listen(node.timeoutMs, signal);
      if (
        heard.kind === 'no_input' ||
        (heard.kind === 'text' && heard.text.trim() === '') ||
        (heard.kind === 'dtmf' && heard.digits === '')
      ) {
        noInputs++;
        const exhausted = noInputs >= node.noInput.maxAttempts;
        ctx.emit({ type: 'no_input', nodeId: node.id, attempt: noInputs, exhausted });
        if (exhausted) return { next: node.noInput.next };
        prompt = node.noInput.prompt ?? node.prompt;
        continue;
      }
      if (heard.kind === 'no_match') {
        noMatches++;
        const exhausted = noMatches >= node.noMatch.maxAttempts;
        ctx.emit({
          type: 'no_match',
          nodeId: node.id,
          attempt: noMatches,
          exhausted,
          input: 'speech',
          ...(heard.best ? { best: heard.best } : {}),
        });
        if (exhausted) return { next: node.noMatch.next };
        prompt = node.noMatch.prompt ?? node.prompt;
        continue;
      }
      const entities: Entities =
        heard.kind === 'text'
          ? extractEntities(heard.text, ctx.timeContext())
          : { yesNo: null, numbers: [], money: [], phones: [], dateTimes: [] };
      if (heard.kind === 'dtmf') {
        const intent = node.intents.find((i) => i.dtmf === heard.digits);
        if (intent) {
          ctx.lastAnswer = {
            nodeId: node.id,
            input: 'dtmf',
            digits: heard.digits,
            intent: intent.name,
            confidence: 1,
            matchedBy: 'dtmf',
            entities,
          };
          ctx.emit({ type: 'answer', ...ctx.lastAnswer });
          return { next: intent.next };
        }
      } else if (heard.intent !== undefined && node.intents.some((i) => i.name === heard.intent)) {
        // The speech recognizer already chose among this node's intents.
        const intent = node.intents.find((i) => i.name === heard.intent)!;
        ctx.lastAnswer = {
          nodeId: node.id,
          input: 'text',
          text: heard.text,
          intent: intent.name,
          confidence: heard.confidence ?? 1,
          matchedBy: 'recognizer',
          entities,
        };
        ctx.emit({ type: 'answer', ...ctx.lastAnswer });
        return { next: intent.next };
      } else {
        const r = this.recognize(ctx, heard.text, entities);
        if (r.intent) {
          ctx.lastAnswer = {
            nodeId: node.id,
            input: 'text',
            text: heard.text,
            intent: r.intent.name,
            confidence: r.confidence,
            matchedBy: r.matchedBy,
            entities,
          };
          ctx.emit({ type: 'answer', ...ctx.lastAnswer });
          return { next: r.intent.next };
        }
        noMatches++;
        const exhausted = noMatches >= node.noMatch.maxAttempts;
        ctx.emit({
          type: 'no_match',
          nodeId: node.id,
          attempt: noMatches,
          exhausted,
          input: 'text',
          text: heard.text,
          ...(r.best ? { best: r.best } : {}),
        });
        if (exhausted) return { next: node.noMatch.next };
        prompt = node.noMatch.prompt ?? node.prompt;
        continue;
      }
      noMatches++;
      const exhausted = noMatches >= node.noMatch.maxAttempts;
      ctx.emit({
        type: 'no_match',
        nodeId: node.id,
        attempt: noMatches,
        exhausted,
        input: 'dtmf',
        digits: heard.digits,
      });
      if (exhausted) return { next: node.noMatch.next };
      prompt = node.noMatch.prompt ?? node.prompt;
    }
  }

  /** Text → intent: a confident classifier match, else an entity intent, else a plain match, else none. */
  recognize(ctx: DialogContext, text: string, entities: Entities): Recognition {
    const minConfidence = this.node.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    const classifier = ctx.compiled.classifier(this.node);
    const result = classifier?.classify(text);
    const top = result?.ranked[0];
    const best = top ? { intent: top.intent, confidence: top.confidence } : undefined;
    const classified =
      result && result.intent !== NO_MATCH && result.confidence >= minConfidence
        ? this.node.intents.find((i) => i.name === result.intent)
        : undefined;
    if (classified && result && result.confidence >= CONFIDENT_MATCH) {
      return {
        intent: classified,
        confidence: result.confidence,
        matchedBy: 'classifier',
        ...(best ? { best } : {}),
      };
    }
    const byEntity = this.node.intents.find(
      (i) => i.entity !== undefined && entityValue(entities, i.entity) !== undefined,
    );
    if (byEntity)
      return { intent: byEntity, confidence: 1, matchedBy: 'entity', ...(best ? { best } : {}) };
    if (classified && result)
      return {
        intent: classified,
        confidence: result.confidence,
        matchedBy: 'classifier',
        ...(best ? { best } : {}),
      };
    return { intent: null, confidence: 0, matchedBy: 'classifier', ...(best ? { best } : {}) };
  }
}
