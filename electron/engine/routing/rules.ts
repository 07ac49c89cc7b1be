/**
 * Routing rules over a contact's fields, evaluated in order: the first rule that matches names the
 * queue; none matching means the "default" queue. Pure, so the same code checks a rule set when it
 * is saved and routes a call.
 *
 * - `>`, `>=`, `<`, `<=` compare numbers (a field "5" or 5 is the number 5; a field that is not a
 *   number never matches); `=` and `!=` compare numbers when both sides are numbers, else text
 *   (case-insensitive);
 * - `has_tag`: the field is a list of tags, or text separated by commas or semicolons (ASCII or
 *   full-width); tags compare case-insensitively;
 * - `contains`: the field's text contains the value (case-insensitive).
 */
import type { RoutingRuleOperator } from '../api/routing.js';

export interface Rule {
  field: string;
  operator: RoutingRuleOperator;
  value: string;
  queue: string;
}

export type ContactFields = Readonly<Record<string, unknown>>;

const NUMERIC = new Set<RoutingRuleOperator>(['>', '>=', '<', '<=']);

/** The number a field or rule value stands for, or null (empty text, not a number, NaN). */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
}

export function tagsOf(value: unknown): string[] {
  const items = Array.isArray(value)
    ? value.map((v) => String(v))
    : typeof value === 'string' || typeof value === 'number'
      ? String(value).split(/[,;，；]/)
      : [];
  return items.map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
}

export function ruleMatches(rule: Omit<Rule, 'queue'>, fields: ContactFields): boolean {
  const actual = fields[rule.field];
  if (actual === undefined || actual === null || actual === '') return false;
  const wanted = rule.value.trim();
  if (rule.operator === 'has_tag') return tagsOf(actual).includes(wanted.toLowerCase());
  if (rule.operator === 'contains')
    return (Array.isArray(actual) ? actual.join(',') : String(actual))
      .toLowerCase()
      .includes(wanted.toLowerCase());
  const a = asNumber(actual);
  const b = asNumber(wanted);
  if (NUMERIC.has(rule.operator)) {
    if (a === null || b === null) return false;
    switch (rule.operator) {
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      case '<':
        return a < b;
      default:
        return a <= b;
    }
  }
  const equal =
    a !== null && b !== null
      ? a === b
      : String(actual).trim().toLowerCase() === wanted.toLowerCase();
  return rule.operator === '=' ? equal : !equal;
}

/** The first matching rule's queue, or null when no rule matches. */
export function firstMatch(
  rules: readonly Rule[],
  fields: ContactFields,
): { queue: string; rule: number } | null {
  for (const [i, rule] of rules.entries())
    if (ruleMatches(rule, fields)) return { queue: rule.queue, rule: i + 1 };
  return null;
}

export interface RuleIssue {
  /** e.g. rules.2.value */
  field: string;
  message: string;
}

/** Problems of a rule set before it is saved: unknown queues, numeric operators over non-numbers. */
export function checkRules(rules: readonly Rule[], queueNames: ReadonlySet<string>): RuleIssue[] {
  const issues: RuleIssue[] = [];
  rules.forEach((rule, i) => {
    if (!queueNames.has(rule.queue))
      issues.push({
        field: `rules.${i}.queue`,
        message: `no queue is named "${rule.queue}" (queues: ${[...queueNames].join(', ')})`,
      });
    if (NUMERIC.has(rule.operator) && asNumber(rule.value) === null)
      issues.push({
        field: `rules.${i}.value`,
        message: `"${rule.value}" is not a number, which "${rule.operator}" compares`,
      });
  });
  return issues;
}
