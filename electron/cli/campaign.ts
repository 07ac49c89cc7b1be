/**
 * `outbound campaign create|update|start|pause|resume|stop|status|list`: campaigns through the
 * same API commands the console uses.
 *
 * Where the commands run (see engine.ts): sent to a running `outbound serve`, which dials; else on
 * the workspace itself: the change is stored, and a started campaign dials as soon as a
 * long-running shell (`outbound serve` or the desktop app) runs; the CLI never dials. Exit codes: 0 done, 1 refused or failed, 2 usage mistake (naming the
 * flag).
 */
import { readFile } from 'node:fs/promises';

import type { CommandName } from '../engine/api/contract.js';
import {
  CALL_OUTCOMES,
  CampaignConfigSchema,
  type CampaignDetail,
  type CampaignSummary,
  DEFAULT_RETRY_POLICY,
  isIanaTimeZone,
  WEEKDAY_KEYS,
  type WeekdayKey,
} from '../engine/api/index.js';
import type { Logger } from '../engine/index.js';
import { type ApiRequest, type ApiTarget, withWorkspaceApi } from './engine.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface CampaignCliValues {
  list?: string | undefined;
  flow?: string | undefined;
  trunk?: string[] | undefined;
  mode?: string | undefined;
  'lines-per-agent'?: string | undefined;
  'max-concurrent'?: string | undefined;
  tz?: string | undefined;
  window?: string[] | undefined;
  exclude?: string[] | undefined;
  retry?: string[] | undefined;
  'max-attempts'?: string | undefined;
  'daily-cap'?: string | undefined;
  queue?: string | undefined;
  config?: string | undefined;
}

export interface CampaignCommandOptions {
  dataDir: string;
  version: string;
  log: Logger;
}

const CONFIG_FLAGS = [
  'list',
  'flow',
  'trunk',
  'mode',
  'lines-per-agent',
  'max-concurrent',
  'tz',
  'window',
  'exclude',
  'retry',
  'max-attempts',
  'daily-cap',
  'queue',
  'config',
] as const;

