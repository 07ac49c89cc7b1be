/**
 * A flow version made ready to run: the validated flow plus one intent classifier per ask node,
 * trained lazily on first use. `CompiledFlowCache` keeps one per flow version, so every call of
 * the same version shares the classifiers and a call keeps the version it started with.
 */
import {
  type IntentClassifier,
  questionOffTopic,
  questionTraining,
  trainIntentClassifier,
} from '../nlu/index.js';
import type { Flow, NodeOf } from './schema.js';

export class CompiledFlow {
  readonly flow: Flow;
  /** Version label (e.g. the store's flow_versions.version); informational. */
  readonly version: number | null;
  private readonly classifiers = new Map<string, IntentClassifier | null>();

  constructor(flow: Flow, version: number | null = null) {
    this.flow = flow;
    this.version = version;
  }

  /**
   * The classifier of an ask node: its intents' own examples, plus the common-answer library's
   * phrasings for intents that `use` one, against the library's off-topic sentences and the
   * phrasings of the common answers none of its intents uses (nlu questionOffTopic) as the "none
   * of these" class; null when no intent has anything to train on.
   */
  classifier(node: NodeOf<'ask'>): IntentClassifier | null {
    const cached = this.classifiers.get(node.id);
    if (cached !== undefined) return cached;
    // `use` is read defensively: a flow stored before it existed has none.
    const sources = node.intents.map((i) => ({
      name: i.name,
      ...(i.examples !== undefined ? { examples: i.examples } : {}),
      ...((i as { use?: string }).use !== undefined ? { use: (i as { use?: string }).use } : {}),
    }));
    const training = questionTraining(sources, this.flow.language);
    const classifier =
      Object.keys(training).length > 0
        ? trainIntentClassifier(training, {
            offTopic: questionOffTopic(sources, this.flow.language),
          })
        : null;
    this.classifiers.set(node.id, classifier);
    return classifier;
  }
}

/** One CompiledFlow per (flow id, version), least recently used dropped beyond `maxEntries`. */
export class CompiledFlowCache {
  private readonly entries = new Map<string, CompiledFlow>();
  constructor(private readonly maxEntries = 32) {}

  get(flow: Flow, version: number): CompiledFlow {
    const key = `${flow.id}@${version}`;
    let compiled = this.entries.get(key);
    if (compiled) this.entries.delete(key);
    else compiled = new CompiledFlow(flow, version);
    this.entries.set(key, compiled);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }
}
