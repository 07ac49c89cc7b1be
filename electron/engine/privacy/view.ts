/**
 * The masked view of what leaves the engine to a connection (issue 15 §1): the store keeps raw
 * numbers, names and transcripts (the dialer needs them); each connection sees them masked or
 * not, as the settings say for its role. Both transports get it from one place: the dispatcher
 * passes every command result through `maskResult` and each connection passes every event through
 * `maskEvent` (auth/connection.ts), so no React code has to remember it.
 *
 * What is masked:
 * - phone numbers in number / phone fields (138****5678; a number nobody's detector knows keeps only
 *   its last 4 digits), contact names by the name rule (张*丰) when names are masked, every other
 *   text (transcripts, last utterance, contact fields, audit details) through maskText;
 * - call events: DTMF digits (`digits`) longer than 4 keys (1–4 keys choose a menu item and stay),
 *   numbers and targets, and any text in them.
 * The in-process local admin (the CLI, tests: source `cli`) is never masked: whoever runs code in
 * the engine's process has the workspace's files anyway.
 */
import type {
  CommandName,
  CommandResult,
  EventData,
  EventName,
  Settings,
} from '../api/contract.js';
import type { Role } from '../api/roles.js';
import { findPersonalData } from './detect.js';
import { maskName, maskText, maskValue } from './mask.js';

/** Who sees masked values, and what counts: the masking settings of the workspace. */
export interface MaskingPolicy {
  /** Per role: true = that role sees masked values. */
  readonly roles: Readonly<Record<Role, boolean>>;
  /** Contact names shown by the name rule (first and last character). */
  readonly names: boolean;
  /** Amounts of money in text masked too. */
  readonly amounts: boolean;
}

/** The policy the settings give (maskForAgent, maskForSupervisor, maskForAdmin, maskNames, maskAmounts). */
export function maskingPolicyOf(
  settings: Pick<
    Settings,
    'maskForAgent' | 'maskForSupervisor' | 'maskForAdmin' | 'maskNames' | 'maskAmounts'
  >,
): MaskingPolicy {
  return {
    roles: {
      agent: settings.maskForAgent,
      supervisor: settings.maskForSupervisor,
      admin: settings.maskForAdmin,
    },
    names: settings.maskNames,
    amounts: settings.maskAmounts,
  };
}

/** The maskers one policy gives, for each kind of field. */
export class Masker {
  constructor(private readonly policy: Pick<MaskingPolicy, 'names' | 'amounts'>) {}

  /** Free text: transcripts, notes, contact fields, audit details. */
  text = (value: string): string => maskText(value, { amounts: this.policy.amounts });

  /** A field that holds a phone number: detected, else every digit but the last 4 hidden. */
  phone = (value: string): string => {
    const masked = maskText(value);
    if (masked !== value) return masked;
    const digits = value.replace(/\D/g, '').length;
    if (digits < 5) return value;
    let seen = 0;
    return value.replace(/\d/g, (d) => (++seen <= digits - 4 ? '*' : d));
  };

  /** A person's name: first and last character per word, when names are masked. */
  name = (value: string): string => (this.policy.names ? maskName(value) : value);

  nullableName = (value: string | null): string | null =>
    value === null ? null : this.name(value);
  nullableText = (value: string | null): string | null =>
    value === null ? null : this.text(value);

  /**
   * DTMF keys: up to 4 stay (a menu choice); a longer entry (an account, a card, a PIN) is masked
   * as what it is when a detector knows it, else all but the last 2 keys.
   */
  digits = (value: string): string => {
    if (value.length <= 4) return value;
    const [match] = findPersonalData(value);
    if (match && match.start === 0 && match.end === value.length)
      return maskValue(match.kind, match.value);
    return '*'.repeat(value.length - 2) + value.slice(-2);
  };

  /**
   * A loosely typed record (a call event's data, a contact's fields): DTMF keys, numbers and names
   * by their key, every other string as text, nested objects and arrays likewise.
   */
  record = <T>(value: T): T => this.walk(value, '') as T;

