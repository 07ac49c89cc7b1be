/** The API's flows.* commands over the FlowService. */
import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import { type Actor, requestActor } from '../audit/index.js';
import type { ListenResult } from '../dialog/index.js';
import { EvalInputError, evaluateText, parseTextSet } from './eval.js';
import type { FlowService } from './flow-service.js';

type FlowCommandName =
  | 'flows.list'
  | 'flows.get'
  | 'flows.validate'
  | 'flows.save'
  | 'flows.chat.start'
  | 'flows.chat.send'
  | 'flows.chat.stop'
  | 'flows.evaluate';

export function flowCommandHandlers(
  flows: FlowService,
  actor: Actor,
): Pick<CommandHandlers, FlowCommandName> {
  return {
    'flows.list': async () => ({ flows: await flows.list() }),
    'flows.get': ({ name, version }) => flows.get(name, version),
    'flows.validate': ({ definition }) => flows.validate(definition),
    'flows.save': ({ definition }, context) => flows.save(definition, requestActor(context, actor)),
    'flows.chat.start': ({ name, version, contact, timeZone }) =>
      flows.startChat({
        name,
        ...(version === undefined ? {} : { version }),
        ...(contact === undefined ? {} : { contact }),
        ...(timeZone === undefined ? {} : { timeZone }),
      }),
    'flows.chat.send': ({ chatId, text, digits }) => {
      // The schema lets exactly one of text, digits, silence through; an empty text is silence too, as in the CLI.
      const answer: ListenResult =
        digits !== undefined
          ? { kind: 'dtmf', digits }
          : text !== undefined && text.trim() !== ''
            ? { kind: 'text', text: text.trim() }
            : { kind: 'no_input' };
      return flows.sendChat(chatId, answer);
    },
    'flows.chat.stop': ({ chatId }) => {
      flows.stopChat(chatId);
      return {};
    },
    'flows.evaluate': async ({ name, version, tsv, nodeId }) => {
      const loaded = await flows.load(name, version);
      try {
        const { cases, library } = parseTextSet(tsv, loaded.flow, nodeId);
        return evaluateText(loaded.flow, cases, { version: loaded.version, library });
      } catch (error) {
        if (!(error instanceof EvalInputError)) throw error;
        throw new ApiError('INVALID_PARAMS', error.message, 'tsv', { lines: error.problems });
      }
    },
  };
}
