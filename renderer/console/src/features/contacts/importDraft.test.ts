import { describe, expect, it } from 'vitest';

import type { ImportPreview } from '../../api/contract.js';
import {
  choiceOf,
  chunkRanges,
  draftFromPreview,
  draftProblems,
  fieldOf,
  type ImportDraft,
  listNameFromFile,
  toBase64,
  toCommitParams,
} from './importDraft.js';

const preview: ImportPreview = {
  id: 'abcdef12-3456',
  fileName: '客户名单.csv',
  bytes: 100,
  format: 'csv',
  encoding: 'gb18030',
  delimiter: ',',
  columns: [
    { header: '姓名', suggested: 'name', samples: ['王先生'] },
    { header: '手机号', suggested: 'phone', samples: ['13910000000'] },
    { header: '金额', suggested: 'amount', samples: ['100'] },
    { header: '地区', suggested: 'region', samples: ['北京'] },
    { header: 'x', suggested: '-', samples: [] },
  ],
  rows: [],
  rowEstimate: 20,
  rowEstimateExact: true,
  mappingProblem: null,
};

function draft(lists: string[] = ['春季回访']): ImportDraft {
  return draftFromPreview(preview, { region: 'CN', lists, fileName: preview.fileName });
}

describe('import draft', () => {
  it('preselects the engine’s suggestions', () => {
    expect(draft().columns.map((c) => [c.choice, c.customName])).toEqual([
      ['name', ''],
      ['phone', ''],
      ['custom', 'amount'],
      ['region', ''],
      ['ignore', ''],
    ]);
    expect(choiceOf('timeZone').choice).toBe('timeZone');
  });

  it('targets the first existing list, or a new list named after the file when there is none', () => {
    expect(draft()).toMatchObject({
      target: 'existing',
      existingList: '春季回访',
      newList: '客户名单',
    });
    expect(draft([])).toMatchObject({ target: 'new', existingList: '' });
    expect(listNameFromFile('Spring list.XLSX')).toBe('Spring list');
  });

  it('builds imports.commit’s params: every column by header, the list, the region in capitals', () => {
    const d = { ...draft(), region: ' us ' };
    expect(toCommitParams('abcdef12-3456', d)).toEqual({
      id: 'abcdef12-3456',
      list: '春季回访',
      createList: false,
      mapping: [
        { header: '姓名', field: 'name' },
        { header: '手机号', field: 'phone' },
        { header: '金额', field: 'amount' },
        { header: '地区', field: 'region' },
        { header: 'x', field: '-' },
      ],
      defaultRegion: 'US',
    });
    expect(
      toCommitParams('abcdef12-3456', { ...d, target: 'new', newList: ' 新名单 ' }),
    ).toMatchObject({ list: '新名单', createList: true });
  });

  it('finds what keeps the import from starting', () => {
    expect(draftProblems(draft(), ['春季回访'])).toEqual([]);
    const columns = draft().columns;
    const noPhone = {
      ...draft(),
      columns: columns.map((c) => (c.choice === 'phone' ? { ...c, choice: 'ignore' as const } : c)),
    };
    expect(draftProblems(noPhone, [])).toEqual([{ kind: 'noPhone' }]);
    const twoPhones = {
      ...draft(),
      columns: columns.map((c, i) => (i === 0 ? { ...c, choice: 'phone' as const } : c)),
    };
    expect(draftProblems(twoPhones, [])).toEqual([
      { kind: 'twoPhones', columns: ['姓名', '手机号'] },
    ]);
    const badName = {
      ...draft(),
      columns: columns.map((c, i) => (i === 2 ? { ...c, customName: 'amount due' } : c)),
    };
    expect(draftProblems(badName, [])).toEqual([{ kind: 'customName', column: 2 }]);
    const twice = {
      ...draft(),
      columns: columns.map((c, i) =>
        i === 4 ? { ...c, choice: 'custom' as const, customName: 'amount' } : c,
      ),
    };
    expect(draftProblems(twice, [])).toEqual([
      { kind: 'duplicateField', column: 4, field: 'amount' },
    ]);
    expect(draftProblems({ ...draft(), target: 'new', newList: '春季回访' }, ['春季回访'])).toEqual(
      [{ kind: 'listExists' }],
    );
    expect(draftProblems({ ...draft(), target: 'new', newList: '  ' }, [])).toEqual([
      { kind: 'list' },
    ]);
    expect(draftProblems({ ...draft(), region: 'CHN' }, [])).toEqual([{ kind: 'region' }]);
    expect(fieldOf({ header: 'a', choice: 'custom', customName: ' vip ', samples: [] })).toBe(
      'vip',
    );
  });

  it('cuts a file into chunk ranges and encodes bytes as base64', () => {
    expect(chunkRanges(0, 4)).toEqual([]);
    expect(chunkRanges(10, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    const bytes = new Uint8Array(20_000).map((_, i) => (i * 7) % 256);
    const decoded = Uint8Array.from(atob(toBase64(bytes)), (c) => c.charCodeAt(0));
    expect(decoded).toEqual(bytes);
    expect(toBase64(new TextEncoder().encode('电话'))).toBe('55S16K+d');
  });
});