  private walk(value: unknown, key: string): unknown {
    if (typeof value === 'string') {
      if (DIGIT_KEYS.test(key)) return this.digits(value);
      if (PHONE_KEYS.test(key)) return this.phone(value);
      if (NAME_KEYS.test(key)) return this.name(value);
      return this.text(value);
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, key));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.walk(v, k);
      return out;
    }
    return value;
  }
}

const DIGIT_KEYS = /^(digits|dtmf)$/i;
// Keys that hold a phone number and nothing else (to / from / target may hold dates or names: they go through maskText).
const PHONE_KEYS =
  /^(number|phone|mobile|tel|e164|callee|caller|[a-z]+(Phone|Number|Mobile)|电话|手机|号码)$/;
const NAME_KEYS = /^(contactName|customerName|fullName|firstName|lastName|姓名|客户姓名)$/i;

/** Keys pressed one event each: dtmf_in / dtmf_out carry the key in `detail`. */
const KEY_EVENTS = new Set(['dtmf_in', 'dtmf_out']);
/** Keys closer together than this are one entry (a number keyed in), not separate menu choices. */
const KEY_RUN_GAP_MS = 3_000;
const MENU_KEYS_MAX = 4;

interface StoredEventLike {
  at: number;
  type: string;
  data: Record<string, unknown>;
}

/**
 * A call's stored events, masked: each event's data through `record`, and keys pressed in a run of
 * more than 4 (a number keyed in, gaps under 3 s) hidden, while a run of 1–4 (a menu choice) stays.
 */
export function maskCallEvents<T extends StoredEventLike>(events: readonly T[], m: Masker): T[] {
  const hide = new Set<number>();
  let run: number[] = [];
  let lastAt = -Infinity;
  const close = (): void => {
    if (run.length > MENU_KEYS_MAX) for (const i of run) hide.add(i);
    run = [];
  };
  events.forEach((e, i) => {
    if (!KEY_EVENTS.has(e.type)) return;
    if (e.at - lastAt > KEY_RUN_GAP_MS) close();
    run.push(i);
    lastAt = e.at;
  });
  close();
  return events.map((e, i) => {
    const data = m.record(e.data);
    if (hide.has(i) && typeof data.detail === 'string') data.detail = '*';
    return { ...e, data };
  });
}

/**
 * One live call event, masked: a key pressed is shown as * (whether it starts a keyed-in number is
 * not known yet; History shows menu choices of 1–4 keys from the whole call).
 */
function maskLiveCallEvent<T extends StoredEventLike>(e: T, m: Masker): T {
  const data = m.record(e.data);
  if (KEY_EVENTS.has(e.type) && typeof data.detail === 'string') data.detail = '*';
  return { ...e, data };
}

type ResultMasker<C extends CommandName> = (
  result: CommandResult<C>,
  m: Masker,
) => CommandResult<C>;

interface CallSummaryLike {
  number: string;
  contactName: string | null;
}
const summary = <T extends CallSummaryLike>(call: T, m: Masker): T => ({
  ...call,
  number: m.phone(call.number),
  contactName: m.nullableName(call.contactName),
});
const utterance = <T extends { text: string }>(u: T, m: Masker): T => ({
  ...u,
  text: m.text(u.text),
});
const contactFields = <T extends Record<string, unknown>>(fields: T, m: Masker): T =>
  m.record(fields);

/**
 * The commands whose results carry personal data, each with its masker. A command not here
 * returns nothing personal (names of campaigns, flows and queues, counts, settings), or is the
 * admin's own tool that needs the raw value to work (the dnc.* commands: dnc.list feeds
 * dnc.remove; privacy.export is a person's own data by their request).
 */
