/**
 * The engine side of the API: takes a raw message from any transport, validates it against the
 * contract, runs the handler and returns a response envelope. It never throws: a malformed message
 * or a failing handler becomes an error response, so no client can crash the engine.
 */
import {
  type CommandName,
  type CommandResult,
  commands,
  isCommandName,
  type ParsedParams,
} from './contract.js';
import { ApiError } from './errors.js';
import { type RequestId, RequestMessage, type ResponseMessage } from './messages.js';
import { describeZodError } from './validate.js';

export type CommandHandler<C extends CommandName> = (
  params: ParsedParams<C>,
) => Promise<CommandResult<C>> | CommandResult<C>;
export type CommandHandlers = { [C in CommandName]: CommandHandler<C> };

export interface DispatcherOptions {
  /** Called with every handler failure that is not an ApiError (a bug), for the log. */
  onInternalError?: (command: string, error: unknown) => void;
}

export class Dispatcher {
  constructor(
    private readonly handlers: CommandHandlers,
    private readonly options: DispatcherOptions = {},
  ) {}

  /** Handles one raw message as received from a transport (already JSON-parsed, or a string). */
  async handle(raw: unknown): Promise<ResponseMessage> {
    let message: unknown = raw;
    if (typeof raw === 'string') {
      try {
        message = JSON.parse(raw);
      } catch (error) {
        return failure(
          null,
          new ApiError('BAD_MESSAGE', `Message is not valid JSON: ${(error as Error).message}`),
        );
      }
    }
    const envelope = RequestMessage.safeParse(message);
    if (!envelope.success) {
      const id = recoverId(message);
      const problem = describeZodError(envelope.error, 'Request message');
      return failure(id, new ApiError('BAD_MESSAGE', problem.message, problem.field));
    }
    const { id, command, params } = envelope.data;
    try {
      return { type: 'response', id, ok: true, result: await this.run(command, params) };
    } catch (error) {
      if (error instanceof ApiError) return failure(id, error);
      this.options.onInternalError?.(command, error);
      const reason = error instanceof Error ? error.message : String(error);
      return failure(
        id,
        new ApiError('INTERNAL', `${command} failed inside the engine: ${reason}`),
      );
    }
  }

  /** Validates and runs one command; throws ApiError for anything a caller got wrong. */
  async run(command: string, params: unknown): Promise<unknown> {
    if (!isCommandName(command)) {
      throw new ApiError(
        'UNKNOWN_COMMAND',
        `Unknown command "${command}". Known commands: ${Object.keys(commands).join(', ')}`,
      );
    }
    const spec = commands[command];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      const problem = describeZodError(parsed.error, command);
      throw new ApiError('INVALID_PARAMS', problem.message, problem.field);
    }
    const handler = this.handlers[command] as (p: unknown) => Promise<unknown> | unknown;
    const result = await handler(parsed.data);
    // The result crosses a process boundary too; a handler that breaks the contract is a bug we want loud.
    const checked = spec.result.safeParse(result);
    if (!checked.success) {
      const problem = describeZodError(checked.error, `${command} result`);
      throw new Error(`handler broke the contract: ${problem.message}`);
    }
    return checked.data;
  }
}

function failure(id: RequestId | null, error: ApiError): ResponseMessage {
  return { type: 'response', id, ok: false, error: error.toJSON() };
}

function recoverId(message: unknown): RequestId | null {
  if (typeof message !== 'object' || message === null) return null;
  const id = (message as { id?: unknown }).id;
  if (typeof id === 'string' && id.length > 0 && id.length <= 100) return id;
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0) return id;
  return null;
}
