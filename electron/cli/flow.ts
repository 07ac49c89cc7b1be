/**
 * `outbound flow validate FILE` checks a flow file and names every problem by node and field.
 * `outbound flow chat FILE|NAME[@VERSION] [--contact key=value …] [--tz ZONE]` is the typed test
 * chat: the bot's prompts are printed, each line typed (or piped) is the customer's answer; "#5"
 * presses a key, an empty line is silence. It ends with the outcome the call would have had. A
 * NAME (no such file) is a flow saved in the data folder's store, its latest version or @VERSION.
 * The chat runs over the same TextChannel as the console's test chat (engine/flows).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

import { ApiError } from '../engine/api/errors.js';
import { checkFlow, DialogRuntime, type Flow } from '../engine/dialog/index.js';
import { EventHub } from '../engine/events/event-hub.js';
import { FlowService, parseChatLine, TextChannel } from '../engine/flows/index.js';
import { silentLogger } from '../engine/log.js';
import { openStore } from '../engine/store/index.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface FlowCommandOptions {
  contact: string[];
  timeZone: string | undefined;
  input: NodeJS.ReadableStream;
  /** The data folder whose store holds saved flows (for a NAME instead of a FILE). */
  dataDir: string;
}

/** A flow saved in the store, by `name` or `name@version`; null (after saying why) when there is none. */
async function loadStoredFlow(ref: string, dataDir: string, out: Output): Promise<Flow | null> {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? Number(ref.slice(at + 1)) : undefined;
  if (version !== undefined && !(Number.isInteger(version) && version >= 1))
    throw new UsageError(`a flow version is a whole number from 1 (got "${ref}")`);
  const store = await openStore({ dataDir });
  try {
    const flows = new FlowService({
      store,
      events: new EventHub(),
      log: silentLogger,
      defaultTimeZone: async () => 'Asia/Shanghai',
    });
    const loaded = await flows.load(name, version);
    out.record(
      { event: 'flow', name: loaded.name, version: loaded.version },
      `${loaded.name} v${loaded.version} (${dataDir})`,
    );
    return loaded.flow;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    out.error(
      error.code === 'NOT_FOUND' ? 'FLOW_NOT_FOUND' : error.code,
      `${error.message} (no such file either; flows are saved in ${dataDir})`,
    );
    return null;
  } finally {
    await store.close();
  }
}

async function loadFlowFile(
  path: string,
  out: Output,
): Promise<ReturnType<typeof checkFlow> | null> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    out.error(
      'BAD_FLOW_FILE',
      `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(error as Error).message})`}`,
    );
    return null;
  }
  return checkFlow(json);
}

export async function flowCommand(
  rest: string[],
  options: FlowCommandOptions,
  out: Output,
): Promise<number> {
  const [sub, file, ...extra] = rest;
  if ((sub !== 'validate' && sub !== 'chat') || !file || extra.length > 0) {
    throw new UsageError(
      'flow takes: flow validate FILE | flow chat FILE|NAME[@VERSION] [--contact key=value …] [--tz ZONE]',
    );
  }
  if (sub === 'chat' && !existsSync(file) && !file.toLowerCase().endsWith('.json')) {
    const stored = await loadStoredFlow(file, options.dataDir, out);
    return stored ? chat(stored, options, out) : 1;
  }
  const check = await loadFlowFile(file, out);
  if (!check) return 2;
  for (const warning of check.warnings)
    out.record({ event: 'warning', ...warning }, `warning: ${warning.text}`);
  if (!check.flow) {
    for (const issue of check.errors)
      out.record({ event: 'invalid', ...issue }, `error: ${issue.text}`);
    out.error(
      'INVALID_FLOW',
      `${file}: ${check.errors.length} problem${check.errors.length === 1 ? '' : 's'}`,
    );
    return 2;
  }
  const flow = check.flow;
  if (sub === 'validate') {
    out.record(
      {
        event: 'valid',
        id: flow.id,
        name: flow.name,
        language: flow.language,
        nodes: Object.keys(flow.nodes).length,
      },
      `${file}: valid (${flow.name}, ${flow.language}, ${Object.keys(flow.nodes).length} nodes)`,
    );
    return 0;
  }
  return chat(flow, options, out);
}

async function chat(flow: Flow, options: FlowCommandOptions, out: Output): Promise<number> {
  const fields: Record<string, string | number> = {};
  for (const pair of options.contact) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--contact takes key=value (got "${pair}")`);
    const value = pair.slice(at + 1);
    fields[pair.slice(0, at)] =
      value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  const lines = createInterface({ input: options.input })[Symbol.asyncIterator]();
  const channel = new TextChannel(
    async () => {
      const next = await lines.next();
      // The input ran out: silence from then on, so the flow's no-input path ends the chat.
      return next.done ? { kind: 'no_input' } : parseChatLine(next.value);
    },
    (action) => {
      if (action.type === 'say')
        out.record({ event: 'bot', text: action.text }, `bot: ${action.text}`);
      if (action.type === 'transfer')
        out.record(
          { event: 'transfer', queue: action.queue, reason: action.reason },
          `→ transferred to queue "${action.queue}" (${action.reason})`,
        );
      if (action.type === 'callback')
        out.record(
          { event: 'callback', at: action.at.toISOString() },
          `→ callback scheduled for ${action.at.toISOString()}`,
        );
      if (action.type === 'hangup')
        out.record(
          { event: 'hangup', disposition: action.disposition },
          `→ hang up (${action.disposition})`,
        );
    },
  );
  const runtime = new DialogRuntime({
    flow,
    channel,
    contact: { fields, timeZone: options.timeZone ?? 'Asia/Shanghai' },
  });
  runtime.on((event) => {
    if (event.type === 'answer')
      out.record(
        {
          event: 'answer',
          intent: event.intent,
          confidence: event.confidence,
          matchedBy: event.matchedBy,
        },
        `   (${event.intent}, ${event.confidence.toFixed(2)}, ${event.matchedBy})`,
      );
    if (event.type === 'no_match')
      out.record(
        { event: 'no_match', attempt: event.attempt },
        `   (no match, attempt ${event.attempt})`,
      );
    if (event.type === 'no_input')
      out.record(
        { event: 'no_input', attempt: event.attempt },
        `   (no input, attempt ${event.attempt})`,
      );
  });
  const outcome = await runtime.run();
  out.record(
    { event: 'outcome', ...outcome },
    `outcome: ${outcome.reason}, disposition ${outcome.disposition}`,
  );
  return outcome.reason === 'error' ? 1 : 0;
}
