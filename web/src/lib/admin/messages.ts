/**
 * The API passes zod's own messages through (`ingest/http/errors.middleware.ts`), and zod's defaults read like
 * "Too small: expected string to have >=1 characters". This is the one place that puts them in words about the
 * field they sit under ("Name is required"). A message written in `core/schemas` ("expected 4 to 8 digits") is
 * already in words and only gets a capital letter; so do the API's own (409s and the like).
 */
const rules: [RegExp, (field: string, limit: string) => string][] = [
  [/^Too small: expected string to have >=1 characters?$/, (f) => `${f} is required`],
  [/^Invalid input: expected \w+, received (undefined|null|NaN)$/, (f) => `${f} is required`],
  [/^Too small: expected string to have >=(\d+) characters$/, (f, n) => `${f} needs at least ${n} characters`],
  [/^Too big: expected string to have <=(\d+) characters$/, (f, n) => `${f} can be at most ${n} characters long`],
  [/^Too small: expected array to have >=1 items?$/, (f) => `${f}: choose at least one`],
  [/^Too big: expected array to have <=(\d+) items$/, (f, n) => `${f}: at most ${n}`],
  [/^Too small: expected number to be >=(-?[\d.]+)$/, (f, n) => `${f} must be at least ${n}`],
  [/^Too small: expected number to be >(-?[\d.]+)$/, (f, n) => `${f} must be more than ${n}`],
  [/^Too big: expected number to be <=(-?[\d.]+)$/, (f, n) => `${f} must be at most ${n}`],
  [/^Too big: expected number to be <(-?[\d.]+)$/, (f, n) => `${f} must be less than ${n}`],
  [/^Invalid input: expected int, received number$/, (f) => `${f} must be a whole number`],
  [/^Invalid input: expected (number|int)\b/, (f) => `${f} must be a number`],
  [/^Invalid option: expected one of /, (f) => `${f}: choose one of the options offered`],
  [/^Invalid ISO date$/, (f) => `${f} must be a date`],
];

/** `message` as words about `field` (the field's label, or "This field"). */
export function inWords(message: string, field = 'This field'): string {
  for (const [pattern, words] of rules) {
    const match = pattern.exec(message);
    if (match) return words(field, match[1] ?? '');
  }
  return message.charAt(0).toUpperCase() + message.slice(1);
}
