import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { AppError } from '../../core/errors.js';
import { isUniqueViolation } from '../pg-errors.js';

/** Shared steps of the set-up repositories: find-or-404 and writes whose unique clash is a 409. */
export async function findOr404<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  id: number,
  what: string,
  where: Record<string, unknown> = {},
): Promise<T> {
  const row = await manager.findOneBy(entity, { ...where, id } as never);
  if (!row) throw AppError.notFound(what);
  return row;
}

export async function saveUnique<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  row: T,
  conflictMessage: string,
): Promise<T> {
  try {
    // A savepoint keeps the surrounding transaction usable after a unique violation.
    return await manager.transaction((tx) => tx.save(entity, row));
  } catch (err) {
    if (isUniqueViolation(err)) throw AppError.conflict(conflictMessage);
    throw err;
  }
}

/** "X is used by 2 machines (Press 1, Press 2)" for a 409 on delete. */
export function usedBy(what: string, users: { kind: string; names: string[] }[]): AppError | null {
  const parts = users
    .filter((u) => u.names.length > 0)
    .map(
      (u) =>
        `${u.names.length} ${u.kind}${u.names.length === 1 ? '' : 's'} (${u.names.slice(0, 5).join(', ')}${u.names.length > 5 ? ', …' : ''})`,
    );
  return parts.length ? AppError.inUse(`${what} is used by ${parts.join(' and ')}`) : null;
}
