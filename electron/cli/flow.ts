/**
 * `outbound flow validate FILE` checks a flow file and names every problem by node and field.
 * `outbound flow chat FILE [--contact key=value …] [--tz ZONE]` is the typed test chat: the bot's
 * prompts are printed, each line typed (or piped) is the customer's answer; "#5" presses a key,
 * an empty line is silence. It ends with the outcome the call would have had.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { checkFlow, DialogRuntime, type DialogChannel, type ListenResult } from '../engine/dialog/index.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface FlowCommandOptions {
  contact: string[];
  timeZone: string | undefined;
  input: NodeJS.ReadableStream;
}

async function loadFlowFile(path: string, out: Output): Promise<ReturnType<typeof checkFlow> | null> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    out.error('BAD_FLOW_FILE', `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(error as Error).message})`}`);
    return null;
  }
  return checkFlow(json);
}

export async function flowCommand(rest: string[], options: FlowCommandOptions, out: Output): Promise<number> {
  const [sub, file, ...extra] = rest;
  if ((sub !== 'validate' && sub !== 'chat') || !file || extra.length > 0) {
    throw new UsageError('flow takes: flow validate FILE | flow chat FILE [--contact key=value …] [--tz ZONE]');
  }
  const check = await loadFlowFile(file, out);
  if (!check) return 2;
  for (const warning of check.warnings) out.record({ event: 'warning', ...warning }, `warning: ${warning.text}`);
  if (!check.flow) {
    for (const issue of check.errors) out.record({ event: 'invalid', ...issue }, `error: ${issue.text}`);
    out.error('INVALID_FLOW', `${file}: ${check.errors.length} problem${check.errors.length === 1 ? '' : 's'}`);
    return 2;
  }
  const flow = check.flow;
  if (sub === 'validate') {
    out.record({ event: 'valid', id: flow.id, name: flow.name, language: flow.language, nodes: Object.keys(flow.nodes).length }, `${file}: valid (${flow.name}, ${flow.language}, ${Object.keys(flow.nodes).length} nodes)`);
    return 0;
  }

  const fields: Record<string, string | number> = {};
  for (const pair of options.contact) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--contact takes key=value (got "${pair}")`);
    const value = pair.slice(at + 1);
    fields[pair.slice(0, at)] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  const lines = createInterface({ input: options.input })[Symbol.asyncIterator]();
  const channel: DialogChannel = {
    async say(text) {
      out.record({ event: 'bot', text }, `bot: ${text}`);
      return { completed: true };
    },
    async listen(): Promise<ListenResult> {
      const next = await lines.next();
      if (next.done) return { kind: 'no_input' };
      const line = next.value.trim();
      if (line === '') return { kind: 'no_input' };
      if (/^#[0-9*#]+$/.test(line)) return { kind: 'dtmf', digits: line.slice(1) };
      return { kind: 'text', text: line };
    },
    async transfer(queue, reason) {
      out.record({ event: 'transfer', queue, reason }, `→ transferred to queue "${queue}" (${reason})`);
    },
    async scheduleCallback(at) {
      out.record({ event: 'callback', at: at.toISOString() }, `→ callback scheduled for ${at.toISOString()}`);
    },
    async hangup(disposition) {
      out.record({ event: 'hangup', disposition }, `→ hang up (${disposition})`);
    },
  };
  const runtime = new DialogRuntime({ flow, channel, contact: { fields, timeZone: options.timeZone ?? 'Asia/Shanghai' } });
  runtime.on((event) => {
    if (event.type === 'answer') out.record({ event: 'answer', intent: event.intent, confidence: event.confidence, matchedBy: event.matchedBy }, `   (${event.intent}, ${event.confidence.toFixed(2)}, ${event.matchedBy})`);
    if (event.type === 'no_match') out.record({ event: 'no_match', attempt: event.attempt }, `   (no match, attempt ${event.attempt})`);
    if (event.type === 'no_input') out.record({ event: 'no_input', attempt: event.attempt }, `   (no input, attempt ${event.attempt})`);
  });
  const outcome = await runtime.run();
  out.record({ event: 'outcome', ...outcome }, `outcome: ${outcome.reason}, disposition ${outcome.disposition}`);
  return outcome.reason === 'error' ? 1 : 0;
}
