/**
 * The seam between saving a flow and the speech side: when a flow version is saved, its phrase
 * recognizer models (one per `ask` node with example phrases) are trained in the background, with
 * progress, and cached on disk by version. The flows service calls `FlowTrainer.train`; the bot
 * loads the same (cached) models when a call runs that version.
 */
import type { Flow } from '../dialog/index.js';

export type FlowTrainingStage =
  'queued' | 'synthesize' | 'embed' | 'calibrate' | 'fit' | 'cached' | 'done';

export interface FlowTrainingProgress {
  /** The ask node being trained (null before the first one starts). */
  nodeId: string | null;
  /** Ask nodes finished so far, of `nodes` in all. */
  nodesDone: number;
  nodes: number;
  stage: FlowTrainingStage;
  /** Progress within the stage. */
  done: number;
  total: number;
}

export interface FlowTrainingResult {
  /** Ask nodes that got a model. */
  nodes: string[];
  /** Wall time spent (ms); near 0 when everything came from the cache. */
  elapsedMs: number;
  /** Nodes whose model came from the disk cache. */
  cached: number;
}

export interface FlowTrainer {
  /** Trains (or loads from the cache) every phrase model of one flow version. Rejects with a message naming the node. */
  train(
    flow: Flow,
    onProgress?: (progress: FlowTrainingProgress) => void,
  ): Promise<FlowTrainingResult>;
}
