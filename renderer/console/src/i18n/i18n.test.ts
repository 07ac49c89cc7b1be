/**
 * (a) The two language files agree: same keys, no empty text, same {{variables}}.
 * (b) No hard-coded UI text in any .tsx file under renderer/: JSX text with a letter (Latin, CJK or
 *     any other script), and string literals in title / placeholder / aria-label / alt / label
 *     attributes, are errors. Such text must come from t().
 *
 * Runs under Node (vitest, environment node). Sources are read with Vite's import.meta.glob so the
 * test needs no Node typings in the web tsconfig.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { en } from './locales/en.js';
import { zhCN } from './locales/zh-CN.js';

// ---------------------------------------------------------------------------------------------
// (a) resources

type Tree = { readonly [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

function variables(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1] as string).sort();
}

const resources = { en: flatten(en), 'zh-CN': flatten(zhCN) };

describe('translation resources', () => {
  it('have exactly the same keys in zh-CN and en', () => {
    const enKeys = [...resources.en.keys()].sort();
    const zhKeys = [...resources['zh-CN'].keys()].sort();
    expect(
      zhKeys.filter((key) => !resources.en.has(key)),
      'keys only in zh-CN',
    ).toEqual([]);
    expect(
      enKeys.filter((key) => !resources['zh-CN'].has(key)),
      'keys only in en',
    ).toEqual([]);
    expect(enKeys.length).toBeGreaterThan(100);
  });

  it('have no empty values', () => {
    for (const [language, entries] of Object.entries(resources)) {
      const empty = [...entries].filter(([, value]) => value.trim() === '').map(([key]) => key);
      expect(empty, `empty values in ${language}`).toEqual([]);
    }
  });

  it('use the same {{variables}} in both languages', () => {
    const mismatched = [...resources.en]
      .filter(
        ([key, value]) =>
          variables(value).join() !== variables(resources['zh-CN'].get(key) ?? '').join(),
      )
      .map(([key]) => key);
    expect(mismatched).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// (b) hard-coded UI text

const TEXT_ATTRIBUTES = new Set(['title', 'placeholder', 'aria-label', 'alt', 'label']);
const LETTER = /\p{L}/u;

interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** String literals in an attribute's value, skipping call arguments: `t('key')` is fine. */
function literalsOutsideCalls(node: ts.Node, found: ts.Node[]): void {
  if (ts.isCallExpression(node)) return;
  if (
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isTemplateExpression(node)
  ) {
    found.push(node);
    return;
  }
  ts.forEachChild(node, (child) => literalsOutsideCalls(child, found));
}

function literalText(node: ts.Node): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('');
  return '';
}

function findHardCodedText(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const findings: Finding[] = [];
  const report = (node: ts.Node, text: string, why: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    findings.push({ file, line: line + 1, text: text.trim(), why });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && LETTER.test(node.text)) {
      report(node, node.text, 'JSX text');
    } else if (
      ts.isJsxExpression(node) &&
      node.expression &&
      (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))
    ) {
      // {'Save'} or {`Save`} as a child is JSX text in disguise.
      const text = literalText(node.expression);
      if (LETTER.test(text)) report(node, text, 'string literal as JSX child');
    } else if (
      ts.isJsxAttribute(node) &&
      TEXT_ATTRIBUTES.has(node.name.getText(sf)) &&
      node.initializer
    ) {
      const literals: ts.Node[] = [];
      literalsOutsideCalls(node.initializer, literals);
      for (const literal of literals) {
        const text = literalText(literal);
        if (text.trim() !== '')
          report(literal, text, `string literal in ${node.name.getText(sf)}=`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

// Every .tsx file under renderer/ (this file is renderer/console/src/i18n/i18n.test.ts).
const sources = import.meta.glob<string>('../../../**/*.tsx', {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('no hard-coded UI text in .tsx files', () => {
  it('finds the renderer sources', () => {
    const files = Object.keys(sources);
    expect(files.some((file) => file.endsWith('/app/App.tsx'))).toBe(true);
    expect(files.length).toBeGreaterThan(20);
  });

  it('every user-visible text comes from t()', () => {
    const findings = Object.entries(sources).flatMap(([file, source]) =>
      findHardCodedText(file, source),
    );
    expect(findings.map((f) => `${f.file}:${f.line} ${f.why}: ${JSON.stringify(f.text)}`)).toEqual(
      [],
    );
  });

  it('the scanner catches what it should and lets t() and data through', () => {
    const bad = `
      export const A = () => (
        <div title="Close">
          <p>Hello</p>
          <p>你好</p>
          <input placeholder={'Name'} aria-label={\`Search \${x}\`} />
          <img alt={on ? 'On' : t('off')} />
          <option label="Label" />
          <span>{'Save'}</span>
        </div>
      );`;
    expect(findHardCodedText('bad.tsx', bad).map((f) => f.text)).toEqual([
      'Close',
      'Hello',
      '你好',
      'Name',
      'Search',
      'On',
      'Label',
      'Save',
    ]);

    const good = `
      export const B = () => (
        <div title={t('a.b')} aria-label={t('c', { n: 1 })}>
          <p>{t('x')}</p>
          <p> · {value} — {count}</p>
          <img alt="" src={src} />
          <span className={'mono'}>{' '}{call.number}</span>
        </div>
      );`;
    expect(findHardCodedText('good.tsx', good)).toEqual([]);
  });
});
