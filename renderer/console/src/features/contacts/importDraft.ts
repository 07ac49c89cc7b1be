/**
 * The import screen's mapping step and target list as the user edits them, and the pure functions
 * that turn them into imports.commit's params or say which choice is not usable yet. The engine
 * checks everything again; these keep the Import button honest and the messages next to the
 * control they are about.
 */
import type { CommandParams, ImportPreview } from '../../api/contract.js';

/** What a column can become, as the mapping step offers it. */
export const COLUMN_CHOICES = ['phone', 'name', 'timeZone', 'region', 'custom', 'ignore'] as const;
export type ColumnChoice = (typeof COLUMN_CHOICES)[number];

export interface ColumnDraft {
  header: string;
  choice: ColumnChoice;
  /** The custom field's name (used when choice is custom). */
  customName: string;
  samples: string[];
}

export interface ImportDraft {
  columns: ColumnDraft[];
  /** existing: add to the list named `existingList`; new: create `newList`. */
  target: 'existing' | 'new';
  existingList: string;
  newList: string;
  region: string;
}

/** Field names a custom field may use (the engine's rule: letters, digits and _). */
const CUSTOM_FIELD = /^[\p{L}\p{N}_]+$/u;

/** The engine's suggested field for a column → the choice shown preselected. */
export function choiceOf(suggested: string): { choice: ColumnChoice; customName: string } {
  if (suggested === 'phone' || suggested === 'name' || suggested === 'timeZone')
    return { choice: suggested, customName: '' };
  if (suggested === 'region') return { choice: 'region', customName: '' };
  if (suggested === '-') return { choice: 'ignore', customName: '' };
  return { choice: 'custom', customName: suggested };
}

/** A draft from the preview: the engine's suggestions, the given region, and a list to start from. */
export function draftFromPreview(
  preview: ImportPreview,
  options: { region: string; lists: readonly string[]; fileName: string },
): ImportDraft {
  return {
    columns: preview.columns.map((c) => ({
      header: c.header,
      samples: c.samples,
      ...choiceOf(c.suggested),
    })),
    target: options.lists.length > 0 ? 'existing' : 'new',
    existingList: options.lists[0] ?? '',
    newList: listNameFromFile(options.fileName),
    region: options.region,
  };
}

/** "客户名单.csv" → "客户名单". */
export function listNameFromFile(fileName: string): string {
  return fileName
    .replace(/\.(csv|xlsx|txt)$/i, '')
    .trim()
    .slice(0, 200);
}

/** The engine's field name for a column's choice. */
export function fieldOf(column: ColumnDraft): string {
  switch (column.choice) {
    case 'ignore':
      return '-';
    case 'custom':
      return column.customName.trim();
    default:
      return column.choice;
  }
}

export type DraftProblem =
  | { kind: 'noPhone' }
  | { kind: 'twoPhones'; columns: string[] }
  | { kind: 'customName'; column: number }
  | { kind: 'duplicateField'; column: number; field: string }
  | { kind: 'list' }
  | { kind: 'listExists' }
  | { kind: 'region' };

/** Every problem that keeps the import from starting, in screen order. */
export function draftProblems(
  draft: ImportDraft,
  existingLists: readonly string[],
): DraftProblem[] {
  const problems: DraftProblem[] = [];
  const phones = draft.columns.filter((c) => c.choice === 'phone');
  if (phones.length === 0) problems.push({ kind: 'noPhone' });
  if (phones.length > 1) problems.push({ kind: 'twoPhones', columns: phones.map((c) => c.header) });
  const seen = new Set<string>();
  draft.columns.forEach((column, i) => {
    if (column.choice === 'custom' && !CUSTOM_FIELD.test(column.customName.trim())) {
      problems.push({ kind: 'customName', column: i });
      return;
    }
    const field = fieldOf(column);
    if (field === '-' || field === 'phone') return;
    // Two columns feeding one field would silently keep only the later one.
    if (seen.has(field)) problems.push({ kind: 'duplicateField', column: i, field });
    seen.add(field);
  });
  if (draft.target === 'existing' ? draft.existingList.trim() === '' : draft.newList.trim() === '')
    problems.push({ kind: 'list' });
  else if (draft.target === 'new' && existingLists.includes(draft.newList.trim()))
    problems.push({ kind: 'listExists' });
  if (!/^[A-Za-z]{2}$/.test(draft.region.trim())) problems.push({ kind: 'region' });
  return problems;
}

export function toCommitParams(id: string, draft: ImportDraft): CommandParams<'imports.commit'> {
  return {
    id,
    list: (draft.target === 'existing' ? draft.existingList : draft.newList).trim(),
    createList: draft.target === 'new',
    mapping: draft.columns.map((c) => ({ header: c.header, field: fieldOf(c) })),
    defaultRegion: draft.region.trim().toUpperCase(),
  };
}

/** [start, end) byte ranges of `size` bytes in pieces of `chunkBytes`. */
export function chunkRanges(size: number, chunkBytes: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < size; start += chunkBytes)
    ranges.push([start, Math.min(size, start + chunkBytes)]);
  return ranges;
}

/** Bytes → base64 without building one giant string of char codes (stack-safe for 384 KiB). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step)
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}
