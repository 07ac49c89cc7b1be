/** `{variable}` substitution in prompts, and picking a prompt's text in the flow's language. */
import type { FlowLanguage, Literal, PromptText } from './schema.js';

const VARIABLE = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function promptIn(text: PromptText, language: FlowLanguage): string {
  if (typeof text === 'string') return text;
  // Validation guarantees the flow's language is present; the other is a last resort.
  return text[language] ?? text.en ?? text['zh-CN'] ?? '';
}

/** Substitutes `{name}` from the variables; unknown names become '' and are reported. */
export function renderTemplate(
  template: string,
  lookup: (name: string) => Literal | undefined,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = template.replace(VARIABLE, (_, name: string) => {
    const value = lookup(name);
    if (value === undefined || value === null) {
      missing.push(name);
      return '';
    }
    return String(value);
  });
  return { text, missing };
}

/** The variable names a template refers to. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(VARIABLE)].map((m) => m[1] ?? '');
}
