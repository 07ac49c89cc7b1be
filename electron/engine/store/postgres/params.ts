/**
 * The repositories bind SQLite-style parameters (`$name` with an object, or `?` with an array);
 * PostgreSQL takes `$1, $2, …` and an array. `translate()` walks the statement with a small
 * tokenizer that skips string literals ('…', E'…'), quoted identifiers ("…"), dollar-quoted
 * bodies ($tag$…$tag$) and comments, so a `$` or `?` inside data is never touched. One name
 * maps to one number however often it occurs. Results are cached per statement text.
 */
import type { SqlParams, SqlValue } from '../errors.js';

interface Translated {
  text: string;
  /** Parameter names in $1… order (named), or the count of `?` (positional). */
  names: string[];
  positional: number;
}

const cache = new Map<string, Translated>();
const CACHE_LIMIT = 2_000;

export function translate(sql: string, params?: SqlParams): { text: string; values: SqlValue[] } {
  let translated = cache.get(sql);
  if (!translated) {
    translated = tokenize(sql);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(sql, translated);
  }
  if (params === undefined) return { text: translated.text, values: [] };
  if (Array.isArray(params)) {
    const list = params as readonly SqlValue[];
    if (list.length !== translated.positional)
      throw new Error(
        `The statement has ${translated.positional} "?" parameters but ${list.length} values were bound.`,
      );
    return { text: translated.text, values: [...list] };
  }
  const named = params as Readonly<Record<string, SqlValue>>;
  // As node-sqlite3 does, a name the statement uses but the caller left out binds NULL.
  return {
    text: translated.text,
    values: translated.names.map((name) => named[name] ?? null),
  };
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

function tokenize(sql: string): Translated {
  const names: string[] = [];
  const numbers = new Map<string, number>();
  let positional = 0;
  /** Text, with the `?` found between its pieces as their 1-based positions. */
  const parts: (string | number)[] = [];
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$' && next !== undefined && IDENT_START.test(next)) {
      let j = i + 1;
      while (j < n && IDENT.test(sql[j] as string)) j++;
      if (sql[j] === '$') {
        // A dollar-quoted body ($tag$ … $tag$): copied as it is.
        const tag = sql.slice(i, j + 1);
        const end = sql.indexOf(tag, j + 1);
        const stop = end === -1 ? n : end + tag.length;
        out += sql.slice(i, stop);
        i = stop;
        continue;
      }
      const name = sql.slice(i, j);
      let number = numbers.get(name);
      if (number === undefined) {
        names.push(name);
        number = names.length;
        numbers.set(name, number);
      }
      out += `$${number}`;
      i = j;
    } else if (c === '$' && next === '$') {
      const end = sql.indexOf('$$', i + 2);
      const stop = end === -1 ? n : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      positional++;
      parts.push(out, positional);
      out = '';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  parts.push(out);
  // With named parameters a `?` is PostgreSQL's JSON operator, not a parameter.
  const text = parts
    .map((part) => (typeof part === 'string' ? part : names.length > 0 ? '?' : `$${part}`))
    .join('');
  return { text, names, positional: names.length > 0 ? 0 : positional };
}

/** Index just past the literal or identifier that opens at `start` ('' and "" are escapes). */
function closingQuote(sql: string, start: number, quote: string): number {
  // E'…' strings take backslash escapes; the E sits just before the quote.
  const backslashes = quote === "'" && /[eE]/.test(sql[start - 1] ?? '');
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}
