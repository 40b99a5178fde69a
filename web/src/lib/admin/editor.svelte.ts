import { invalidate } from '$app/navigation';
import { tick } from 'svelte';
import { errorMessage, request } from '$lib/api';
import { FormState } from './form.svelte';
import { ADMIN_DATA } from './load';

/** A line under one table row: the outcome of that row's delete, pairing or logout. */
export interface RowMessage {
  id: number;
  text: string;
  error: boolean;
}

/** Loads the page's data again (every admin load depends on it) after a write. */
export const reload = () => invalidate(ADMIN_DATA);

/**
 * What every admin list page does around its table and form: which row the form edits, the draft being
 * typed, the form's errors, and a message under one row. `path` is the collection below `/api/v1`.
 */
export class Editor<Row extends { id: number }, Draft> {
  editingId = $state<number | null>(null);
  draft: Draft;
  rowMessage = $state<RowMessage | null>(null);
  /** Focused when the form opens for a row or a new one. */
  input = $state<HTMLElement | null>(null);
  readonly form: FormState;

  constructor(
    private readonly options: { path: string; rows: () => Row[]; blank: () => Draft; fromRow?: (row: Row) => Draft; fields?: string[] },
  ) {
    this.draft = $state(options.blank());
    this.form = new FormState(options.fields);
  }

  /** The row being edited, as last loaded. */
  get editing(): Row | null {
    return this.options.rows().find((r) => r.id === this.editingId) ?? null;
  }

  async edit(row: Row | null): Promise<void> {
    this.editingId = row?.id ?? null;
    this.draft = row && this.options.fromRow ? this.options.fromRow(row) : this.options.blank();
    this.form.reset();
    await tick();
    this.input?.focus();
  }

  /** POST a new row or PATCH the edited one, then reload; the saved row, or null when the API refused. */
  async save<T = Row>(body: unknown, success: (saved: T) => string): Promise<T | null> {
    const id = this.editingId;
    let saved: T | undefined;
    const ok = await this.form.run(
      async () => {
        saved = await request<T>(id === null ? 'POST' : 'PATCH', id === null ? this.options.path : `${this.options.path}/${id}`, { body });
        await reload();
      },
      () => success(saved!),
    );
    return ok ? saved! : null;
  }

  async remove(row: Row, success: string): Promise<void> {
    await this.rowAction(row, async () => {
      await request('DELETE', `${this.options.path}/${row.id}`);
      if (this.editingId === row.id) await this.edit(null);
      this.form.success = success;
    });
  }

  /** An action on one row; a failure shows under the row, a success there too when `success` says it. */
  async rowAction(
    row: Row,
    action: () => Promise<unknown>,
    success?: () => string,
    failure: (err: unknown) => string = errorMessage,
  ): Promise<void> {
    this.rowMessage = null;
    try {
      await action();
      await reload();
      if (success) this.rowMessage = { id: row.id, text: success(), error: false };
    } catch (err) {
      this.rowMessage = { id: row.id, text: failure(err), error: true };
    }
  }
}
