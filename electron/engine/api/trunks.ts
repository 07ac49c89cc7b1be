/**
 * SIP trunks in the API: what a user may enter (with messages that name the problem and show the
 * value), what the console sees (never the password), and their live health.
 *
 * Pure TypeScript like the rest of api/: the renderer imports it through contract.ts.
 */
import { z } from 'zod';

export const TRUNK_ROLES = ['primary', 'backup'] as const;
export const TrunkRole = z.enum(TRUNK_ROLES);
export type TrunkRole = z.infer<typeof TrunkRole>;

/**
 * idle: nothing started it (and always in a process that places no calls, like the CLI);
 * connecting / connected: the WebSocket; registering / registered: SIP REGISTER (trunks that
 * register); down: failed, `reason` says why.
 */
export const TRUNK_HEALTH_STATES = [
  'idle',
  'connecting',
  'connected',
  'registering',
  'registered',
  'down',
] as const;
export const TrunkHealthState = z.enum(TRUNK_HEALTH_STATES);
export type TrunkHealthState = z.infer<typeof TrunkHealthState>;

export const TrunkHealthSchema = z.object({
  state: TrunkHealthState,
  /** Why it is in this state, in words (e.g. "401 Unauthorized", "connection refused"); null when there is nothing to say. */
  reason: z.string().nullable(),
  /** Epoch ms when it entered this state. */
  since: z.number().int().nonnegative(),
});
export type TrunkHealth = z.infer<typeof TrunkHealthSchema>;

export const TRUNK_MAX_CALLS_DEFAULT = 30;

/** A value in a message: short enough to read, long enough to recognise. */
function shown(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}…` : value;
}

const CONTROL = /\p{Cc}/u;

/** Why `value` is not a usable SIP WebSocket URI, or null when it is. */
export function wsUriProblem(value: string): string | null {
  if (value === '') return 'is required, e.g. wss://pbx.example.com:8089/ws';
  if (!/^wss?:\/\//.test(value)) return `must start with ws:// or wss:// (got ${shown(value)})`;
  if (/\s/.test(value) || CONTROL.test(value))
    return `must not contain spaces (got ${shown(value)})`;
  if (/^wss?:\/\/(?:[/:?#]|$)/.test(value))
    return `must name a host, e.g. wss://pbx.example.com:8089/ws (got ${shown(value)})`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not a valid WebSocket address (got ${shown(value)})`;
  }
  if (url.username !== '' || url.password !== '')
    return 'must not contain a user name or password; use the username and password fields';
  if (value.includes('?') || value.includes('#'))
    return `may have a host, a port and a path only, no ?query or #fragment (got ${shown(value)})`;
  if (url.hostname === '')
    return `must name a host, e.g. wss://pbx.example.com:8089/ws (got ${shown(value)})`;
  return null;
}

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function isIpv6(value: string): boolean {
  const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (!inner.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(inner)) return false;
  try {
    new URL(`ws://[${inner}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Why `value` is not a SIP domain (a host name or an IP address), or null when it is. */
export function sipDomainProblem(value: string): string | null {
  if (value === '') return 'is required, e.g. pbx.example.com or 192.0.2.10';
  const example = `must be a host name or IP address such as pbx.example.com, without sip: or a port (got ${shown(value)})`;
  if (IPV4.test(value))
    return value.split('.').every((part) => Number(part) <= 255)
      ? null
      : `is not a valid IPv4 address (got ${shown(value)})`;
  if (isIpv6(value)) return null;
  if (value.length > 253 || !HOSTNAME.test(value)) return example;
  return null;
}

/** SIP user part characters (RFC 3261 unreserved, user-unreserved, %HH escapes). */
const SIP_USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;

export const TrunkName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'must be at most 64 characters')
  .refine((value) => !CONTROL.test(value), 'must not contain line breaks or control characters');

export const TrunkUri = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = wsUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const SipDomain = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = sipDomainProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const TrunkUsername = z
  .string()
  .trim()
  .min(1, 'must not be empty; leave it out when the trunk needs no authentication')
  .max(128, 'must be at most 128 characters')
  .refine(
    (value) => !/[\s@:<>"]/.test(value) && !CONTROL.test(value),
    'must not contain spaces or any of @ : < > "',
  );

/** A password exactly as typed (not trimmed: spaces may be part of it). */
export const TrunkPassword = z
  .string()
  .min(1, 'must not be empty; leave it out (or null) for no password')
  .max(256, 'must be at most 256 characters')
  .refine((value) => !CONTROL.test(value), 'must not contain line breaks or control characters');

export const CallerId = z
  .string()
  .trim()
  .min(1, 'must not be empty; leave it out to use the trunk’s default')
  .max(64, 'must be at most 64 characters')
  .superRefine((value, ctx) => {
    if (!SIP_USER.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be digits (optionally starting with +) or a SIP user name such as 1001 (got ${shown(value)})`,
      });
    }
  });

