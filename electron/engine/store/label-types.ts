/**
 * Records and the repository for utterance labels (schema 4): what an admin said a customer's
 * utterance really meant, and the clip cut from the call's recording for it. Kept apart from
 * types.ts like routing-types.ts; types.ts re-exports it.
 */

export interface UtteranceLabelRecord {
  id: number;
  callId: string;
  /** The utterance's start and end, ms from the call's answer (as utterances store them). */
  startMs: number;
  endMs: number;
  /** The flow (store id) and version the call ran, and the ask node the utterance answered. */
  flowId: number;
  flowVersion: number;
  nodeId: string;
  /** The intent it really meant; null: none of the node's intents. */
  intent: string | null;
  /** The clip, relative to the phrase-recordings folder (`labelled/<flowId>/<node>/<intent>/<call>-<startMs>.wav`). */
  clipPath: string;
  clipMs: number;
  source: 'history';
  labelledBy: string;
  labelledAt: number;
}

export type NewUtteranceLabel = Omit<UtteranceLabelRecord, 'id' | 'labelledAt'>;

export interface UtteranceLabelRepository {
  /** Stores the label, replacing an earlier one of the same utterance (call + start); returns it and the replaced one. */
  put(
    label: NewUtteranceLabel,
  ): Promise<{ label: UtteranceLabelRecord; replaced: UtteranceLabelRecord | null }>;
  get(callId: string, startMs: number): Promise<UtteranceLabelRecord | null>;
  forCall(callId: string): Promise<UtteranceLabelRecord[]>;
  /** Every label of a flow (any version), by node then time. */
  forFlow(flowId: number): Promise<UtteranceLabelRecord[]>;
}
