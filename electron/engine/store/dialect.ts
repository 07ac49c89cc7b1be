/**
 * The few places where SQLite's and PostgreSQL's SQL really differ, as small fragment builders a
 * repository puts into its statement (`db.dialect`). Everything else the repositories write is
 * SQL both accept: `$name` parameters (translated to `$1…` by postgres/params.ts, a tokenizer that
 * never touches string literals), `->` / `->>` on JSON text, `CAST(… AS BIGINT)`, `ON CONFLICT`,
 * `RETURNING`, and comparisons whose 0/1 results PostgreSQL's booleans are read as (the pool
 * parses booleans to 0/1, see postgres/database.ts).
 *
 * A fragment takes SQL expressions (a column, a `$param`), never values: values are always bound.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Case-insensitive LIKE for ASCII letters, as SQLite's LIKE is (PostgreSQL: ILIKE). */
  readonly like: string;
  /**
   * A complete FROM item (named `json_each`) over the elements of a JSON array bound as text:
   * columns `key` (0-based index) and `value` (the element as JSON: read fields with `->>`).
   * Write `FROM ${d.jsonEach('$rows')}`.
   */
  jsonEach(param: string): string;
  /** A subquery of the integers in a JSON array parameter: `x IN ${d.jsonIntegers('$ids')}`. */
  jsonIntegers(param: string): string;
  /** A subquery of the strings in a JSON array parameter: `x IN ${d.jsonTexts('$phones')}`. */
  jsonTexts(param: string): string;
  /** A JSON text's top-level scalar as SQL text (SQLite `->> '$'`). */
  jsonScalar(expression: string): string;
  /** One top-level field of a JSON object text, as an SQL value (SQLite json_extract). */
  jsonText(expression: string, key: string): string;
  /**
   * Rows in the order they were inserted, for a table without a numbered key: SQLite's rowid;
   * on PostgreSQL the physical order (ctid), which an UPDATE moves to the end.
   */
  readonly insertionOrder: string;
  /**
   * An inner join whose left side stays the outer loop: SQLite's CROSS JOIN … ON (never
   * reordered, so an indexed range of calls drives the query); PostgreSQL refuses ON after CROSS
   * JOIN and plans a plain JOIN itself.
   */
  readonly orderedJoin: string;
  /** The larger of two non-NULL values (SQLite's two-argument max()). */
  greatest(a: string, b: string): string;
  /** The smaller of two non-NULL values (SQLite's two-argument min()). */
  least(a: string, b: string): string;
}

/** A field name written into SQL: only a constant identifier, never a value. */
function fieldName(key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`Not a JSON field name: ${key}`);
  return key;
}

export const SQLITE: Dialect = {
  name: 'sqlite',
  like: 'LIKE',
  jsonEach: (param) => `json_each(${param})`,
  jsonIntegers: (param) => `(SELECT value FROM json_each(${param}))`,
  jsonTexts: (param) => `(SELECT value FROM json_each(${param}))`,
  jsonScalar: (expression) => `(${expression} ->> '$')`,
  jsonText: (expression, key) => `json_extract(${expression}, '$.${fieldName(key)}')`,
  insertionOrder: 'rowid',
  orderedJoin: 'CROSS JOIN',
  greatest: (a, b) => `max(${a}, ${b})`,
  least: (a, b) => `min(${a}, ${b})`,
};

export const POSTGRES: Dialect = {
  name: 'postgres',
  like: 'ILIKE',
  // json (not jsonb) keeps each element's text exactly as bound; ordinality counts from 1.
  jsonEach: (param) =>
    `(SELECT e.value, e.ordinality - 1 AS key FROM json_array_elements(CAST(${param} AS json)) WITH ORDINALITY AS e (value, ordinality)) AS json_each`,
  jsonIntegers: (param) =>
    `(SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(${param} AS json)))`,
  jsonTexts: (param) => `(SELECT value FROM json_array_elements_text(CAST(${param} AS json)))`,
  jsonScalar: (expression) => `(CAST(${expression} AS json) #>> '{}')`,
  jsonText: (expression, key) => `(CAST(${expression} AS json) ->> '${fieldName(key)}')`,
  insertionOrder: 'ctid',
  orderedJoin: 'JOIN',
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  least: (a, b) => `LEAST(${a}, ${b})`,
};