export async function campaignCommand(
  args: string[],
  values: CampaignCliValues,
  options: CampaignCommandOptions,
  out: Output,
): Promise<number> {
  const [sub, ...rest] = args;
  const usedConfigFlags = CONFIG_FLAGS.filter(
    (flag) =>
      values[flag] !== undefined && !(Array.isArray(values[flag]) && values[flag].length === 0),
  );
  if (sub === 'list') {
    if (rest.length > 0)
      throw new UsageError(`campaign list takes no arguments (got "${rest.join(' ')}")`);
    refuseFlags(usedConfigFlags, 'list');
    return withApi(options, out, async (request) => {
      const { campaigns } = (await request('campaigns.list', {})) as {
        campaigns: CampaignSummary[];
      };
      if (out.json) for (const c of campaigns) out.record({ event: 'campaign', ...c }, '');
      else if (campaigns.length === 0)
        out.record(
          { event: 'campaigns', count: 0 },
          'No campaigns yet: outbound campaign create NAME --list LIST --flow FLOW --trunk TRUNK',
        );
      else
        out.record(
          { event: 'campaigns', count: campaigns.length },
          campaigns
            .map(
              (c) =>
                `${c.name}  ${c.status}  ${c.dialingMode}  list ${c.listName ?? '-'}  flow ${c.flowName ?? '-'}`,
            )
            .join('\n'),
        );
      return 0;
    });
  }
  const [name, ...extra] = rest;
  if (
    sub === undefined ||
    !['create', 'update', 'start', 'pause', 'resume', 'stop', 'status'].includes(sub)
  ) {
    throw new UsageError(
      `campaign needs a subcommand: create, update, start, pause, resume, stop, status or list${sub ? ` (got "${sub}")` : ''}`,
    );
  }
  if (name === undefined)
    throw new UsageError(
      `campaign ${sub} needs the campaign's NAME, e.g. outbound campaign ${sub} renewals`,
    );
  if (extra.length > 0)
    throw new UsageError(
      `campaign ${sub} takes one NAME (got also "${extra.join(' ')}"); quote a name with spaces`,
    );

  if (sub === 'create' || sub === 'update') {
    const config = await configFrom(values, sub === 'create');
    return withApi(options, out, async (request) => {
      if (sub === 'create') {
        const timeZone =
          config.schedule && typeof config.schedule === 'object' && !('timeZone' in config.schedule)
            ? ((await request('settings.get', {})) as { timeZone: string }).timeZone
            : undefined;
        const params = {
          name,
          ...config,
          ...(timeZone ? { schedule: { ...(config.schedule as object), timeZone } } : {}),
        };
        const detail = (await request('campaigns.create', params)) as CampaignDetail;
        out.record(
          { event: 'campaign.created', campaign: detail },
          `Created campaign "${detail.name}" (${detail.dialingMode}, list ${detail.listName}, flow ${detail.flowName ?? 'none'}); start it with: outbound campaign start ${quote(detail.name)}`,
        );
        return 0;
      }
      if (Object.keys(config).length === 0)
        throw new UsageError(
          'campaign update needs at least one option to change (e.g. --max-concurrent 10)',
        );
      const detail = (await request('campaigns.update', {
        name,
        changes: config,
      })) as CampaignDetail;
      out.record(
        { event: 'campaign.updated', campaign: detail },
        `Updated campaign "${detail.name}".`,
      );
      return 0;
    });
  }
  refuseFlags(usedConfigFlags, sub);
  return withApi(options, out, async (request, where) => {
    if (sub === 'status') {
      const detail = (await request('campaigns.get', { name })) as CampaignDetail;
      out.record(
        {
          event: 'campaign.status',
          campaign: detail.name,
          status: detail.status,
          flowVersion: detail.flowVersion,
          progress: detail.progress,
          waiting: detail.waiting,
        },
        describe(detail),
      );
      return 0;
    }
    const detail = (await request(`campaigns.${sub}` as CommandName, { name })) as CampaignDetail;
    const note =
      where === 'server'
        ? ' (sent to the running outbound serve)'
        : detail.status === 'running'
          ? '. Nothing is dialed by this command: calls start when `outbound serve` or the desktop app runs on this workspace.'
          : '';
    out.record(
      {
        event: `campaign.${sub}`,
        campaign: detail.name,
        status: detail.status,
        flowVersion: detail.flowVersion,
        progress: detail.progress,
        via: where,
      },
      `Campaign "${detail.name}" is ${detail.status}${note}`,
    );
    return 0;
  });
}

function refuseFlags(flags: readonly string[], sub: string): void {
  if (flags.length > 0)
    throw new UsageError(
      `--${flags[0]} is an option of "campaign create" and "campaign update", not of "campaign ${sub}"`,
    );
}

const quote = (name: string): string => (/\s/.test(name) ? `"${name}"` : name);

