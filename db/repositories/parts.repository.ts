import type { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../core/errors.js';
import type { MachinePart } from '../../core/schemas/parts.schema.js';
import { GroupEntity, MachineEntity, PartEntity } from '../entities/index.js';
import type { Actor, AuditRepository } from './audit.repository.js';
import { requireReference, SetupStore } from './setup-store.js';

/** What an entry holds besides its id: the import writes these. */
export type PartFields = Pick<PartEntity, 'partNumber' | 'name' | 'idealCycleTimeSeconds' | 'machineId' | 'groupId'>;

/** What an import did (or, on a dry run, would do). */
export interface PartUpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** "for machine 3", "for group 2", "for every machine": where an entry applies, for messages. */
function scopeWords(p: Pick<PartEntity, 'machineId' | 'groupId'>): string {
  if (p.machineId !== null) return `for machine ${p.machineId}`;
  if (p.groupId !== null) return `for group ${p.groupId}`;
  return 'for every machine';
}

/** The key of an entry: one per part number and scope (the entity's three unique indexes). */
export const partKey = (p: Pick<PartEntity, 'partNumber' | 'machineId' | 'groupId'>) =>
  `${p.partNumber}\u0000${p.machineId ?? ''}\u0000${p.groupId ?? ''}`;

/**
 * The part catalogue (docs/api.md "Part catalogue"): entries through a SetupStore (each write audited, a clash a
 * 409), what one machine sees, and the import's upsert in one transaction. Writes announce nothing on the
 * change feed: no live view shows the catalogue (tablets fetch it when they open the start-job screen).
 */
export class PartsRepository {
  private readonly store: SetupStore<PartEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
  ) {
    this.store = new SetupStore<PartEntity>(dataSource, audit, {
      entity: PartEntity,
      what: 'Part',
      auditName: 'part',
      machineIdOf: (p) => p.machineId,
      duplicateMessage: (p) => `Part "${p.partNumber}" already exists ${scopeWords(p)}`,
      validate: async (tx, p) => {
        if (p.machineId != null && p.groupId != null) {
          throw AppError.invalid('An entry is for a machine or for a group, not both', [
            { path: ['groupId'], message: 'give machineId or groupId, not both' },
          ]);
        }
        await requireReference(tx, MachineEntity, p.machineId, 'machineId', 'machine');
        await requireReference(tx, GroupEntity, p.groupId, 'groupId', 'group');
      },
    });
  }

  /**
   * Every entry, by part number (code point order, the same on every database collation), then the entry for
   * every machine, groups' and machines' (by id).
   */
  async list(): Promise<PartEntity[]> {
    const scopeRank = (p: PartEntity) => (p.machineId === null ? (p.groupId === null ? 0 : 1) : 2);
    return (await this.dataSource.manager.find(PartEntity)).sort(
      (a, b) =>
        (a.partNumber < b.partNumber ? -1 : a.partNumber > b.partNumber ? 1 : 0) ||
        scopeRank(a) - scopeRank(b) ||
        (a.groupId ?? 0) - (b.groupId ?? 0) ||
        (a.machineId ?? 0) - (b.machineId ?? 0),
    );
  }

  get(id: number): Promise<PartEntity> {
    return this.store.get(id);
  }

  create(actor: Actor, input: PartFields): Promise<PartEntity> {
    return this.store.create(actor, input);
  }

  update(actor: Actor, id: number, input: Partial<PartFields>): Promise<PartEntity> {
    return this.store.update(actor, id, input);
  }

  delete(actor: Actor, id: number): Promise<void> {
    return this.store.delete(actor, id);
  }

  /** The machine's id and group, or null when there is no such machine. */
  async machine(id: number): Promise<{ id: number; groupId: number | null } | null> {
    const rows: { id: number; groupId: number | null }[] = await this.dataSource.query(`SELECT id, "groupId" FROM machines WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /**
   * The catalogue as one machine sees it: per part number the machine's own entry, else its group's, else the
   * one for every machine; by part number. `partNumber` narrows it to that part.
   */
  async forMachine(machine: { id: number; groupId: number | null }, partNumber?: string): Promise<MachinePart[]> {
    const rows: MachinePart[] = await this.dataSource.query(
      `SELECT DISTINCT ON (p."partNumber" COLLATE "C") p.id AS "partId", p."partNumber", p.name, p."idealCycleTimeSeconds",
              CASE WHEN p."machineId" IS NOT NULL THEN 'machine' WHEN p."groupId" IS NOT NULL THEN 'group' ELSE 'all' END AS scope
         FROM parts p
        WHERE (p."machineId" = $1 OR p."groupId" = $2 OR (p."machineId" IS NULL AND p."groupId" IS NULL))
          AND ($3::text IS NULL OR p."partNumber" = $3)
        ORDER BY p."partNumber" COLLATE "C", (p."machineId" IS NULL), (p."groupId" IS NULL)`,
      [machine.id, machine.groupId, partNumber ?? null],
    );
    return rows;
  }

  /** Machine and group names by id, for the catalogue file (which names them). */
  async scopeNames(): Promise<{ machines: { id: number; name: string }[]; groups: { id: number; name: string }[] }> {
    const [machines, groups] = await Promise.all([
      this.dataSource.manager.find(MachineEntity, { select: { id: true, name: true }, order: { id: 'ASC' } }),
      this.dataSource.manager.find(GroupEntity, { select: { id: true, name: true }, order: { id: 'ASC' } }),
    ]);
    return { machines: machines.map((m) => ({ id: m.id, name: m.name })), groups: groups.map((g) => ({ id: g.id, name: g.name })) };
  }

  /**
   * Creates the entries that are new (by part number and scope) and updates those whose name or time differ,
   * each with its audit entry (note "import"), all in one transaction; with `apply` false, only counts. The
   * table is locked against other writers meanwhile, so two imports cannot both create one entry.
   */
  async upsert(actor: Actor, entries: PartFields[], apply: boolean): Promise<PartUpsertCounts> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`LOCK TABLE parts IN SHARE ROW EXCLUSIVE MODE`);
      const existing = new Map((await tx.find(PartEntity)).map((p) => [partKey(p), p]));
      const counts: PartUpsertCounts = { created: 0, updated: 0, unchanged: 0 };
      for (const entry of entries) {
        const current = existing.get(partKey(entry));
        if (!current) {
          counts.created++;
          if (apply) await this.insertAudited(tx, actor, entry);
        } else if (current.name !== entry.name || current.idealCycleTimeSeconds !== entry.idealCycleTimeSeconds) {
          counts.updated++;
          if (apply) await this.updateAudited(tx, actor, current, entry);
        } else {
          counts.unchanged++;
        }
      }
      return counts;
    });
  }

  private async insertAudited(tx: EntityManager, actor: Actor, entry: PartFields): Promise<void> {
    const saved = await tx.save(PartEntity, tx.create(PartEntity, entry));
    await this.audit.record(tx, actor, {
      action: 'part.create',
      entity: 'part',
      entityId: saved.id,
      machineId: saved.machineId,
      after: saved,
      note: 'import',
    });
  }

  private async updateAudited(tx: EntityManager, actor: Actor, current: PartEntity, entry: PartFields): Promise<void> {
    const before = structuredClone(current);
    const saved = await tx.save(
      PartEntity,
      Object.assign(current, { name: entry.name, idealCycleTimeSeconds: entry.idealCycleTimeSeconds }),
    );
    await this.audit.record(tx, actor, {
      action: 'part.update',
      entity: 'part',
      entityId: saved.id,
      machineId: saved.machineId,
      before,
      after: saved,
      note: 'import',
    });
  }
}
