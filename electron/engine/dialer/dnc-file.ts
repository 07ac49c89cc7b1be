/**
 * Reads a do-not-call file: one number per line, or a CSV (comma, semicolon or tab) whose header
 * names a phone column (phone, number, mobile, tel, 电话, 手机, 号码…) and optionally a reason
 * column. Pure: text in, numbers and per-line problems out; the caller stores the good numbers in
 * one transaction, so a file is never half-imported.
 */
import type { CountryCode } from 'libphonenumber-js';

import { normalizePhone } from './phone.js';

export interface DncFileEntry {
  line: number;
  phone: string;
  reason: string | null;
}

export interface DncFileRejection {
  line: number;
  value: string;
  reason: string;
}

export interface DncFileResult {
  format: 'lines' | 'csv';
  entries: DncFileEntry[];
  rejected: DncFileRejection[];
  /** Lines whose number an earlier line already gave. */
  duplicates: number;
}

export class DncFileError extends Error {
  override readonly name = 'DncFileError';
}

const PHONE_HEADER =
  /^(?:phone|phone[ _-]?number|number|mobile|cell|tel|telephone|msisdn|电话|电话号码|手机|手机号|手机号码|号码)$/i;
const REASON_HEADER = /^(?:reason|note|notes|原因|备注)$/i;

/** Splits one CSV line; double quotes may wrap a cell and "" is a quote inside one. */
function splitCsv(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === '') quoted = true;
    else if (ch === delimiter) {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

export function parseDncFile(text: string, region: CountryCode): DncFileResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const firstIndex = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (firstIndex < 0)
    throw new DncFileError('the file has no numbers (it is empty or holds only comments)');
  const first = lines[firstIndex] ?? '';
  const delimiter = ['\t', ';', ','].find((d) => first.includes(d));
  let phoneColumn = 0;
  let reasonColumn = -1;
  let start = firstIndex;
  const format: DncFileResult['format'] = delimiter ? 'csv' : 'lines';
  // A header is a first line that is not itself a number: then it must name the phone column.
  const firstIsNumber = /^[\s\d+()\-.]+$/.test(
    delimiter ? (splitCsv(first, delimiter)[0] ?? '') : first.trim(),
  );
  if (!firstIsNumber) {
    const cells = delimiter ? splitCsv(first, delimiter) : [first.trim()];
    phoneColumn = cells.findIndex((c) => PHONE_HEADER.test(c));
    if (phoneColumn < 0) {
      throw new DncFileError(
        `no phone column: line ${firstIndex + 1} is a header ("${first.trim().slice(0, 80)}") without a column named phone, number, mobile, tel, 电话, 手机 or 号码`,
      );
    }
    reasonColumn = cells.findIndex((c) => REASON_HEADER.test(c));
    start = firstIndex + 1;
  }

  const entries: DncFileEntry[] = [];
  const rejected: DncFileRejection[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (let i = start; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    const cells = delimiter ? splitCsv(raw, delimiter) : [raw.trim()];
    const value = cells[phoneColumn] ?? '';
    const n = normalizePhone(value, region);
    if (!n.ok) {
      rejected.push({
        line: i + 1,
        value,
        reason: value === '' ? 'no number in the phone column' : n.reason,
      });
      continue;
    }
    if (seen.has(n.e164)) {
      duplicates++;
      continue;
    }
    seen.add(n.e164);
    const reason = reasonColumn >= 0 ? cells[reasonColumn] || null : null;
    entries.push({ line: i + 1, phone: n.e164, reason });
  }
  return { format, entries, rejected, duplicates };
}