function describe(d: CampaignDetail): string {
  const p = d.progress;
  const outcomes = Object.entries(p.byOutcome)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `Campaign "${d.name}": ${d.status} (${d.dialingMode}, flow ${d.flowName ?? 'none'}${d.flowVersion ? ` v${d.flowVersion}` : ''})`,
    // Why a running campaign is not dialing (only a running server knows; a workspace opened here does not dial).
    ...(d.waiting ? [`  not dialing yet: ${d.waiting.message}`] : []),
    `  contacts ${p.contacts}: dialed ${p.dialed}, remaining ${p.remaining}, finished ${p.finished}`,
    `  calls ${p.calls} (live ${p.liveCalls}): answered ${p.answered}, transferred ${p.transferred}, completed ${p.completed}`,
    ...(outcomes ? [`  by outcome: ${outcomes}`] : []),
    ...(p.nextAttemptAt ? [`  next retry at ${new Date(p.nextAttemptAt).toISOString()}`] : []),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Where the command runs

function withApi(
  options: CampaignCommandOptions,
  out: Output,
  work: (request: ApiRequest, where: ApiTarget) => Promise<number>,
): Promise<number> {
  return withWorkspaceApi(options, out, work, (error) => {
    // A field the API refused is the user's option: name it as a flag where there is one.
    const flag = error.field ? flagOf(error.field) : null;
    out.error(
      error.code,
      flag ? `${flag} ${error.message}` : error.message,
      error.field ? { field: error.field, ...(flag ? { flag } : {}) } : undefined,
    );
    return 1;
  });
}

/** The CLI flag behind a config field the API named (trunks.1 → --trunk). */
function flagOf(field: string): string | null {
  const top = field.split('.')[0] ?? '';
  const flags: Record<string, string> = {
    list: '--list',
    flow: '--flow',
    trunks: '--trunk',
    dialingMode: '--mode',
    linesPerAgent: '--lines-per-agent',
    maxConcurrentCalls: '--max-concurrent',
    queue: '--queue',
  };
  return flags[top] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Options → CampaignConfig

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match)
    throw new UsageError(
      `${flag}: "${text}" is not a duration; write a number and a unit, e.g. 30s, 10m, 2h, 1d`,
    );
  return Math.round(Number(match[1]) * (UNITS[match[2] as string] ?? 1));
}

function parseCount(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
  integer = true,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max)
    throw new UsageError(
      `${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got "${text}")`,
    );
  return n;
}

/** "mon-fri=09:00-12:00,14:00-20:00", "sat=10:00-16:00", "fri-mon=…" (wraps), "mon,wed=…". */
export function parseWindows(
  specs: readonly string[],
): Partial<Record<WeekdayKey, Array<[string, string]>>> {
  const windows: Partial<Record<WeekdayKey, Array<[string, string]>>> = {};
  for (const spec of specs) {
    const [days, times, ...more] = spec.split('=');
    if (!days || !times || more.length > 0)
      throw new UsageError(
        `--window "${spec}": write DAYS=HH:MM-HH:MM, e.g. --window mon-fri=09:00-20:00`,
      );
    const dayKeys = new Set<WeekdayKey>();
    for (const part of days.toLowerCase().split(',')) {
      const [from, to] = part.split('-');
      const a = WEEKDAY_KEYS.indexOf(from as WeekdayKey);
      const b = to === undefined ? a : WEEKDAY_KEYS.indexOf(to as WeekdayKey);
      if (a < 0 || b < 0)
        throw new UsageError(
          `--window "${spec}": "${part}" is not a weekday or range of weekdays (sun mon tue wed thu fri sat, e.g. mon-fri)`,
        );
      for (let i = a; ; i = (i + 1) % 7) {
        dayKeys.add(WEEKDAY_KEYS[i] as WeekdayKey);
        if (i === b) break;
      }
    }
    const ranges = times.split(',').map((range) => {
      const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(range.trim());
      if (!m)
        throw new UsageError(
          `--window "${spec}": "${range}" is not a time range HH:MM-HH:MM (24-hour clock, e.g. 09:00-20:00)`,
        );
      return [m[1], m[2]] as [string, string];
    });
    for (const day of dayKeys) windows[day] = [...(windows[day] ?? []), ...ranges];
  }
  return windows;
}

