/**
 * validateFlow: schema check (zod) + graph checks, with every issue naming the node id and the
 * field, e.g. `node "confirm": next: no node "confrim"`. Unreachable nodes are warnings.
 */
import type { z } from 'zod';

import {
  type Disclosure,
  type Flow,
  FlowFileByIdSchema,
  FlowFileListSchema,
  type FlowLanguage,
  type FlowNode,
  NODE_KINDS,
  type PromptText,
} from './schema.js';
import { templateVariables } from './template.js';

export interface FlowIssue {
  severity: 'error' | 'warning';
  /** The node the issue is in; null for flow-level fields. */
  nodeId: string | null;
  /** Dotted path inside the node (or flow), e.g. `intents[0].next`; '' for the node itself. */
  field: string;
  message: string;
  /** One line: `node "confirm": next: no node "confrim"`. */
  text: string;
}

export class FlowValidationError extends Error {
  readonly issues: readonly FlowIssue[];
  readonly warnings: readonly FlowIssue[];
  constructor(issues: readonly FlowIssue[], warnings: readonly FlowIssue[] = []) {
    super(
      `Invalid flow (${issues.length} ${issues.length === 1 ? 'error' : 'errors'}):\n${issues.map((i) => `  ${i.text}`).join('\n')}`,
    );
    this.name = 'FlowValidationError';
    this.issues = issues;
    this.warnings = warnings;
  }
}

export interface FlowCheck {
  /** The flow when there are no errors. */
  flow: Flow | null;
  errors: FlowIssue[];
  warnings: FlowIssue[];
}