export const TrunkMaxCalls = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(500, 'must be at most 500');

/**
 * How a transfer to an agent on another seat goes on a trunk (issue 16 §3): `bridge` (default) —
 * the call's seat keeps the media and bridges a second SIP leg to the agent's seat; `refer` — the
 * call's seat sends the customer's leg a REFER to the agent's seat line, and the agent's seat
 * holds the call from then on (a REFER the far end refuses or fails falls back to the bridge).
 */
export const TRUNK_TRANSFER_MODES = ['bridge', 'refer'] as const;
export const TrunkTransferMode = z.enum(TRUNK_TRANSFER_MODES, {
  error: (issue) =>
    `must be "bridge" (a second leg from the call's seat) or "refer" (SIP REFER to the agent's seat), not ${JSON.stringify(issue.input)}`,
});
export type TrunkTransferMode = z.infer<typeof TrunkTransferMode>;

export const PASSWORD_NEEDS_USERNAME = 'needs a username: digest authentication sends both';

export const TrunkCreateParams = z
  .object({
    name: TrunkName,
    uri: TrunkUri,
    domain: SipDomain,
    username: TrunkUsername.nullable().optional(),
    /** Plain text: it crosses only the local transport and is encrypted before it is stored. */
    password: TrunkPassword.nullable().optional(),
    register: z.boolean().default(false),
    callerId: CallerId.nullable().optional(),
    maxConcurrentCalls: TrunkMaxCalls.default(TRUNK_MAX_CALLS_DEFAULT),
    role: TrunkRole.default('primary'),
    transferMode: TrunkTransferMode.default('bridge'),
  })
  .strict()
  .superRefine((trunk, ctx) => {
    if (trunk.password != null && trunk.username == null)
      ctx.addIssue({ code: 'custom', path: ['password'], message: PASSWORD_NEEDS_USERNAME });
  });

/** What trunks.update may change; a key left out stays as it is, null clears an optional one. */
export const TrunkChangesSchema = z
  .object({
    name: TrunkName,
    uri: TrunkUri,
    domain: SipDomain,
    username: TrunkUsername.nullable(),
    /** Omitted: unchanged. null: cleared. A string: replaced. */
    password: TrunkPassword.nullable(),
    register: z.boolean(),
    callerId: CallerId.nullable(),
    maxConcurrentCalls: TrunkMaxCalls,
    role: TrunkRole,
    transferMode: TrunkTransferMode,
  })
  .partial()
  .strict();
export type TrunkChanges = z.infer<typeof TrunkChangesSchema>;

/** A trunk as every client sees it: no password, only whether one is stored. */
export const TrunkViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  uri: z.string(),
  domain: z.string(),
  username: z.string().nullable(),
  hasPassword: z.boolean(),
  register: z.boolean(),
  callerId: z.string().nullable(),
  maxConcurrentCalls: z.number().int(),
  role: TrunkRole,
  transferMode: TrunkTransferMode,
  health: TrunkHealthSchema,
  createdAt: z.number().int().nonnegative(),
  updatedAt: z.number().int().nonnegative(),
});
export type TrunkView = z.infer<typeof TrunkViewSchema>;

/**
 * Where stored passwords are protected: the OS keychain (the desktop app, via Electron's
 * safeStorage) or a key file in the data folder (headless; protected only by file permissions).
 */
export const SecretStorage = z.enum(['os-keychain', 'key-file']);
export type SecretStorage = z.infer<typeof SecretStorage>;

/** trunks.list's result and the trunks.changed event. */
export const TrunkListSchema = z.object({
  trunks: z.array(TrunkViewSchema),
  secretStorage: SecretStorage,
});
export type TrunkList = z.infer<typeof TrunkListSchema>;

export const trunkCommands = {
  'trunks.list': { params: z.object({}).strict(), result: TrunkListSchema },
  'trunks.create': { params: TrunkCreateParams, result: TrunkViewSchema },
  'trunks.update': {
    params: z.object({ name: TrunkName, changes: TrunkChangesSchema }).strict(),
    result: TrunkViewSchema,
  },
  'trunks.remove': {
    params: z.object({ name: TrunkName }).strict(),
    result: z.object({ name: z.string() }),
  },
} as const;

export const trunkEvents = {
  /** After every create, update and remove: the full list. */
  'trunks.changed': TrunkListSchema,
  /** A trunk's health changed (the telephony code reports it); lighter than the full list. */
  'trunk.health': z.object({ trunkId: z.number().int(), health: TrunkHealthSchema }),
} as const;
