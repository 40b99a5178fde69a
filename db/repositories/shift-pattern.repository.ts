import type { DataSource } from 'typeorm';
import { AppError } from '../../core/errors.js';
import { ShiftPatternEntity } from '../entities/index.js';
import type { Actor, AuditRepository } from './audit.repository.js';
import { saveUnique } from './crud.js';

/**
 * Edits of a shift pattern that keep its versions (docs/oee.md#shift-pattern-versions): the row is
 * locked while the edit is worked out from it, so two edits at once each build on the other's
 * versions instead of dropping them. Create, list and delete are the set-up store's (setup-stores.ts).
 */
export class ShiftPatternRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
    /** Told after each committed write (the change feed's `setup` changes). */
    private readonly onChange: (entity: 'shift-pattern', id: number) => void = () => undefined,
  ) {}

  /**
   * Changes pattern `id` (404 when unknown) to what `edit` makes of the locked row, in one transaction
   * with its audit entry; a name another pattern has is a 409. Returns the row before and after.
   */
  async update(
    actor: Actor,
    id: number,
    edit: (row: ShiftPatternEntity) => Partial<ShiftPatternEntity>,
  ): Promise<{ before: ShiftPatternEntity; after: ShiftPatternEntity }> {
    const result = await this.dataSource.transaction(async (tx) => {
      const row = await tx.findOne(ShiftPatternEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw AppError.notFound('Shift pattern');
      const before = structuredClone(row);
      Object.assign(row, edit(row));
      const after = await saveUnique(tx, ShiftPatternEntity, row, `A shift pattern named "${row.name}" already exists`);
      await this.audit.record(tx, actor, {
        action: 'shift-pattern.update',
        entity: 'shift-pattern',
        entityId: id,
        machineId: null,
        before,
        after,
      });
      return { before, after };
    });
    this.onChange('shift-pattern', id);
    return result;
  }
}
