/**
 * The prompts a call opens with: what the dialog will say from its start node before it first
 * waits for the customer, filled in for one contact exactly as the running dialog fills them in
 * (same text, same `personal` mark, same parts). The bot renders these while the call is still ringing, so the
 * greeting plays the moment the customer answers.
 */
import type { CompiledFlow } from './compile.js';
import { disclosureText, type Literal, type PromptText } from './schema.js';
import {
  promptIn,
  type PromptPart,
  promptParts,
  renderTemplate,
  templateVariables,
} from './template.js';
import type { DialogContact } from './types.js';

/** Nodes followed from the start at most (a flow of says that loops stops here). */
const MAX_OPENING_NODES = 8;

export interface OpeningPrompt {
  text: string;
  /** Filled in from {variables} (see SayOptions.personal). */
  personal: boolean;
  /** Its sentence parts, as SayOptions.parts (only when more than one). */
  parts?: PromptPart[];
}

/**
 * The flow's disclosure (when on), then says from the start up to and including the first question or the closing words of a hangup or
 * transfer. Stops at any node whose prompt depends on what happens in the call (branch, set,
 * callback), so nothing here can differ from what the dialog will say.
 */
export function openingPrompts(compiled: CompiledFlow, contact: DialogContact): OpeningPrompt[] {
  const { flow } = compiled;
  // The dialog's variables before any node ran: the flow's defaults under the contact's fields.
  const variables = new Map<string, Literal>(Object.entries(flow.variables));
  for (const [k, v] of Object.entries(contact.fields)) if (v !== undefined) variables.set(k, v);
  const fill = (prompt: PromptText): OpeningPrompt => {
    const template = promptIn(prompt, flow.language);
    const lookup = (name: string): Literal | undefined => variables.get(name);
    const { text } = renderTemplate(template, lookup);
    const personal = templateVariables(template).length > 0;
    const parts = personal ? promptParts(template, lookup) : [];
    return { text, personal, ...(parts.length > 1 ? { parts } : {}) };
  };
  const prompts: OpeningPrompt[] = [];
  const disclosure = disclosureText(flow);
  if (disclosure !== null) prompts.push({ text: disclosure, personal: false });
  const seen = new Set<string>();
  let nodeId: string | undefined = flow.start;
  while (nodeId !== undefined && !seen.has(nodeId) && seen.size < MAX_OPENING_NODES) {
    seen.add(nodeId);
    const node: (typeof flow.nodes)[string] | undefined = flow.nodes[nodeId];
    if (!node) break;
    nodeId = undefined;
    switch (node.kind) {
      case 'say':
        prompts.push(fill(node.text));
        nodeId = node.next;
        break;
      case 'ask':
      case 'collect':
        prompts.push(fill(node.prompt));
        break;
      case 'hangup':
      case 'transfer':
        if (node.say !== undefined) prompts.push(fill(node.say));
        break;
      case 'branch':
      case 'set':
      case 'callback':
        break;
    }
  }
  return prompts;
}
