import type { ErrorIssue } from '../errors.js';

/** Deepest nesting of arrays and objects any request body or socket payload may have. */
export const MAX_JSON_DEPTH = 32;

/** NUL and unpaired UTF-16 surrogates cannot be stored as PostgreSQL text: refused at every edge. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this finds
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const MAX_ISSUES = 10;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether raw JSON text nests arrays and objects deeper than `max`, read in one pass without parsing
 * (brackets inside strings do not count). Checked before JSON.parse, which recurses and can exhaust the
 * stack on very deep input.
 */
export function jsonNestsDeeperThan(raw: Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * Problems that would make a parsed value unstorable: NUL or broken Unicode in a string or a key, or
 * nesting deeper than MAX_JSON_DEPTH. One walk, linear in the size of the value: the path is a stack
 * and is copied only into an issue. At most ten issues.
 */
export function unstorableTextIssues(value: unknown, prefix: (string | number)[] = []): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const path = [...prefix];
  const visit = (v: unknown, depth: number): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) issues.push({ path: [...path], message: 'contains a NUL character or broken Unicode' });
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (depth >= MAX_JSON_DEPTH) {
      issues.push({ path: [...path], message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && issues.length < MAX_ISSUES; i++) {
        path.push(i);
        visit(v[i], depth + 1);
        path.pop();
      }
      return;
    }
    for (const key of Object.keys(v)) {
      if (issues.length >= MAX_ISSUES) return;
      path.push(key);
      if (UNSTORABLE.test(key)) issues.push({ path: [...path], message: 'a key contains a NUL character or broken Unicode' });
      visit((v as Record<string, unknown>)[key], depth + 1);
      path.pop();
    }
  };
  visit(value, 0);
  return issues;
}
