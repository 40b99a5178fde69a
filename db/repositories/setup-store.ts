import type { DataSource, EntityManager, EntityTarget } from 'typeorm';
import type { SetupEntity } from '../../core/cluster/committed-change.js';
import { AppError } from '../../core/errors.js';
import type { Actor, AuditRepository } from './audit.repository.js';
import { findOr404, saveUnique } from './crud.js';

export interface SetupStoreOptions<T extends { id: number }> {
  entity: EntityTarget<T>;
  /** "Group", "Machine": used in messages. */
  what: string;
  /** Audit entity name: `group` → actions `group.create`, `group.update`, `group.delete`. */
  auditName: SetupEntity;
  /** The message of a 409 when a unique column clashes. */
  duplicateMessage: (row: T) => string;
  /** Checks references before a write (unknown group id → 400). */
  validate?: (tx: EntityManager, row: T) => Promise<void>;
  /** What still uses the row (→ 409 on delete), or null. */
  usage?: (tx: EntityManager, row: T) => Promise<AppError | null>;
  /** Undeletable rows (e.g. activity codes, which history refers to). */
  deletable?: boolean;
  machineIdOf?: (row: T) => number | null;
  /** Rows outside this filter do not exist for the API (e.g. retired users). */
  where?: Record<string, unknown>;
}

/**
 * Create / read / update / delete of one set-up resource, each write in a transaction with its audit
 * entry. Every set-up resource of docs/api.md is one of these with its own rules.
 */
export class SetupStore<T extends { id: number }> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
    private readonly options: SetupStoreOptions<T>,
    /** Told after each committed write (the change feed's `setup` changes). */
    private readonly onChange: (entity: SetupEntity, id: number) => void = () => undefined,
  ) {}

  list(): Promise<T[]> {
    return this.dataSource.manager.find(this.options.entity, { where: (this.options.where ?? {}) as never, order: { id: 'ASC' } as never });
  }

  get(id: number): Promise<T> {
    return findOr404(this.dataSource.manager, this.options.entity, id, this.options.what, this.options.where);
  }

  async create(actor: Actor, input: Partial<T>, manager?: EntityManager): Promise<T> {
    const run = async (tx: EntityManager) => {
      const row = tx.create(this.options.entity, input as never) as T;
      await this.options.validate?.(tx, row);
      const saved = await saveUnique(tx, this.options.entity, row, this.options.duplicateMessage(row));
      await this.audit.record(tx, actor, {
        action: `${this.options.auditName}.create`,
        entity: this.options.auditName,
        entityId: saved.id,
        machineId: this.options.machineIdOf?.(saved) ?? null,
        after: saved,
      });
      return saved;
    };
    if (manager) return run(manager); // the caller's transaction: the caller announces
    const saved = await this.dataSource.transaction(run);
    this.onChange(this.options.auditName, saved.id);
    return saved;
  }

  /** `action`: the audit action's suffix, when the edit is not a plain update (`tablet.token-reissue`). */
  async update(actor: Actor, id: number, input: Partial<T>, action = 'update'): Promise<T> {
    const saved = await this.dataSource.transaction(async (tx) => {
      const row = await findOr404(tx, this.options.entity, id, this.options.what, this.options.where);
      const before = structuredClone(row);
      for (const [key, value] of Object.entries(input)) {
        if (value !== undefined) (row as Record<string, unknown>)[key] = value;
      }
      await this.options.validate?.(tx, row);
      const saved = await saveUnique(tx, this.options.entity, row, this.options.duplicateMessage(row));
      await this.audit.record(tx, actor, {
        action: `${this.options.auditName}.${action}`,
        entity: this.options.auditName,
        entityId: id,
        machineId: this.options.machineIdOf?.(saved) ?? null,
        before,
        after: saved,
      });
      return saved;
    });
    this.onChange(this.options.auditName, id);
    return saved;
  }

  async delete(actor: Actor, id: number): Promise<void> {
    if (this.options.deletable === false)
      throw new AppError('conflict', 409, `${this.options.what} cannot be deleted; deactivate it instead`);
    await this.dataSource.transaction(async (tx) => {
      const row = await findOr404(tx, this.options.entity, id, this.options.what, this.options.where);
      const conflict = await this.options.usage?.(tx, row);
      if (conflict) throw conflict;
      await tx.delete(this.options.entity, { id } as never);
      await this.audit.record(tx, actor, {
        action: `${this.options.auditName}.delete`,
        entity: this.options.auditName,
        entityId: id,
        machineId: this.options.machineIdOf?.(row) ?? null,
        before: row,
      });
    });
    this.onChange(this.options.auditName, id);
  }
}

/** 400 with an issue at `field` when a referenced id does not exist. */
export async function requireReference(
  tx: EntityManager,
  entity: EntityTarget<{ id: number }>,
  id: number | null | undefined,
  field: string,
  what: string,
): Promise<void> {
  if (id === null || id === undefined) return;
  if (!(await tx.existsBy(entity, { id }))) {
    throw AppError.invalid(`Unknown ${what} ${id}`, [{ path: [field], message: `no ${what} with id ${id}` }]);
  }
}
