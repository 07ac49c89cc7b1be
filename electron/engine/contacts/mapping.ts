/**
 * Which column of a contact file feeds which contact field. Headers are recognised in English and
 * Chinese (电话/手机号, 姓名, 时区, 地区, 金额, 标签, consent_source/同意来源, consent_at/同意时间…); `--map column=field` overrides a guess. A
 * column nobody recognised is kept as a custom field under its header, so no data in the file is
 * dropped silently; `column=-` ignores one on purpose.
 */

/** Where a column's value goes. `field` is a custom field name (contacts.fields). */
export type ColumnTarget =
  | { kind: 'phone' }
  | { kind: 'name' }
  | { kind: 'timeZone' }
  /** Consent record: where the person agreed to be called, and when (contacts/consent.ts). */
  | { kind: 'consentSource' }
  | { kind: 'consentAt' }
  | { kind: 'field'; field: string; type: 'text' | 'number' | 'tags' }
  | { kind: 'ignore' };

export interface ColumnMapping {
  /** One entry per column, in file order. */
  columns: Array<{ header: string; target: ColumnTarget }>;
  /** Index of the phone column. */
  phoneColumn: number;
}

export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(
    message: string,
    /** 'NO_PHONE_COLUMN' | 'UNKNOWN_COLUMN' | 'BAD_FIELD' */
    readonly code: string,
  ) {
    super(message);
  }
}

// Keys are headers folded by `fold`: lower case, no spaces, underscores, dashes or dots.
const ALIASES: Record<string, ColumnTarget> = {};
function alias(target: ColumnTarget, ...headers: string[]): void {
  for (const header of headers) ALIASES[fold(header)] = target;
}
alias(
  { kind: 'phone' },
  'phone',
  'phone number',
  'mobile',
  'mobile phone',
  'mobile number',
  'cell',
  'cellphone',
  'tel',
  'telephone',
  'number',
  'msisdn',
  '电话',
  '手机',
  '手机号',
  '手机号码',
  '电话号码',
  '联系电话',
  '联系方式',
  '号码',
  '移动电话',
);
alias(
  { kind: 'name' },
  'name',
  'full name',
  'contact',
  'contact name',
  'customer',
  'customer name',
  '姓名',
  '名字',
  '客户',
  '客户姓名',
  '客户名称',
  '联系人',
);
alias({ kind: 'timeZone' }, 'time zone', 'timezone', 'tz', '时区');
alias(
  { kind: 'consentSource' },
  'consent_source',
  'consent source',
  'consent',
  '同意来源',
  '授权来源',
  '同意方式',
);
alias(
  { kind: 'consentAt' },
  'consent_at',
  'consent at',
  'consent time',
  'consent date',
  'consented at',
  '同意时间',
  '授权时间',
  '同意日期',
);
alias(
  { kind: 'field', field: 'region', type: 'text' },
  'region',
  'area',
  'province',
  '地区',
  '区域',
  '省份',
  '所在地区',
);
alias(
  { kind: 'field', field: 'amount', type: 'number' },
  'amount',
  'amount due',
  'balance',
  '金额',
  '欠款金额',
  '应还金额',
  '还款金额',
);
alias(
  { kind: 'field', field: 'vip_level', type: 'number' },
  'vip_level',
  'vip',
  'vip level',
  'level',
  'VIP等级',
  '会员等级',
  '等级',
);
alias({ kind: 'field', field: 'tags', type: 'tags' }, 'tags', 'tag', 'labels', '标签');

function fold(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.]/g, '');
}

/** The field a `--map column=field` names, as a target. Built-in names first, then custom fields. */
export function targetOf(field: string): ColumnTarget {
  const name = field.trim();
  if (name === '-' || name === 'ignore') return { kind: 'ignore' };
  if (name === 'phone') return { kind: 'phone' };
  if (name === 'name') return { kind: 'name' };
  if (name === 'timeZone' || name === 'time_zone' || name === 'tz') return { kind: 'timeZone' };
  if (name === 'consent_source' || name === 'consentSource') return { kind: 'consentSource' };
  if (name === 'consent_at' || name === 'consentAt') return { kind: 'consentAt' };
  if (!/^[\p{L}\p{N}_]+$/u.test(name)) {
    throw new MappingError(
      `"${field}" is not a field name: use phone, name, timeZone, "-" to ignore the column, or a custom field of letters, digits and _`,
      'BAD_FIELD',
    );
  }
  const known = ALIASES[fold(name)];
  return known?.kind === 'field' && known.field === name
    ? known
    : { kind: 'field', field: name, type: 'text' };
}

/**
 * Maps a header row. `overrides` is column header → field as given by `--map`. Throws when no
 * column holds phone numbers (naming the headers found) or an override names a missing column.
 */
export function mapColumns(
  headers: readonly string[],
  overrides: ReadonlyMap<string, string> = new Map(),
): ColumnMapping {
  const trimmed = headers.map((h) => h.trim());
  for (const column of overrides.keys()) {
    if (!trimmed.includes(column.trim())) {
      throw new MappingError(
        `--map ${column}=…: the file has no column "${column}" (its columns: ${list(trimmed)})`,
        'UNKNOWN_COLUMN',
      );
    }
  }
  const columns = guessColumns(trimmed, overrides);
  const phoneColumn = columns.findIndex((c) => c.target.kind === 'phone');
  if (phoneColumn < 0) {
    throw new MappingError(
      `No phone column found. The file's columns: ${list(trimmed)}. Name one phone (or 电话, 手机号), or map it: --map "<column>=phone"`,
      'NO_PHONE_COLUMN',
    );
  }
  return { columns, phoneColumn };
}

/**
 * Each column's target as mapColumns would choose it, without requiring a phone column: the
 * console's mapping step shows these as suggestions and lets the user pick the phone column.
 */
export function guessColumns(
  headers: readonly string[],
  overrides: ReadonlyMap<string, string> = new Map(),
): ColumnMapping['columns'] {
  const trimmed = headers.map((h) => h.trim());
  const taken = new Set<string>();
  const explicit = new Map(
    [...overrides].map(([column, field]) => [column.trim(), targetOf(field)]),
  );
  // A field claimed by --map is not also guessed for another column.
  for (const target of explicit.values()) taken.add(key(target));
  return trimmed.map((header, index) => {
    const forced = explicit.get(header);
    if (forced) return { header, target: forced };
    const guess = ALIASES[fold(header)];
    // The first column of a kind wins; a second "电话" after "手机" is kept as a custom field.
    if (guess && !taken.has(key(guess))) {
      taken.add(key(guess));
      return { header, target: guess };
    }
    const field = header === '' ? `column_${index + 1}` : header;
    return { header, target: { kind: 'field', field, type: 'text' } as ColumnTarget };
  });
}

function key(target: ColumnTarget): string {
  return target.kind === 'field' ? `field:${target.field}` : target.kind;
}

function list(headers: readonly string[]): string {
  return headers.length === 0 ? '(none)' : headers.map((h) => `"${h}"`).join(', ');
}
