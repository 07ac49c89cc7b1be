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

/** One sentence group of a prompt: said as its own clip. */
export interface PromptPart {
  text: string;
  /** Holds {variables} (the contact's data), so it is rendered for the call only. */
  personal: boolean;
}

/** A sentence ends at . ! ? … (then a space and a capital, digit or non-Latin letter) or at 。！？. */
const SENTENCE_END = /[.!?…]+["')\]]*\s+(?=[\p{Lu}\p{N}\p{Script=Han}])|[。！？]+["'”’）)]*\s*/gu;
/** Abbreviations whose dot ends no sentence ("Mr. Smith"). */
const ABBREVIATION = /\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|No|vs|etc|e\.g|i\.e)\.$/i;

/**
 * A prompt with {variables} in sentence groups, so the bot can start the first while it renders
 * the rest, and render the sentences without contact data through the shared prompt cache: each
 * sentence that holds a variable is its own part; consecutive sentences without one form one
 * part. Parts with no letter or digit (a variable left empty) are left out. A prompt without
 * variables is one part.
 */
export function promptParts(
  template: string,
  lookup: (name: string) => Literal | undefined,
): PromptPart[] {
  const sentences: string[] = [];
  let start = 0;
  for (const match of template.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length;
    const sentence = template.slice(start, end);
    if (ABBREVIATION.test(sentence.trimEnd().replace(/["')\]]+$/, ''))) continue;
    sentences.push(sentence);
    start = end;
  }
  if (start < template.length) sentences.push(template.slice(start));
  const parts: Array<{ template: string; personal: boolean }> = [];
  for (const sentence of sentences) {
    const personal = templateVariables(sentence).length > 0;
    const last = parts.at(-1);
    if (last && !personal && !last.personal) last.template += sentence;
    else parts.push({ template: sentence, personal });
  }
  return parts
    .map((part) => ({
      text: renderTemplate(part.template, lookup).text.trim(),
      personal: part.personal,
    }))
    .filter((part) => /[\p{L}\p{N}]/u.test(part.text)); // nothing to say in '' or '.'
}
