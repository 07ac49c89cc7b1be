/**
 * The typed client every consumer of the API uses (the console, the CLI, the tests). It speaks to a
 * `ClientTransport` (Electron IPC through the preload, or the headless WebSocket) and validates what
 * comes back against the contract, so a reply from another process is never trusted blindly.
 */
import {
  type CommandName,
  type CommandParams,
  type CommandResult,
  commands,
  type EventData,
  type EventName,
  events,
  isEventName,
} from './contract.js';
import { ApiError } from './errors.js';
import { EventMessage, type RequestMessage, ResponseMessage } from './messages.js';
import { describeZodError } from './validate.js';

/** What a transport must do: deliver one request and its raw reply, and push raw event messages. */
export interface ClientTransport {
  request(message: RequestMessage): Promise<unknown>;
  onEvent(listener: (raw: unknown) => void): () => void;
}

export type EventListener<E extends EventName> = (data: EventData<E>) => void;

export interface OutboundApi {
  request<C extends CommandName>(
    command: C,
    ...params: OptionalParams<C>
  ): Promise<CommandResult<C>>;
  on<E extends EventName>(event: E, listener: EventListener<E>): () => void;
  /** Called with each event or reply the client had to drop because it broke the contract. */
  onProtocolError(listener: (error: ApiError) => void): () => void;
}

// Commands whose parameters are all optional (the empty object is valid params) may be called
// without a params object.
type OptionalParams<C extends CommandName> =
  Record<string, never> extends CommandParams<C>
    ? [params?: CommandParams<C>]
    : [params: CommandParams<C>];

export function createApiClient(transport: ClientTransport): OutboundApi {
  let nextId = 1;
  const listeners = new Map<EventName, Set<(data: unknown) => void>>();
  const protocolListeners = new Set<(error: ApiError) => void>();
  const reportProtocolError = (error: ApiError): void => {
    for (const listener of protocolListeners) listener(error);
  };

  transport.onEvent((raw) => {
    const envelope = EventMessage.safeParse(raw);
    if (!envelope.success) {
      reportProtocolError(
        new ApiError('PROTOCOL_ERROR', describeZodError(envelope.error, 'Event message').message),
      );
      return;
    }
    const { event, data } = envelope.data;
    if (!isEventName(event)) {
      reportProtocolError(
        new ApiError('PROTOCOL_ERROR', `Unknown event "${event}" from the engine`),
      );
      return;
    }
    const parsed = events[event].safeParse(data);
    if (!parsed.success) {
      reportProtocolError(
        new ApiError('PROTOCOL_ERROR', describeZodError(parsed.error, `Event ${event}`).message),
      );
      return;
    }
    for (const listener of listeners.get(event) ?? []) listener(parsed.data);
  });

  return {
    async request(command, ...args) {
      const id = nextId++;
      const params = args[0] ?? {};
      let raw: unknown;
      try {
        raw = await transport.request({ type: 'request', id, command, params });
      } catch (error) {
        if (error instanceof ApiError) throw error;
        throw new ApiError(
          'UNAVAILABLE',
          `The engine could not be reached: ${(error as Error).message}`,
        );
      }
      const envelope = ResponseMessage.safeParse(raw);
      if (!envelope.success) {
        throw new ApiError(
          'PROTOCOL_ERROR',
          describeZodError(envelope.error, `Reply to ${command}`).message,
        );
      }
      const response = envelope.data;
      if (!response.ok)
        throw new ApiError(
          response.error.code,
          response.error.message,
          response.error.field,
          response.error.details,
        );
      const result = commands[command].result.safeParse(response.result);
      if (!result.success) {
        throw new ApiError(
          'PROTOCOL_ERROR',
          describeZodError(result.error, `Reply to ${command}`).message,
        );
      }
      return result.data as CommandResult<typeof command>;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const stored = listener as (data: unknown) => void;
      set.add(stored);
      return () => set.delete(stored);
    },
    onProtocolError(listener) {
      protocolListeners.add(listener);
      return () => protocolListeners.delete(listener);
    },
  };
}