function issue(
  severity: FlowIssue['severity'],
  nodeId: string | null,
  field: string,
  message: string,
): FlowIssue {
  const where = nodeId === null ? 'flow' : `node "${nodeId}"`;
  return {
    severity,
    nodeId,
    field,
    message,
    text: field ? `${where}: ${field}: ${message}` : `${where}: ${message}`,
  };
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The node id an input path points into (array form: the element's id, or `#index`). */
function nodeIdAt(input: unknown, key: PropertyKey): string {
  if (typeof key === 'number' && isRecord(input) && Array.isArray(input['nodes'])) {
    const el: unknown = input['nodes'][key];
    return isRecord(el) && typeof el['id'] === 'string' ? el['id'] : `#${key}`;
  }
  return String(key);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function zodIssueToFlowIssue(input: unknown, zi: z.core.$ZodIssue): FlowIssue {
  const inNode = zi.path[0] === 'nodes' && zi.path.length >= 2;
  const nodeId = inNode ? nodeIdAt(input, zi.path[1] as PropertyKey) : null;
  const rest = inNode ? zi.path.slice(2) : zi.path;
  const field = fieldPath(rest);
  let message = zi.message;
  if (zi.code === 'invalid_union' && 'discriminator' in zi && zi.discriminator === 'kind') {
    // zod 4 points the issue at the discriminator itself (…, 'kind').
    const kind = valueAt(input, zi.path);
    message =
      kind === undefined
        ? `missing (expected one of ${NODE_KINDS.join(', ')})`
        : `unknown kind ${JSON.stringify(kind)} (expected one of ${NODE_KINDS.join(', ')})`;
  } else if (zi.code === 'unrecognized_keys') {
    message = `unknown field${zi.keys.length > 1 ? 's' : ''} ${zi.keys.map((k) => `"${k}"`).join(', ')}`;
  } else if (
    valueAt(input, zi.path) === undefined &&
    (zi.code === 'invalid_type' || zi.code === 'invalid_value' || zi.code === 'invalid_union')
  ) {
    message = 'required';
  }
  // Inside an intent, say which one by name too (its index alone is hard to find in a long flow).
  if (inNode && rest[0] === 'intents' && typeof rest[1] === 'number' && rest.length > 2) {
    const name = valueAt(input, [...zi.path.slice(0, 2), 'intents', rest[1], 'name']);
    if (typeof name === 'string' && name !== '') message = `intent "${name}": ${message}`;
  }
  return issue('error', nodeId, field, message);
}

/** Every `next`-like reference of a node, with its field path. */
export function nodeTargets(node: FlowNode): Array<{ field: string; target: string }> {
  switch (node.kind) {
    case 'say':
    case 'set':
      return [{ field: 'next', target: node.next }];
    case 'ask':
      return [
        ...node.intents.map((i, n) => ({ field: `intents[${n}].next`, target: i.next })),
        { field: 'noInput.next', target: node.noInput.next },
        { field: 'noMatch.next', target: node.noMatch.next },
      ];
    case 'branch':
      return [
        ...node.conditions.map((c, n) => ({ field: `conditions[${n}].next`, target: c.next })),
        { field: 'else', target: node.else },
      ];
    case 'callback':
      return [
        { field: 'next', target: node.next },
        { field: 'fallbackNext', target: node.fallbackNext },
      ];
    case 'collect':
      return [
        { field: 'next', target: node.next },
        { field: 'noInput', target: node.noInput },
        { field: 'invalid', target: node.invalid },
      ];
    case 'transfer':
    case 'hangup':
      return [];
  }
}

function promptFields(node: FlowNode): Array<{ field: string; text: PromptText | undefined }> {
  switch (node.kind) {
    case 'say':
      return [{ field: 'text', text: node.text }];
    case 'ask':
      return [
        { field: 'prompt', text: node.prompt },
        { field: 'noInput.prompt', text: node.noInput.prompt },
        { field: 'noMatch.prompt', text: node.noMatch.prompt },
      ];
    case 'transfer':
    case 'hangup':
      return [{ field: 'say', text: node.say }];
    case 'collect':
      return [
        { field: 'prompt', text: node.prompt },
        { field: 'retryPrompt', text: node.retryPrompt },
      ];
    default:
      return [];
  }
}

function checkNode(
  node: FlowNode,
  language: FlowLanguage,
  nodes: Record<string, FlowNode>,
  errors: FlowIssue[],
): void {
  for (const { field, target } of nodeTargets(node)) {
    if (!(target in nodes)) errors.push(issue('error', node.id, field, `no node "${target}"`));
  }
  for (const { field, text } of promptFields(node)) {
    if (text !== undefined && typeof text !== 'string' && text[language] === undefined) {
      errors.push(issue('error', node.id, field, `no text in the flow's language "${language}"`));
    }
  }
  if (node.kind === 'collect') {
    checkCollect(node, errors);
    return;
  }
  if (node.kind !== 'ask') return;
  const names = new Set<string>();
  const keys = new Map<string, string>();
  node.intents.forEach((intent, n) => {
    const at = `intents[${n}]`;
    if (names.has(intent.name))
      errors.push(issue('error', node.id, `${at}.name`, `duplicate intent "${intent.name}"`));
    names.add(intent.name);
    if (intent.dtmf !== undefined) {
      const other = keys.get(intent.dtmf);
      if (other !== undefined)
        errors.push(
          issue(
            'error',
            node.id,
            `${at}.dtmf`,
            `key "${intent.dtmf}" is already used by intent "${other}"`,
          ),
        );
      keys.set(intent.dtmf, intent.name);
    }
    const examples =
      intent.examples === undefined
        ? []
        : Array.isArray(intent.examples)
          ? intent.examples
          : Object.values(intent.examples).flat();
    if (
      examples.length === 0 &&
      intent.use === undefined &&
      intent.dtmf === undefined &&
      intent.entity === undefined
    ) {
      errors.push(
        issue(
          'error',
          node.id,
          `${at}.examples`,
          `intent "${intent.name}" has no examples, "use" (a common answer), dtmf key or entity`,
        ),
      );
    }
    const confirm = intent.confirmPrompt;
    if (confirm !== undefined && typeof confirm !== 'string' && confirm[language] === undefined) {
      errors.push(
        issue(
          'error',
          node.id,
          `${at}.confirmPrompt`,
          `intent "${intent.name}": no text in the flow's language "${language}"`,
        ),
      );
    }
  });
}

/** A collect node's digit limits agree with each other and with its check. */
function checkCollect(node: Extract<FlowNode, { kind: 'collect' }>, errors: FlowIssue[]): void {
  const { min, max } = node.digits;
  if (min > max)
    errors.push(issue('error', node.id, 'digits.min', `${min} is more than digits.max (${max})`));
  const needs = node.check === 'luhn' ? [16, 19] : node.check === 'idCard' ? [18, 18] : null;
  if (needs && (max < needs[0]! || min > needs[1]!))
    errors.push(
      issue(
        'error',
        node.id,
        'digits',
        `check "${node.check}" needs ${needs[0] === needs[1] ? needs[0] : `${needs[0]}–${needs[1]}`} digits, but digits allows ${min}–${max}`,
      ),
    );
  if (node.store === 'masked' && !node.sensitive)
    errors.push(
      issue('error', node.id, 'store', '"masked" is for a sensitive node (sensitive: true)'),
    );
}

/** Validates a flow without throwing: the flow (when valid), errors and warnings. */
export function checkFlow(input: unknown): FlowCheck {
  // Parsed against the variant the input's shape asks for, so errors point inside its nodes.
  const schema =
    isRecord(input) && Array.isArray(input['nodes']) ? FlowFileListSchema : FlowFileByIdSchema;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    return {
      flow: null,
      errors: parsed.error.issues.map((zi) => zodIssueToFlowIssue(input, zi)),
      warnings: [],
    };
  }
  const file = parsed.data;
  const errors: FlowIssue[] = [];
  const warnings: FlowIssue[] = [];
  const nodes: Record<string, FlowNode> = {};
  if (Array.isArray(file.nodes)) {
    file.nodes.forEach((node, n) => {
      if (node.id === undefined) {
        errors.push(issue('error', `#${n}`, 'id', 'required when nodes is an array'));
        return;
      }
      if (node.id in nodes)
        errors.push(issue('error', node.id, 'id', `duplicate node id "${node.id}"`));
      nodes[node.id] = { ...node, id: node.id };
    });
  } else {
    for (const [key, node] of Object.entries(file.nodes)) {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key))
        errors.push(
          issue('error', key, '', 'a node id is a letter or _ followed by letters, digits, _ . -'),
        );
      if (node.id !== undefined && node.id !== key)
        errors.push(issue('error', key, 'id', `"${node.id}" differs from its key "${key}"`));
      nodes[key] = { ...node, id: key };
    }
  }
  if (!(file.start in nodes)) errors.push(issue('error', null, 'start', `no node "${file.start}"`));
  for (const node of Object.values(nodes)) checkNode(node, file.language, nodes, errors);
  if (file.start in nodes) {
    const seen = new Set<string>([file.start]);
    const queue = [file.start];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const node = nodes[id];
      if (!node) continue;
      for (const { target } of nodeTargets(node)) {
        if (target in nodes && !seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    for (const id of Object.keys(nodes)) {
      if (!seen.has(id))
        warnings.push(issue('warning', id, '', `unreachable from start "${file.start}"`));
    }
  }
  checkDisclosure(file.disclosure, file.language, errors, warnings);
  if (errors.length > 0) return { flow: null, errors, warnings };
  const flow: Flow = {
    id: file.id,
    name: file.name,
    language: file.language,
    variables: file.variables ?? {},
    start: file.start,
    nodes,
  };
  if (file.description !== undefined) flow.description = file.description;
  if (file.dispositions !== undefined) flow.dispositions = file.dispositions;
  if (file.disclosure !== undefined) flow.disclosure = file.disclosure;
  return { flow, errors, warnings };
}

/**
 * The disclosure is a fixed prompt (the prompt cache holds it, no call synthesizes it), so it has
 * no {variables}; in the flow's language; turned off, it is a warning (the law asks for it).
 */
function checkDisclosure(
  disclosure: Disclosure | undefined,
  language: FlowLanguage,
  errors: FlowIssue[],
  warnings: FlowIssue[],
): void {
  if (disclosure === undefined) return;
  if (!disclosure.enabled) {
    warnings.push(
      issue(
        'warning',
        null,
        'disclosure.enabled',
        'off: calls do not say that the caller is an AI assistant and the call is recorded',
      ),
    );
  }
  const text = disclosure.text;
  if (text === undefined) return;
  const said = typeof text === 'string' ? text : text[language];
  if (said === undefined) {
    errors.push(
      issue('error', null, 'disclosure.text', `no text in the flow's language "${language}"`),
    );
    return;
  }
  const variables = templateVariables(said);
  if (variables.length > 0)
    errors.push(
      issue(
        'error',
        null,
        'disclosure.text',
        `a fixed text without {variables} (found ${variables.map((v) => `{${v}}`).join(', ')})`,
      ),
    );
}

/** Returns the validated flow, or throws FlowValidationError listing every error (and the warnings). */
export function validateFlow(input: unknown): Flow {
  const { flow, errors, warnings } = checkFlow(input);
  if (!flow) throw new FlowValidationError(errors, warnings);
  return flow;
}
