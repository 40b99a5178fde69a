import type { DataSource, EntityManager } from 'typeorm';
import { AuditEntryEntity } from '../entities/index.js';

export interface Actor {
  userId: number | null;
  apiKeyId: number | null;
}

export interface AuditInput {
  action: string;
  entity: string;
  entityId?: string | number | null;
  machineId?: number | null;
  before?: unknown;
  after?: unknown;
  note?: string | null;
}

/**
 * Fields that are credentials or their hashes: a DigitME2 tablet's device uuid is its only credential,
 * so it counts too. Matched case-insensitively, any spelling (camelCase or snake_case).
 */
const SECRET_FIELDS = new Set(['password', 'pin', 'token', 'key', 'apikey', 'secret', 'deviceuuid', 'uuid', 'sessionsecret']);

export function isSecretField(name: string): boolean {
  const plain = name.toLowerCase().replace(/[_-]/g, '');
  return (
    SECRET_FIELDS.has(plain) || plain.endsWith('hash') || plain.endsWith('token') || plain.endsWith('secret') || plain.endsWith('password')
  );
}

/** Secrets never reach the audit log, not even as hashes; applied on write and again on read (older rows). */
export function redact(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value ?? null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(redact);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !isSecretField(k))
      .map(([k, v]) => [k, redact(v)]),
  );
}

export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Written in the caller's transaction, so a change and its audit entry commit together. */
  async record(manager: EntityManager, actor: Actor, input: AuditInput): Promise<void> {
    const entry: Partial<AuditEntryEntity> = {
      userId: actor.userId,
      apiKeyId: actor.apiKeyId,
      action: input.action,
      entity: input.entity,
      entityId: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
      machineId: input.machineId ?? null,
      before: redact(input.before) as object | null,
      after: redact(input.after) as object | null,
      note: input.note ?? null,
    };
    await manager.insert(AuditEntryEntity, entry as never);
  }

  async list(filter: {
    machineId?: number;
    userId?: number;
    from?: Date;
    to?: Date;
    limit?: number;
    order?: 'asc' | 'desc';
  }): Promise<AuditEntryEntity[]> {
    const order = filter.order === 'desc' ? 'DESC' : 'ASC';
    const qb = this.dataSource.getRepository(AuditEntryEntity).createQueryBuilder('a').orderBy('a.at', order).addOrderBy('a.id', order);
    if (filter.machineId !== undefined) qb.andWhere('a.machineId = :machineId', { machineId: filter.machineId });
    if (filter.userId !== undefined) qb.andWhere('a.userId = :userId', { userId: filter.userId });
    if (filter.from) qb.andWhere('a.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.at < :to', { to: filter.to });
    const entries = await qb.limit(filter.limit ?? 10_000).getMany();
    // Rows written before a field was known to be secret are cleaned here.
    return entries.map((e) => Object.assign(e, { before: redact(e.before) as object | null, after: redact(e.after) as object | null }));
  }

  /** The names behind the ids of audit entries (retired users and deleted keys keep their rows, so their names too). */
  async names(ids: {
    userIds: number[];
    apiKeyIds: number[];
    machineIds: number[];
  }): Promise<{ users: Map<number, string>; apiKeys: Map<number, string>; machines: Map<number, string> }> {
    const read = async (table: 'users' | 'api_keys' | 'machines', column: 'username' | 'name', list: number[]) => {
      if (!list.length) return new Map<number, string>();
      const rows: { id: number; label: string }[] = await this.dataSource.query(
        `SELECT id, "${column}" AS label FROM ${table} WHERE id = ANY($1::int[])`,
        [list],
      );
      return new Map(rows.map((r) => [r.id, r.label]));
    };
    return {
      users: await read('users', 'username', ids.userIds),
      apiKeys: await read('api_keys', 'name', ids.apiKeyIds),
      machines: await read('machines', 'name', ids.machineIds),
    };
  }
}
