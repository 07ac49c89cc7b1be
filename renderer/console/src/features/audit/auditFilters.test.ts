import { describe, expect, it } from 'vitest';

import { AUDIT_ACTION_NAMES, AUDIT_KINDS } from '../../api/contract.js';
import { en } from '../../i18n/locales/en.js';
import { zhCN } from '../../i18n/locales/zh-CN.js';
import {
  actionsFor,
  auditFileName,
  auditFilterParams,
  detailsText,
  exportAudit,
  NO_AUDIT_FILTERS,
} from './auditFilters.js';

type Tree = { readonly [key: string]: string | Tree };

function lookup(tree: Tree, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], tree);
}

describe('the Audit page', () => {
  it('names every action and kind in both languages', () => {
    for (const messages of [en, zhCN] as unknown as Tree[]) {
      for (const action of AUDIT_ACTION_NAMES)
        expect(typeof lookup(messages, `audit.actions.${action}`), action).toBe('string');
      for (const kind of AUDIT_KINDS)
        expect(typeof lookup(messages, `audit.kinds.${kind}`), kind).toBe('string');
    }
  });

  it('turns the toolbar into API params: trimmed, whole local days, an action of another kind dropped', () => {
    expect(auditFilterParams(NO_AUDIT_FILTERS)).toEqual({});
    const params = auditFilterParams({
      actor: ' ana ',
      kind: 'trunks',
      action: 'trunks.update',
      subject: ' main ',
      fromDate: '2026-11-27',
      toDate: '2026-11-01',
    });
    expect(params).toEqual({
      actor: 'ana',
      kind: 'trunks',
      action: 'trunks.update',
      subject: 'main',
      from: new Date(2026, 10, 1).getTime(),
      to: new Date(2026, 10, 28).getTime(),
    });
    expect(
      auditFilterParams({ ...NO_AUDIT_FILTERS, kind: 'dnc', action: 'trunks.update' }),
    ).toEqual({ kind: 'dnc' });
    expect(actionsFor('dnc')).toEqual(['dnc.add', 'dnc.remove']);
    expect(actionsFor(null)).toEqual(AUDIT_ACTION_NAMES);
  });

  it('shows details on one line and names the file by the range', () => {
    expect(detailsText({ mode: 'listen', changed: ['uri'], n: 3 })).toBe(
      'mode: listen · changed: ["uri"] · n: 3',
    );
    const now = new Date(2026, 10, 27, 15);
    expect(auditFileName(NO_AUDIT_FILTERS, now)).toBe('audit-2026-11-27.csv');
    expect(auditFileName({ ...NO_AUDIT_FILTERS, fromDate: '2026-11-01' }, now)).toBe(
      'audit-2026-11-01_2026-11-27.csv',
    );
  });

  it('exports page after page with `to` pinned at the start, up to its cap', async () => {
    const asked: Array<Record<string, unknown>> = [];
    const total = 5;
    const result = await exportAudit(
      { kind: 'trunks' },
      (params) => {
        asked.push(params);
        const offset = params.offset ?? 0;
        const rows = Math.min(params.limit ?? 1_000, total - offset);
        const next = offset + rows;
        return Promise.resolve({
          csv: `${offset === 0 ? 'header\n' : ''}${'row\n'.repeat(rows)}`,
          rows,
          total,
          nextOffset: next < total ? next : null,
        });
      },
      { now: 9_000, pageSize: 2, maxRows: 4 },
    );
    expect(asked).toEqual([
      { kind: 'trunks', to: 9_000, offset: 0, limit: 2 },
      { kind: 'trunks', to: 9_000, offset: 2, limit: 2 },
    ]);
    expect(result).toEqual({
      csv: '\uFEFFheader\nrow\nrow\nrow\nrow\n',
      rows: 4,
      total: 5,
      truncated: true,
    });
  });
});
