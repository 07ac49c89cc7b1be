/**
 * Process-level safety: what a shell process (the CLI, `outbound serve`, the Electron main process)
 * does when an error escapes everything: an uncaught exception or an unhandled promise rejection.
 *
 * Node's default is to print the stack and exit at once, which would drop live calls without a
 * reason in the store and leave their recordings as unjoined parts. Instead the handler logs the
 * error with its stack and context, runs every registered emergency stop (each running engine
 * registers one: live calls end with a reason, recordings are finished, the store is closed),
 * and exits with code 1. The whole stop is bounded by a timeout, so a hung part cannot keep a
 * broken process alive; a second fatal error during the stop is logged and does not start another.
 *
 * The process keeps no state worth saving after such an error: the handler never resumes it.
 */
import type { Logger } from './log.js';

/** The end reason stored on every call a fatal error cut short. */
export const FATAL_CALL_REASON = 'the app hit an internal error and stopped';

/** Something to stop when the process hits a fatal error (an engine, a server file to remove). */
export interface EmergencyStop {
  /** Names it in the log. */
  name: string;
  /** Context for the fatal log line (data folder, live calls…); must not throw. */
  describe?(): Record<string, unknown>;
  /** Ends what runs; `reason` is what live calls are ended with. Bounded by the handler's timeout. */
  stop(reason: string): Promise<unknown>;
}

const registered = new Set<EmergencyStop>();

/** Registers an emergency stop for as long as the thing runs; returns its removal. */
export function onFatal(stop: EmergencyStop): () => void {
  registered.add(stop);
  return () => registered.delete(stop);
}

export interface FatalHandlerOptions {
  log: Logger;
  /** Which program this is, for the log ("outbound serve", "desktop app"). */
  where: string;
  /** The longest the emergency stops may take before the process exits anyway. Default 15 000. */
  timeoutMs?: number;
  /** Ends the process; default process.exit. The Electron shell passes app.exit. */
  exit?: (code: number) => void;
  /** The process to watch (tests pass an EventEmitter). */
  target?: NodeJS.EventEmitter;
}

export interface FatalHandlers {
  /** Resolves once the handler has run to its exit (tests). */
  readonly done: Promise<void>;
  uninstall(): void;
}

/** Installs the uncaughtException and unhandledRejection handlers; call once, at a shell's entry. */
export function installFatalHandlers(options: FatalHandlerOptions): FatalHandlers {
  const { log, where } = options;
  const target = options.target ?? process;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let stopping = false;

  const handle = (kind: 'uncaughtException' | 'unhandledRejection', error: unknown): void => {
    if (stopping) {
      safeLog(log, 'Another internal error during the emergency stop (the stop goes on)', {
        kind,
        where,
        error: describeError(error),
      });
      return;
    }
    stopping = true;
    const context: Record<string, unknown> = {};
    for (const stop of registered) {
      try {
        context[stop.name] = stop.describe?.() ?? true;
      } catch (describeFailure) {
        context[stop.name] = `(could not describe: ${String(describeFailure)})`;
      }
    }
    safeLog(
      log,
      kind === 'unhandledRejection'
        ? 'Internal error: a promise was rejected and nothing handled it; stopping'
        : 'Internal error: an exception was not caught; stopping',
      { kind, where, pid: process.pid, error: describeError(error), running: context },
    );
    let finished = false;
    const finish = (how: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      safeLog(log, `Exiting with code 1 after the internal error (${how})`, { where });
      resolveDone();
      exit(1);
    };
    // Not unref'd: this timer is what ends a process whose stop hangs.
    const timer = setTimeout(
      () => finish(`the emergency stop did not finish within ${timeoutMs} ms`),
      timeoutMs,
    );
    void Promise.allSettled(
      [...registered].map(async (stop) => {
        try {
          await stop.stop(FATAL_CALL_REASON);
        } catch (failure) {
          safeLog(log, `The emergency stop of ${stop.name} failed`, {
            where,
            error: describeError(failure),
          });
        }
      }),
    ).then(() => finish('emergency stop complete'));
  };

  const onException = (error: unknown): void => handle('uncaughtException', error);
  const onRejection = (reason: unknown): void => handle('unhandledRejection', reason);
  // A reader that went away (`outbound serve | head`, a closed terminal) makes stdout or stderr
  // fail with EPIPE: that loses output, not the engine's work, so it must not end live calls.
  const onStdioError = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') handle('uncaughtException', error);
  };
  const stdio = target === process ? [process.stdout, process.stderr] : [];
  target.on('uncaughtException', onException);
  target.on('unhandledRejection', onRejection);
  for (const stream of stdio) stream.on('error', onStdioError);
  return {
    done,
    uninstall() {
      target.off('uncaughtException', onException);
      target.off('unhandledRejection', onRejection);
      for (const stream of stdio) stream.off('error', onStdioError);
    },
  };
}

/**
 * Test-only faults, reachable only with OUTBOUND_TEST_FAULTS set in the environment (never set in
 * production): on SIGUSR2 the process rejects a promise nobody handles (`rejection`, or `1`) or
 * throws from a timer (`exception`), so end-to-end tests can check the fatal path of the real
 * built program. Returns whether a fault was armed.
 */
export function armTestFaults(
  env: NodeJS.ProcessEnv = process.env,
  target: NodeJS.EventEmitter = process,
): boolean {
  const mode = env.OUTBOUND_TEST_FAULTS;
  if (!mode) return false;
  target.on('SIGUSR2', () => {
    if (mode === 'exception') {
      setImmediate(() => {
        throw new Error('OUTBOUND_TEST_FAULTS: a deliberate uncaught exception (SIGUSR2)');
      });
      return;
    }
    // Deliberately detached: this is the unhandled rejection under test.
    void Promise.reject(
      new Error('OUTBOUND_TEST_FAULTS: a deliberate unhandled rejection (SIGUSR2)'),
    );
  });
  return true;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return `non-Error value: ${JSON.stringify(error)}`;
  } catch {
    return `non-Error value: ${String(error)}`;
  }
}

/** Logging must not become a second fatal error (stderr closed, a logger that throws). */
function safeLog(log: Logger, message: string, fields: Record<string, unknown>): void {
  try {
    log.error(message, fields);
  } catch {
    // Nowhere left to report it.
  }
}
