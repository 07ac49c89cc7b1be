/**
 * Sentences for UNIQUE violations, by table and columns. Repositories bind values as
 * `$<column>`, so the database layer can hand us the value that clashed.
 */
import type { DescribeConflict, UniqueViolation } from './errors.js';

type Describer = (values: unknown[]) => string;

const quoted = (value: unknown): string => (value === undefined ? '' : ` "${String(value)}"`);
const plain = (value: unknown): string => (value === undefined ? '' : ` ${String(value)}`);

const DESCRIBERS: Record<string, Describer> = {
  'contact_lists.name': ([name]) => `A contact list named${quoted(name)} already exists.`,
  'contacts.list_id,phone': ([, phone]) =>
    `The number${plain(phone)} is already in this contact list.`,
  'campaigns.name': ([name]) => `A campaign named${quoted(name)} already exists.`,
  'flows.name': ([name]) => `A flow named${quoted(name)} already exists.`,
  'flow_versions.flow_id,version': ([, version]) =>
    `Version${plain(version)} of this flow already exists.`,
  'trunks.name': ([name]) => `A trunk named${quoted(name)} already exists.`,
  'calls.id': ([id]) => `A call with id${quoted(id)} already exists.`,
  'recordings.call_id': ([callId]) => `Call${quoted(callId)} already has a recording.`,
  'users.username': ([username]) => `A user named${quoted(username)} already exists.`,
  'dispositions.code': ([code]) => `A disposition with code${quoted(code)} already exists.`,
  'dnc_entries.phone': ([phone]) => `The number${plain(phone)} is already on the do-not-call list.`,
  'campaign_trunks.campaign_id,trunk_id': () => 'This trunk is already assigned to the campaign.',
};

export const describeConflict: DescribeConflict = ({ table, columns, values }: UniqueViolation) =>
  DESCRIBERS[`${table}.${columns.join(',')}`]?.(values);
