/** Parses `outbound …` arguments and runs the command. Returns the exit code. */
import { parseArgs } from 'node:util';

import { createStderrLogger, defaultDataDir } from '../engine/index.js';
import { placeCall } from './call.js';
import { campaignCommand } from './campaign.js';
import { dbCommand } from './db.js';
import { dncCommand } from './dnc.js';
import { flowCommand } from './flow.js';
import { importCommand } from './import.js';
import { createOutput, type Streams } from './output.js';
import { privacyCommand, terminalQuestion } from './privacy.js';
import { recordingsCommand } from './recordings.js';
import { serve } from './serve.js';
import { trunkCommand } from './trunk.js';
import { USAGE, UsageError } from './usage.js';
import { userCommand } from './user.js';

export interface CliContext {
  version: string;
  rendererDir: string;
  streams?: Streams;
  stopSignal?: Promise<string>;
  /** Reads all of stdin (`--password-file -`); default process.stdin. */
  readStdin?: () => Promise<string>;
}

export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const json = argv.includes('--json');
  const out = createOutput(json, context.streams);
  let databaseSet = false;
  let databaseBefore: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string' },
        // A shared PostgreSQL store (docs/POSTGRES.md); every command, like OUTBOUND_DATABASE.
        database: { type: 'string' },
        // db copy --from sqlite:PATH --to postgres://…
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        // trunk add
        uri: { type: 'string' },
        domain: { type: 'string' },
        user: { type: 'string' },
        'password-file': { type: 'string' },
        password: { type: 'string' }, // only to refuse it with the reason (see trunk.ts)
        register: { type: 'boolean' },
        backup: { type: 'boolean' },
        'caller-id': { type: 'string' },
        'max-calls': { type: 'string' },
        'transfer-mode': { type: 'string' },
        // call (one --trunk); campaign create (--trunk repeatable, tried in order)
        trunk: { type: 'string', multiple: true },
        play: { type: 'string' },
        record: { type: 'string' },
        'ring-timeout': { type: 'string' },
        'max-duration': { type: 'string' },
        flow: { type: 'string' },
        // flow save
        wait: { type: 'boolean', default: false },
        // flow chat
        contact: { type: 'string', multiple: true },
        // flow eval
        text: { type: 'string' },
        audio: { type: 'string' },
        node: { type: 'string' },
        tz: { type: 'string' },
        // import
        list: { type: 'string' },
        region: { type: 'string' },
        map: { type: 'string', multiple: true },
        // dnc add (dnc import and add also read --region)
        reason: { type: 'string' },
        // campaign create|update (also --list, --flow, --trunk, --tz)
        mode: { type: 'string' },
        'lines-per-agent': { type: 'string' },
        'max-concurrent': { type: 'string' },
        window: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        retry: { type: 'string', multiple: true },
        'max-attempts': { type: 'string' },
        'daily-cap': { type: 'string' },
        queue: { type: 'string' },
        config: { type: 'string' },
        // user add (also --password-file)
        role: { type: 'string' },
        'display-name': { type: 'string' },
        // privacy purge --dry-run; privacy export --out FILE.zip; privacy erase --yes
        'dry-run': { type: 'boolean' },
        out: { type: 'string' },
        yes: { type: 'boolean' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      (context.streams ?? process).stdout.write(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    if (values.database !== undefined) {
      // The engine reads OUTBOUND_DATABASE (EngineOptions.database's default), so every command
      // that starts one uses the shared store; restored when the command ends (tests run several).
      const url = values.database;
      if (!/^postgres(?:ql)?:\/\//i.test(url))
        throw new UsageError(
          '--database must be a PostgreSQL connection string, postgres://USER@HOST[:PORT]/DATABASE',
        );
      databaseBefore = process.env.OUTBOUND_DATABASE;
      databaseSet = true;
      process.env.OUTBOUND_DATABASE = url;
    }
    if (command === 'db') {
      return await dbCommand(
        rest,
        {
          dataDir: values.data ?? defaultDataDir(),
          database: values.database ?? process.env.OUTBOUND_DATABASE,
          from: values.from,
          to: values.to,
          dryRun: values['dry-run'] === true,
        },
        out,
      );
    }
    if (command === 'version') {
      out.record({ event: 'version', version: context.version }, context.version);
      return 0;
    }
    if (command === 'serve') {
      if (rest.length > 0)
        throw new UsageError(`serve takes no arguments (got "${rest.join(' ')}")`);
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
    if (command === 'trunk') {
      const log = createStderrLogger();
      return await trunkCommand(
        rest,
        values,
        {
          dataDir: values.data ?? defaultDataDir(),
          version: context.version,
          log: { ...log, info() {} },
          readStdin: context.readStdin ?? readProcessStdin,
        },
        out,
      );
    }
    if (command === 'call') {
      const [number, ...extra] = rest;
      if (number === undefined)
        throw new UsageError('call needs a number: outbound call <number> --trunk NAME');
      if (extra.length > 0) throw new UsageError(`call takes one number (got "${rest.join(' ')}")`);
      return await placeCall(
        {
          dataDir: values.data ?? defaultDataDir(),
          number,
          trunk: oneTrunk(values.trunk),
          play: values.play,
          record: values.record,
          ringTimeoutMs: parseMs('--ring-timeout', values['ring-timeout'], 5_000, 120_000),
          maxDurationMs: parseMs('--max-duration', values['max-duration'], 1_000, 86_400_000),
          flow: values.flow,
          contact: values.contact ?? [],
          timeZone: values.tz,
          rendererDir: context.rendererDir,
          version: context.version,
          log: createStderrLogger(),
          stopSignal: context.stopSignal ?? waitForStopSignal(),
        },
        out,
      );
    }
    if (command === 'flow') {
      return await flowCommand(
        rest,
        {
          contact: values.contact ?? [],
          timeZone: values.tz,
          input: process.stdin,
          dataDir: values.data ?? defaultDataDir(),
          wait: values.wait,
          version: context.version,
          log: createStderrLogger(),
          text: values.text,
          audio: values.audio,
          node: values.node,
        },
        out,
      );
    }
    if (command === 'import') {
      return await importCommand(
        rest,
        {
          dataDir: values.data ?? defaultDataDir(),
          list: values.list,
          region: values.region,
          map: values.map ?? [],
          progressStream: process.stderr,
        },
        out,
      );
    }
    if (command === 'user') {
      const log = createStderrLogger();
      return await userCommand(
        rest,
        values,
        {
          dataDir: values.data ?? defaultDataDir(),
          version: context.version,
          log: { ...log, info() {} },
          readStdin: context.readStdin ?? readProcessStdin,
        },
        out,
      );
    }
    if (command === 'dnc') {
      const log = createStderrLogger();
      return await dncCommand(
        rest,
        {
          dataDir: values.data ?? defaultDataDir(),
          version: context.version,
          log: { ...log, info() {} },
          reason: values.reason,
          region: values.region,
        },
        out,
      );
    }
    if (command === 'privacy') {
      const log = createStderrLogger();
      const ask = terminalQuestion();
      return await privacyCommand(
        rest,
        {
          dataDir: values.data ?? defaultDataDir(),
          version: context.version,
          log: { ...log, info() {} },
          ...(values.region === undefined ? {} : { region: values.region }),
          ...(values['dry-run'] === undefined ? {} : { dryRun: values['dry-run'] }),
          ...(values.out === undefined ? {} : { out: values.out }),
          ...(values.yes === undefined ? {} : { yes: values.yes }),
          ...(ask ? { ask } : {}),
        },
        out,
      );
    }
    if (command === 'recordings') {
      const log = createStderrLogger();
      return await recordingsCommand(
        rest,
        { dataDir: values.data ?? defaultDataDir(), log: { ...log, info() {} } },
        out,
      );
    }
    if (command === 'campaign') {
      const log = createStderrLogger();
      return await campaignCommand(
        rest,
        values,
        {
          dataDir: values.data ?? defaultDataDir(),
          version: context.version,
          log: { ...log, info() {} },
        },
        out,
      );
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      out.error(
        'USAGE',
        `${(error as Error).message}\nRun "outbound help" for the commands and options.`,
      );
      return 2;
    }
    out.error('FAILED', error instanceof Error ? error.message : String(error));
    // A programming error (not a refusal worded for the user): its stack goes to the log too.
    if (error instanceof TypeError || error instanceof ReferenceError)
      createStderrLogger().error('outbound: internal error', { error: error.stack });
    return 1;
  } finally {
    if (databaseSet) {
      if (databaseBefore === undefined) delete process.env.OUTBOUND_DATABASE;
      else process.env.OUTBOUND_DATABASE = databaseBefore;
    }
  }
}

function oneTrunk(trunks: string[] | undefined): string | undefined {
  if (trunks && trunks.length > 1)
    throw new UsageError(
      `call takes one --trunk (got ${trunks.map((t) => `"${t}"`).join(', ')}); a backup trunk takes over by itself`,
    );
  return trunks?.[0];
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port must be a number from 0 to 65535 (got "${value}")`);
  return port;
}

function parseMs(
  option: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < min || ms > max)
    throw new UsageError(`${option} is in milliseconds, from ${min} to ${max} (got "${value}")`);
  return ms;
}

function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => resolve(signal));
  });
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
