/**
 * The engine side of the API: takes a raw message from any transport, validates it against the
 * contract, runs the handler and returns a response envelope. It never throws: a malformed message
 * or a failing handler becomes an error response, so no client can crash the engine.
 */
import type { ConnectionControl } from '../auth/connection.js';
import type { Principal } from '../auth/principal.js';
import {
  type CommandName,
  type CommandResult,
  commands,
  isCommandName,
  type ParsedParams,
} from './contract.js';
import { ApiError } from './errors.js';
import { type RequestId, RequestMessage, type ResponseMessage } from './messages.js';
import { ROLE_MAP, type RoleRule } from './roles.js';
import { describeZodError } from './validate.js';

/** Who sent a request and over what: the role map is checked against it, and handlers get it (audit). */
export interface RequestContext {
  /** Null while the connection is signed out (only `public` commands run then). */
  principal: Principal | null;
  connection: ConnectionControl;
  /** Why a connection that was signed in no longer is (an expired session), for the refusal. */
  signedOutReason?: string;
}

/**
 * A command's handler. The dispatcher always passes the request's context; it is optional only so
 * unit tests can call a handler with its params alone (handlers read it as the local admin then).
 */
export type CommandHandler<C extends CommandName> = (
  params: ParsedParams<C>,
  context?: RequestContext,
) => Promise<CommandResult<C>> | CommandResult<C>;
export type CommandHandlers = { [C in CommandName]: CommandHandler<C> };

export interface DispatcherOptions {
  /** Called with every handler failure that is not an ApiError (a bug), for the log. */
  onInternalError?: (command: string, error: unknown) => void;
  /** The agent who holds a call (routing), for the role map's `self: 'callId'` rule. */
  agentOfCall?: (callId: string) => number | null;
  /**
   * What the request's principal may see of a checked result (privacy/view.ts masks personal
   * data for the roles the settings say): applied after the result is checked, for every
   * transport alike.
   */
  view?: <C extends CommandName>(
    command: C,
    result: CommandResult<C>,
    context: RequestContext,
  ) => CommandResult<C>;
}

export class Dispatcher {
  constructor(
    private readonly handlers: CommandHandlers,
    private readonly options: DispatcherOptions = {},
  ) {}

  /** Handles one raw message as received from a transport (already JSON-parsed, or a string). */
  async handle(raw: unknown, context: RequestContext): Promise<ResponseMessage> {
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
      return { type: 'response', id, ok: true, result: await this.run(command, params, context) };
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
  async run(command: string, params: unknown, context: RequestContext): Promise<unknown> {
    if (!isCommandName(command)) {
      throw new ApiError(
        'UNKNOWN_COMMAND',
        `Unknown command "${command}". Known commands: ${Object.keys(commands).join(', ')}`,
      );
    }
    const spec = commands[command];
    const parsed = spec.params.safeParse(this.authorize(command, params ?? {}, context));
    if (!parsed.success) {
      const problem = describeZodError(parsed.error, command);
      throw new ApiError('INVALID_PARAMS', problem.message, problem.field);
    }
    const handler = this.handlers[command] as (
      p: unknown,
      context: RequestContext,
    ) => Promise<unknown> | unknown;
    const result = await handler(parsed.data, context);
    // The result crosses a process boundary too; a handler that breaks the contract is a bug we want loud.
    const checked = spec.result.safeParse(result);
    if (!checked.success) {
      const problem = describeZodError(checked.error, `${command} result`);
      throw new Error(`handler broke the contract: ${problem.message}`);
    }
    const view = this.options.view;
    return view
      ? view(command, checked.data as CommandResult<typeof command>, context)
      : checked.data;
  }

  /**
   * The role map's check, before the params are parsed: signed out, only public commands; signed
   * in, the command's roles; an agent acts only as themselves (`self`). Returns the params to
   * parse (an agent's own `agentId` filled in).
   */
  private authorize(command: CommandName, params: unknown, context: RequestContext): unknown {
    const rule: RoleRule | undefined = (ROLE_MAP as Record<string, RoleRule | undefined>)[command];
    // A command outside the map is nobody's (roles.test.ts keeps this from happening).
    if (!rule)
      throw new ApiError('FORBIDDEN', `${command} is not in the role map: nobody may run it`);
    if ('public' in rule) return params;
    const { principal } = context;
    if (!principal)
      throw new ApiError(
        'UNAUTHENTICATED',
        context.signedOutReason ?? `Sign in first: ${command} needs a signed-in user.`,
      );
    if (!rule.roles.includes(principal.role))
      throw new ApiError(
        'FORBIDDEN',
        `${command} needs the role ${rule.roles.join(' or ')} (you are signed in as ${principal.role})`,
        undefined,
        { needs: [...rule.roles], role: principal.role },
      );
    if (!rule.self || typeof params !== 'object' || params === null) return params;
    const fields = params as Record<string, unknown>;
    if (rule.self === 'agentId') {
      if (principal.role !== 'agent') {
        // A supervisor or admin names the agent; without one they act as their own agent record.
        return fields.agentId === undefined && principal.agentId !== undefined
          ? { ...fields, agentId: principal.agentId }
          : params;
      }
      if (fields.agentId !== undefined && fields.agentId !== principal.agentId)
        throw new ApiError(
          'FORBIDDEN',
          `An agent acts only as themselves: ${command} for agent ${String(fields.agentId)} needs the role supervisor or admin`,
          'agentId',
          { needs: ['supervisor', 'admin'], role: principal.role },
        );
      return { ...fields, agentId: principal.agentId };
    }
    if (principal.role !== 'agent') return params;
    const callId = fields[rule.self];
    if (typeof callId === 'string' && this.options.agentOfCall?.(callId) !== principal.agentId)
      throw new ApiError(
        'FORBIDDEN',
        `Call ${callId} is not yours: ${command} on another agent's call needs the role supervisor or admin`,
        rule.self,
        { needs: ['supervisor', 'admin'], role: principal.role },
      );
    return params;
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
