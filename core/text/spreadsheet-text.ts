/**
 * Spreadsheets run a cell as a formula when its text starts with `=`, `+`, `-` or `@` (OWASP "CSV
 * injection"), and some of them first skip leading blanks or read the full-width forms (＝＋－＠) as the
 * ASCII ones. A tab or carriage return at the start is refused by the same rule: LibreOffice splits on it.
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/;

export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/** The text as a spreadsheet shows it and never runs it: a leading apostrophe where it could be a formula. */
export function spreadsheetSafeText(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}
