import { ApiError, errorMessage } from '$lib/api';

/** A refusal as a person reads it: the API's message, and the fields it names when it names any. */
export function problemText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return 'Only supervisors and admins may change this.';
    const issues = err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
    return issues.length && !issues.every((i) => err.message.includes(i)) ? `${err.message} (${issues.join('; ')})` : err.message;
  }
  return errorMessage(err);
}

/** A whole number typed in a form field, or null when the field is empty. */
export function wholeNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
