/**
 * The targets of the held-out sets (test/eval/): a sample flow's ask node ("flow:<flowId>/<nodeId>")
 * or the common-answer library on its own ("library"), which is measured as a one-question flow
 * whose intents each `use` one common answer (no examples of their own), as a flow author would
 * write it: flows/eval.ts `libraryFlow`, the one `outbound flow eval` runs library lines through.
 */
import {
  CompiledFlow,
  type Flow,
  type NodeOf,
  SAMPLE_FLOWS,
  validateFlow,
} from '../../electron/engine/dialog/index.js';
import { LIBRARY, libraryFlow } from '../../electron/engine/flows/eval.js';
import type { EvalLanguage } from '../../test/eval/audio/voices.js';

export interface Target {
  /** As written in the sets: 'library' or 'flow:<flowId>/<nodeId>'. */
  id: string;
  language: EvalLanguage;
  flow: Flow;
  compiled: CompiledFlow;
  node: NodeOf<'ask'>;
}

/** Every target of a language, by id. */
export function targetsOf(language: EvalLanguage): Map<string, Target> {
  const out = new Map<string, Target>();
  const add = (id: string, flow: Flow, nodeId: string): void => {
    const node = flow.nodes[nodeId];
    if (node?.kind !== 'ask') throw new Error(`${id}: not an ask node`);
    out.set(id, { id, language, flow, compiled: new CompiledFlow(flow), node });
  };
  add(LIBRARY, libraryFlow(language), LIBRARY);
  for (const [flowId, raw] of Object.entries(SAMPLE_FLOWS)) {
    const flow = validateFlow(raw);
    if (flow.language !== language) continue;
    for (const [nodeId, node] of Object.entries(flow.nodes))
      if (node.kind === 'ask') add(`flow:${flowId}/${nodeId}`, flow, nodeId);
  }
  return out;
}

/** The target a line names; an error names the file's line when it does not exist. */
export function targetFor(targets: Map<string, Target>, id: string, where: string): Target {
  const target = targets.get(id);
  if (!target)
    throw new Error(`${where}: unknown target "${id}" (known: ${[...targets.keys()].join(', ')})`);
  return target;
}
