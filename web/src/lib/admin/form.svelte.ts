import { getContext, setContext } from 'svelte';
import { ApiError, errorMessage, type ApiIssue } from '$lib/api';
import { inWords } from './messages';

const joined = (path: (string | number)[]) => path.join('.');

/**
 * One form's saving state and its API errors. A 400's `issues` are shown next to the fields they name
 * (`fieldError('name')`, `fieldError('shifts.0.start')`); issues and messages no field claims go to the
 * form's alert. A 409 about a duplicate name goes next to the first field (the name).
 */
export class FormState {
  saving = $state(false);
  message = $state<string | null>(null);
  issues = $state<ApiIssue[]>([]);
  success = $state<string | null>(null);

  /** The first field of the form, where a 409 "already exists" goes. */
  private nameField: string | null = null;

  /** `fields`: keys whose errors the page shows itself; every `Field` claims its own. A key claims its nested paths too. */
  constructor(private readonly fields: string[] = []) {}

  claim(key: string): void {
    this.nameField ??= key;
    if (!this.fields.includes(key)) this.fields.push(key);
  }

  /**
   * The messages for exactly this key (or, with `deep`, anything under it), in words about `label`, joined. An
   * empty field gets only "… is required": the rules it also breaks (the characters of a username) say nothing then.
   */
  fieldError(key: string, label?: string, deep = false): string | undefined {
    const hits = this.issues.filter((i) => joined(i.path) === key || (deep && joined(i.path).startsWith(key + '.')));
    const words = hits.map((i) => inWords(i.message, label)).filter((w, i, all) => all.indexOf(w) === i);
    const required = words.filter((w) => w.endsWith(' is required'));
    return words.length ? (required.length ? required : words).join('; ') : undefined;
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
        if (err.status === 409 && this.nameField && /already exists/i.test(err.message)) {
          this.issues = [{ path: this.nameField.split('.'), message: err.message }];
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

/** `AdminForm` hands its form to the `Field`s inside it. */
const FORM = Symbol('admin form');
export const provideForm = (form: FormState) => setContext(FORM, form);
export const currentForm = () => getContext<FormState>(FORM);
