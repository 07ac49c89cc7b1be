/**
 * CSV injection guard for every CSV file the engine writes (History's export, an import's rejected
 * rows). Spreadsheets (Excel, LibreOffice Calc, Google Sheets) read a cell that starts with `=`,
 * `+`, `-` or `@` as a formula, and a leading tab or carriage return can hide one; text from an
 * imported file or a caller (names, notes, transcripts, a row's raw text) could then run
 * `=HYPERLINK(…)`, `=WEBSERVICE(…)` or DDE (`+cmd|…`) on the machine of whoever opens the export.
 * OWASP's rule: such a cell is prefixed with a single quote, which spreadsheets take as "this is
 * text" (https://owasp.org/www-community/attacks/CSV_Injection).
 *
 * Phone numbers go through the same rule: an E.164 number `+8613800138000` is exported as
 * `'+8613800138000`. Excel shows it as the text `+8613800138000` (without the guard it would read
 * it as the number 8.6138E+12 and drop the `+`); a script reading the file sees the quote mark.
 * One rule for every cell keeps a new column from being forgotten.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as written: prefixed with `'` when a spreadsheet would read it as a formula. */
export function csvSafeCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