const RESULT_MASKERS: { readonly [C in CommandName]?: ResultMasker<C> } = {
  'calls.list': (r, m) => ({ ...r, calls: r.calls.map((c) => summary(c, m)) }),
  'calls.get': (r, m) => ({
    ...r,
    call: summary(r.call, m),
    events: maskCallEvents(r.events, m),
    transitions: r.transitions.map((t) => ({ ...t, reason: m.nullableText(t.reason) })),
    utterances: r.utterances.map((u) => utterance(u, m)),
  }),
  'live.list': (r, m) => ({
    ...r,
    calls: r.calls.map((c) => ({
      ...summary(c, m),
      lastUtterance: m.nullableText(c.lastUtterance),
    })),
  }),
  'campaigns.contacts': (r, m) => ({
    ...r,
    contacts: r.contacts.map((c) => ({
      ...c,
      phone: m.phone(c.phone),
      name: m.nullableName(c.name),
    })),
  }),
  'preview.current': (r, m) => ({
    ...r,
    preview: r.preview
      ? {
          ...r.preview,
          contact: {
            ...r.preview.contact,
            name: m.nullableName(r.preview.contact.name),
            phone: m.phone(r.preview.contact.phone),
            fields: contactFields(r.preview.contact.fields, m),
          },
        }
      : null,
  }),
  'agents.offer': (r, m) => ({ ...r, offer: r.offer ? offer(r.offer, m) : null }),
  'calls.labels': (r, m) => m.record(r),
  'audit.list': (r, m) => m.record(r),
};

type EventMasker<E extends EventName> = (data: EventData<E>, m: Masker) => EventData<E>;

function offer(o: EventData<'agent.offer'>, m: Masker): EventData<'agent.offer'> {
  return {
    ...o,
    context: {
      ...o.context,
      contact: {
        name: m.nullableName(o.context.contact.name),
        phone: m.phone(o.context.contact.phone),
        fields: contactFields(o.context.contact.fields, m),
      },
      reason: m.text(o.context.reason),
      transcript: o.context.transcript.map((u) => utterance(u, m)),
    },
  };
}

const same = <T>(data: T): T => data;

/**
 * Every event with its masker (a new event does not compile without a line here): `same` for the
 * ones that carry nothing personal.
 */
const EVENT_MASKERS: { readonly [E in EventName]: EventMasker<E> } = {
  'settings.changed': same,
  'engine.status': same,
  'agents.changed': same, // staff, not customers
  'agent.state': same,
  'agent.offer': offer,
  'agent.offerEnded': same,
  'agent.preview': (p, m) => ({
    ...p,
    contact: {
      ...p.contact,
      name: m.nullableName(p.contact.name),
      phone: m.phone(p.contact.phone),
      fields: contactFields(p.contact.fields, m),
    },
  }),
  'agent.previewEnded': same,
  'call.updated': (c, m) => ({ ...summary(c, m), lastUtterance: m.nullableText(c.lastUtterance) }),
  'call.event': (e, m) => maskLiveCallEvent(e, m),
  'call.utterance': (u, m) => utterance(u, m),
  'campaign.updated': same,
  'flows.changed': same,
  'flow.training': same,
  'kpi.wallboard': same,
  'trunks.changed': same,
  'trunk.health': same,
  'import.progress': same,
  'import.finished': same,
};

/** Who a connection is, as far as masking cares. */
export interface Viewer {
  role: Role;
  /** `cli`: the in-process local admin, never masked. */
  source: 'ipc' | 'ws' | 'cli';
}

/** The masked view for connections, over the workspace's current masking policy. */
export class PrivacyView {
  constructor(private readonly policy: () => MaskingPolicy) {}

  /** Whether this viewer sees masked values. */
  masks(viewer: Viewer | null): boolean {
    if (!viewer || viewer.source === 'cli') return false;
    return this.policy().roles[viewer.role];
  }

  private masker(): Masker {
    return new Masker(this.policy());
  }

  /** A command's result as this viewer may see it. */
  result<C extends CommandName>(
    viewer: Viewer | null,
    command: C,
    result: CommandResult<C>,
  ): CommandResult<C> {
    const masker = (RESULT_MASKERS as { [K in CommandName]?: ResultMasker<C> })[command];
    if (!masker || !this.masks(viewer)) return result;
    return masker(result, this.masker());
  }

  /** An event's data as this viewer may see it. */
  event<E extends EventName>(viewer: Viewer | null, event: E, data: EventData<E>): EventData<E> {
    const masker = (EVENT_MASKERS as { [K in EventName]: EventMasker<E> })[event];
    if (masker === same || !this.masks(viewer)) return data;
    return masker(data, this.masker());
  }
}
