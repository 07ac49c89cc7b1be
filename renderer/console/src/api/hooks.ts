/**
 * Hooks through which components talk to the engine:
 *   useApi()            the typed client (OutboundApi)
 *   useConnection()     { status, epoch, transport } for the header and for reloading
 *   useCommand(c, p)    { data, error, loading, reload, setData } for a read command
 *   useMutation(c)      { run, pending, error, reset } for a write command
 *   useEvent(e, fn)     subscribes to an engine event while the component is mounted
 *   useMedia()          { mediaUrl } of the transport (History's player)
 */
import {
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';

import { EngineContext } from './context.js';
import type {
  ApiError,
  CommandName,
  CommandParams,
  CommandResult,
  EventData,
  EventName,
  OutboundApi,
} from './contract.js';
import type { ConnectionSnapshot, EngineConnection } from './engine.js';
import { toApiError } from './errors.js';

function useEngine(): EngineConnection {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useApi and friends need an <ApiProvider> above them');
  return engine;
}

export function useApi(): OutboundApi {
  return useEngine().api;
}

/** Media URLs of the current transport (recordings for History's player). */
export function useMedia(): Pick<EngineConnection, 'mediaUrl'> {
  const { mediaUrl } = useEngine();
  return { mediaUrl };
}

export function useConnection(): ConnectionSnapshot {
  const engine = useEngine();
  return useSyncExternalStore(engine.subscribe, engine.getSnapshot);
}

/** Calls any command with its params object; the client's variadic signature does not suit generics. */
function send<C extends CommandName>(
  api: OutboundApi,
  command: C,
  params: CommandParams<C>,
): Promise<CommandResult<C>> {
  const request = api.request as (
    command: C,
    params: CommandParams<C>,
  ) => Promise<CommandResult<C>>;
  return request(command, params);
}

export interface CommandState<C extends CommandName> {
  /** The last good result; kept while a reload runs so tables do not flash. */
  data: CommandResult<C> | undefined;
  /** The params `data` was loaded with (they lag behind `params` while a reload runs). */
  dataParams: CommandParams<C> | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  /** Replace the data locally, e.g. with what an event brought. */
  setData: (
    update: (previous: CommandResult<C> | undefined) => CommandResult<C> | undefined,
  ) => void;
}

interface LoadState<T, P> {
  data: T | undefined;
  dataParams: P | undefined;
  error: ApiError | null;
  loading: boolean;
}

/**
 * Runs a read command when the component mounts, when `params` change (compared by value), and each
 * time the connection (re)opens. Waits while disconnected instead of failing.
 */
export function useCommand<C extends CommandName>(
  command: C,
  params: CommandParams<C>,
  options: { enabled?: boolean } = {},
): CommandState<C> {
  const api = useApi();
  const { status, epoch } = useConnection();
  const connected = status === 'connected';
  const enabled = options.enabled ?? true;
  const key = JSON.stringify(params);
  const [state, setState] = useState<LoadState<CommandResult<C>, CommandParams<C>>>({
    data: undefined,
    dataParams: undefined,
    error: null,
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    if (!connected || !enabled) return;
    const id = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    const sent = JSON.parse(key) as CommandParams<C>;
    send(api, command, sent).then(
      (data) => {
        if (id === latest.current)
          setState({ data, dataParams: sent, error: null, loading: false });
      },
      (error: unknown) => {
        if (id === latest.current)
          setState((previous) => ({ ...previous, error: toApiError(error), loading: false }));
      },
    );
    return () => {
      latest.current++; // Drops a reply that arrives after params changed or the component left.
    };
  }, [api, command, key, connected, enabled, epoch, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setData = useCallback<CommandState<C>['setData']>(
    (update) => setState((previous) => ({ ...previous, data: update(previous.data) })),
    [],
  );
  return { ...state, reload, setData };
}

export interface MutationState<C extends CommandName> {
  /** Resolves to the result, or to undefined when the command failed (then `error` says why). */
  run: (params: CommandParams<C>) => Promise<CommandResult<C> | undefined>;
  pending: boolean;
  error: ApiError | null;
  reset: () => void;
}

export function useMutation<C extends CommandName>(command: C): MutationState<C> {
  const api = useApi();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(
    async (params: CommandParams<C>) => {
      setPending(true);
      setError(null);
      try {
        return await send(api, command, params);
      } catch (caught) {
        if (mounted.current) setError(toApiError(caught));
        return undefined;
      } finally {
        if (mounted.current) setPending(false);
      }
    },
    [api, command],
  );
  const reset = useCallback(() => setError(null), []);
  return { run, pending, error, reset };
}

/** Subscribes to an engine event; the latest `listener` is always the one called. */
export function useEvent<E extends EventName>(
  event: E,
  listener: (data: EventData<E>) => void,
): void {
  const api = useApi();
  const current = useRef(listener);
  useLayoutEffect(() => {
    current.current = listener;
  });
  useEffect(() => api.on(event, (data) => current.current(data)), [api, event]);
}
