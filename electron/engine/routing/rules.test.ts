import { describe, expect, it } from 'vitest';

import { AgentTransitionError, assertAgentTransition, canAgentTransition } from './agent-states.js';
import { checkRules, firstMatch, type Rule, ruleMatches } from './rules.js';

const DEFAULTS: Rule[] = [
  { field: 'vip_level', operator: '>', value: '3', queue: 'priority' },
  { field: 'tags', operator: 'has_tag', value: 'complaint', queue: 'complaint' },
];

describe('routing rules', () => {
  it('route by the default rules in order: vip_level > 3 (numerically), then the complaint tag, else nothing', () => {
    expect(firstMatch(DEFAULTS, { vip_level: 5 })).toEqual({ queue: 'priority', rule: 1 });
    expect(firstMatch(DEFAULTS, { vip_level: '10' })?.queue).toBe('priority'); // "10" > 3 as a number, not as text
    expect(firstMatch(DEFAULTS, { vip_level: 3 })).toBeNull();
    expect(firstMatch(DEFAULTS, { vip_level: '3.5', tags: 'complaint' })?.queue).toBe('priority'); // first match wins
    expect(firstMatch(DEFAULTS, { vip_level: 2, tags: 'new; Complaint' })?.queue).toBe('complaint');
    expect(firstMatch(DEFAULTS, { tags: ['late', 'complaint'] })?.queue).toBe('complaint');
    expect(firstMatch(DEFAULTS, { tags: '老客户，complaint' })?.queue).toBe('complaint'); // full-width comma
    expect(firstMatch(DEFAULTS, { tags: 'complaints' })).toBeNull(); // a tag, not a substring
    expect(firstMatch(DEFAULTS, { name: 'Ann' })).toBeNull();
  });

  it('a field that is not a number never matches a numeric comparison; = and != compare numbers or text', () => {
    expect(
      ruleMatches({ field: 'vip_level', operator: '>', value: '3' }, { vip_level: 'gold' }),
    ).toBe(false);
    expect(ruleMatches({ field: 'vip_level', operator: '>', value: '3' }, { vip_level: '' })).toBe(
      false,
    );
    expect(
      ruleMatches({ field: 'vip_level', operator: '<=', value: '3' }, { vip_level: ' 3 ' }),
    ).toBe(true);
    expect(ruleMatches({ field: 'amount', operator: '=', value: '4' }, { amount: '4.0' })).toBe(
      true,
    );
    expect(
      ruleMatches({ field: 'city', operator: '=', value: 'beijing' }, { city: 'Beijing' }),
    ).toBe(true);
    expect(
      ruleMatches({ field: 'city', operator: '!=', value: 'beijing' }, { city: 'Shanghai' }),
    ).toBe(true);
    expect(
      ruleMatches(
        { field: 'note', operator: 'contains', value: 'refund' },
        { note: 'Wants a REFUND now' },
      ),
    ).toBe(true);
  });

  it('checks a rule set before saving: unknown queues and numeric operators over text, by rule index and field', () => {
    const issues = checkRules(
      [
        { field: 'vip_level', operator: '>', value: 'high', queue: 'priority' },
        { field: 'tags', operator: 'has_tag', value: 'x', queue: 'nowhere' },
      ],
      new Set(['default', 'priority']),
    );
    expect(issues.map((i) => i.field)).toEqual(['rules.0.value', 'rules.1.queue']);
    expect(issues[1]?.message).toContain('"nowhere"');
    expect(checkRules(DEFAULTS, new Set(['priority', 'complaint']))).toEqual([]);
  });
});

describe('agent status transitions', () => {
  it('follow available → offered → on_call → wrap_up → available and refuse shortcuts', () => {
    expect(canAgentTransition('offline', 'available')).toBe(true);
    expect(canAgentTransition('available', 'offered')).toBe(true);
    expect(canAgentTransition('offered', 'on_call')).toBe(true);
    expect(canAgentTransition('offered', 'available')).toBe(true); // declined or expired
    expect(canAgentTransition('on_call', 'wrap_up')).toBe(true);
    expect(canAgentTransition('wrap_up', 'available')).toBe(true);
    expect(canAgentTransition('away', 'offered')).toBe(false);
    expect(canAgentTransition('offline', 'on_call')).toBe(false);
    expect(() => assertAgentTransition(7, 'on_call', 'available')).toThrow(AgentTransitionError);
    expect(() => assertAgentTransition(7, 'on_call', 'available')).toThrow(
      /finish that call first/,
    );
  });
});
