/** Parses `outbound …` arguments and runs the command. Returns the exit code. */
import { parseArgs } from 'node:util';
import { createStderrLogger, defaultDataDir } from '../engine/index.js';
import { createOutput, type Streams } from './output.js';
import { serve } from './serve.js';
import { USAGE, UsageError } from './usage.js';

export interface CliContext {
  version: string;
  rendererDir: string;
  streams?: Streams;
  stopSignal?: Promise<string>;
}

export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const json = argv.includes('--json');
  const out = createOutput(json, context.streams);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      (context.streams ?? process).stdout.write(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    if (command === 'version') {
      out.record({ event: 'version', version: context.version }, context.version);
      return 0;
    }
    if (command === 'serve') {
      if (rest.length > 0) throw new UsageError(`serve takes no arguments (got "${rest.join(' ')}")`);
      return await serve(
        {
          dataDir: values.data ?? defaultDataDir(),
          port: parsePort(values.port),
          host: values.host ?? '127.0.0.1',
          rendererDir: context.rendererDir,
          version: context.version,
          log: createStderrLogger(),
          stopSignal: context.stopSignal ?? waitForStopSignal(),
        },
        out,
      );
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      out.error('USAGE', `${(error as Error).message}\nRun "outbound help" for the commands and options.`);
      return 2;
    }
    out.error('FAILED', error instanceof Error ? error.message : String(error));
    return 1;
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be a number from 0 to 65535 (got "${value}")`);
  return port;
}

function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}