/** The CampaignConfig (or its changes) from --config FILE or the flags; schema mistakes name the flag. */
async function configFrom(
  values: CampaignCliValues,
  creating: boolean,
): Promise<Record<string, unknown>> {
  if (values.config !== undefined) {
    const others = CONFIG_FLAGS.filter(
      (f) =>
        f !== 'config' &&
        values[f] !== undefined &&
        !(Array.isArray(values[f]) && values[f].length === 0),
    );
    if (others.length > 0)
      throw new UsageError(`--config FILE holds the whole configuration; leave out --${others[0]}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(values.config, 'utf8'));
    } catch (error) {
      throw new UsageError(`--config ${values.config}: ${(error as Error).message}`);
    }
    const schema = creating ? CampaignConfigSchema : CampaignConfigSchema.partial();
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new UsageError(
        `--config ${values.config}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'is invalid'}`,
      );
    }
    return parsed as Record<string, unknown>;
  }
  const config: Record<string, unknown> = {};
  if (creating) {
    if (values.list === undefined)
      throw new UsageError('campaign create needs --list NAME (the contact list to call)');
    if (!values.trunk?.length)
      throw new UsageError(
        'campaign create needs --trunk NAME (repeat it for more trunks, tried in order)',
      );
  }
  if (values.list !== undefined) config.list = values.list;
  if (values.flow !== undefined) {
    const at = values.flow.lastIndexOf('@');
    const flowName = at > 0 ? values.flow.slice(0, at) : values.flow;
    const version = at > 0 ? Number(values.flow.slice(at + 1)) : undefined;
    if (version !== undefined && (!Number.isInteger(version) || version < 1))
      throw new UsageError(
        `--flow "${values.flow}": the version after @ must be a whole number from 1`,
      );
    config.flow =
      values.flow === 'none'
        ? null
        : { name: flowName, ...(version !== undefined ? { version } : {}) };
  }
  if (values.trunk?.length) config.trunks = values.trunk;
  if (values.mode !== undefined) {
    const modes: readonly string[] = CampaignConfigSchema.shape.dialingMode.unwrap().options;
    if (!modes.includes(values.mode))
      throw new UsageError(`--mode must be one of ${modes.join(', ')} (got "${values.mode}")`);
    config.dialingMode = values.mode;
  }
  const lines = parseCount('--lines-per-agent', values['lines-per-agent'], 1, 5, false);
  if (lines !== undefined) config.linesPerAgent = lines;
  const max = parseCount('--max-concurrent', values['max-concurrent'], 1, 200);
  if (max !== undefined) config.maxConcurrentCalls = max;
  if (values.queue !== undefined) config.queue = values.queue;
  if (values.tz !== undefined && !isIanaTimeZone(values.tz))
    throw new UsageError(`--tz "${values.tz}" is not an IANA time zone such as Asia/Shanghai`);
  for (const date of values.exclude ?? []) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
      throw new UsageError(`--exclude "${date}" is not a date YYYY-MM-DD`);
  }
  if (creating || values.window?.length || values.tz !== undefined || values.exclude?.length) {
    const windows = values.window?.length
      ? parseWindows(values.window)
      : parseWindows(['mon-fri=09:00-20:00']);
    config.schedule = {
      ...(values.tz !== undefined ? { timeZone: values.tz } : {}),
      windows,
      excludedDates: values.exclude ?? [],
    };
    if (!creating && values.tz === undefined)
      throw new UsageError(
        'campaign update: --window and --exclude replace the whole schedule; give --tz ZONE with them',
      );
  }
  const attempts = parseCount('--max-attempts', values['max-attempts'], 1, 100);
  const cap = parseCount('--daily-cap', values['daily-cap'], 1, 100);
  if (creating || values.retry?.length || attempts !== undefined || cap !== undefined) {
    const retryAfterMs: Record<string, number> = { ...DEFAULT_RETRY_POLICY.retryAfterMs };
    for (const spec of values.retry ?? []) {
      const [outcome, wait, ...more] = spec.split('=');
      if (!outcome || wait === undefined || more.length > 0)
        throw new UsageError(
          `--retry "${spec}": write OUTCOME=DURATION, e.g. --retry busy=10m (or OUTCOME=none)`,
        );
      if (!(CALL_OUTCOMES as readonly string[]).includes(outcome))
        throw new UsageError(
          `--retry "${spec}": "${outcome}" is not an outcome (${CALL_OUTCOMES.join(', ')})`,
        );
      if (wait === 'none') delete retryAfterMs[outcome];
      else retryAfterMs[outcome] = parseDuration(`--retry ${outcome}`, wait);
    }
    config.retryPolicy = {
      maxAttempts: attempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
      retryAfterMs,
      dailyCapPerNumber: cap ?? DEFAULT_RETRY_POLICY.dailyCapPerNumber,
    };
  }
  return config;
}
