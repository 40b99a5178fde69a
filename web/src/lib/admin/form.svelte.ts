import { ApiError, errorMessage, type ApiIssue } from './api';

const joined = (path: (string | number)[]) => path.join('.');

/**
 * One form's saving state and its API errors. A 400's `issues` are shown next to the fields they name
 * (`fieldError('name')`, `fieldError('shifts.0.start')`); issues and messages no field claims go to the
 * form's alert. A 409 about a duplicate name goes next to the name field.
 */
export class FormState {
  saving = $state(false);
  message = $state<string | null>(null);
  issues = $state<ApiIssue[]>([]);
  success = $state<string | null>(null);
  /** Where a 409 "already exists" message belongs. */
  conflictField: string | null;

  /** `fields`: the keys this form shows errors for; a key claims its nested paths too. */
  constructor(
    private readonly fields: string[],
    options: { conflictField?: string | null } = {},
  ) {
    this.conflictField = options.conflictField ?? fields[0] ?? null;
  }

  /** The messages for exactly this key (or, with `deep`, anything under it), joined. */
  fieldError(key: string, deep = false): string | undefined {
    const hits = this.issues.filter((i) => joined(i.path) === key || (deep && joined(i.path).startsWith(key + '.')));
    return hits.length ? hits.map((i) => i.message).join('; ') : undefined;
  }

  /** Issues that no field of the form shows. */
  get unclaimed(): ApiIssue[] {
    return this.issues.filter((i) => !this.fields.some((f) => joined(i.path) === f || joined(i.path).startsWith(f + '.')));
  }

  reset(): void {
    this.message = null;
    this.issues = [];
    this.success = null;
  }

  /** Runs a save; true when it worked. */
  async run(action: () => Promise<unknown>, success: string | (() => string)): Promise<boolean> {
    if (this.saving) return false;
    this.saving = true;
    this.reset();
    try {
      await action();
      this.success = typeof success === 'string' ? success : success();
      return true;
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 409 && this.conflictField && /already exists/i.test(err.message)) {
          this.issues = [{ path: this.conflictField.split('.'), message: err.message }];
        } else {
          this.issues = err.issues;
          this.message = err.issues.length && err.status === 400 ? 'Please correct the highlighted fields.' : err.message;
        }
      } else {
        this.message = errorMessage(err);
      }
      return false;
    } finally {
      this.saving = false;
    }
  }
}

/** A list loaded from the API, with its loading error. */
export class Loader<T> {
  value = $state<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);

  constructor(private readonly fetcher: () => Promise<T>) {}

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.value = await this.fetcher();
      this.error = null;
    } catch (err) {
      this.error = errorMessage(err);
    } finally {
      this.loading = false;
    }
  }
}
