/**
 * The Flows page's text helpers, kept free of React so they are unit-tested: reading the editor's
 * JSON, finding where a node is written (to move the caret to an issue), the new-flow template,
 * the AI disclosure switch, and training progress as a fraction.
 */
import type { FlowTraining } from '../../api/contract.js';

export type ParsedText = { ok: true; value: unknown } | { ok: false; message: string };

export function parseFlowText(text: string): ParsedText {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Where a node is written in the text: its `"id": "x"` (nodes as an array) or its `"x":` key
 * (nodes by id); for a flow-level issue (nodeId null), the field's key. -1 when not found.
 */
export function nodeOffset(text: string, nodeId: string | null, field = ''): number {
  if (nodeId === null) {
    const key = field.split(/[.[]/)[0] ?? '';
    if (key === '') return -1;
    const match = new RegExp(`"${escapeRegExp(key)}"\\s*:`).exec(text);
    return match ? match.index : -1;
  }
  const byId = new RegExp(`"id"\\s*:\\s*"${escapeRegExp(nodeId)}"`).exec(text);
  if (byId) return byId.index;
  const byKey = new RegExp(`"${escapeRegExp(nodeId)}"\\s*:\\s*\\{`).exec(text);
  return byKey ? byKey.index : -1;
}

/** The 0-based line of an offset (to scroll a textarea there). */
export function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The engine's default disclosure (dialog/schema.ts DEFAULT_DISCLOSURE_TEXT; flowText.test checks
 * they agree), written out in new flows so the author sees what is said.
 */
export const DISCLOSURE_TEXT = {
  'zh-CN': '您好，本次通话由AI智能助理拨打，并将录音。',
  en: 'This call is from an automated AI assistant and is recorded.',
} as const;

/** The flow's disclosure as the editor shows it; null when the text is not a JSON object. */
export function disclosureOf(text: string): { enabled: boolean; text: string | null } | null {
  const parsed = parseFlowText(text);
  if (!parsed.ok || !isObject(parsed.value)) return null;
  const flow = parsed.value;
  const disclosure = flow['disclosure'];
  if (!isObject(disclosure)) return { enabled: false, text: null };
  const language = flow['language'] === 'zh-CN' ? 'zh-CN' : 'en';
  const said = disclosure['text'];
  return {
    enabled: disclosure['enabled'] !== false,
    text:
      typeof said === 'string'
        ? said
        : isObject(said) && typeof said[language] === 'string'
          ? said[language]
          : DISCLOSURE_TEXT[language],
  };
}

/**
 * The text with the disclosure turned on or off (added with the default text when missing, put
 * right after "start"); the text unchanged when it is not a JSON object.
 */
export function withDisclosure(text: string, enabled: boolean): string {
  const parsed = parseFlowText(text);
  if (!parsed.ok || !isObject(parsed.value)) return text;
  const flow = parsed.value;
  const current = flow['disclosure'];
  const disclosure = isObject(current)
    ? { ...current, enabled }
    : {
        enabled,
        text: DISCLOSURE_TEXT[flow['language'] === 'zh-CN' ? 'zh-CN' : 'en'],
      };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flow)) {
    if (key === 'disclosure') continue;
    if (key === 'nodes' && !('disclosure' in out)) out['disclosure'] = disclosure;
    out[key] = value;
    if (key === 'start') out['disclosure'] = disclosure;
  }
  if (!('disclosure' in out)) out['disclosure'] = disclosure;
  return `${JSON.stringify(out, null, 2)}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A small valid flow to start from, in the console's language. */
export function newFlowTemplate(language: 'zh-CN' | 'en'): string {
  const zh = language === 'zh-CN';
  const flow = {
    id: 'new-flow',
    name: zh ? '新流程' : 'New flow',
    language,
    variables: {},
    start: 'greet',
    // On in every new flow: said first, never interruptible (the AI-content labelling rules).
    disclosure: { enabled: true, text: DISCLOSURE_TEXT[language] },
    nodes: [
      { id: 'greet', kind: 'say', text: zh ? '您好，{name}。' : 'Hello {name}.', next: 'ask' },
      {
        id: 'ask',
        kind: 'ask',
        prompt: zh ? '现在方便说话吗？' : 'Is now a good time to talk?',
        intents: [
          {
            name: 'yes',
            examples: zh ? ['方便', '可以', '好的'] : ['yes', 'sure', 'go ahead'],
            dtmf: '1',
            next: 'bye',
          },
          {
            name: 'no',
            examples: zh ? ['不方便', '没空', '不行'] : ['no', 'not now', 'I am busy'],
            dtmf: '2',
            next: 'bye',
          },
        ],
        noInput: { maxAttempts: 2, next: 'bye' },
        noMatch: { maxAttempts: 2, next: 'bye' },
      },
      {
        id: 'bye',
        kind: 'hangup',
        say: zh ? '感谢您的时间，再见。' : 'Thank you for your time. Goodbye.',
        disposition: 'done',
      },
    ],
  };
  return `${JSON.stringify(flow, null, 2)}\n`;
}

/** Training progress 0..1 across the flow's ask nodes (null when there is nothing to measure). */
export function trainingFraction(training: FlowTraining | null): number | null {
  if (!training) return null;
  if (training.state === 'ready') return 1;
  const p = training.progress;
  if (!p || p.nodes === 0) return training.state === 'training' ? 0 : null;
  const within = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  return Math.min(
    1,
    (p.nodesDone + (p.stage === 'done' || p.stage === 'cached' ? 1 : within)) / p.nodes,
  );
}
