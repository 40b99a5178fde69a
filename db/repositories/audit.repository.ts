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

  async list(filter: { machineId?: number; from?: Date; to?: Date; limit?: number }): Promise<AuditEntryEntity[]> {
    const qb = this.dataSource.getRepository(AuditEntryEntity).createQueryBuilder('a').orderBy('a.at', 'ASC').addOrderBy('a.id', 'ASC');
    if (filter.machineId !== undefined) qb.andWhere('a.machineId = :machineId', { machineId: filter.machineId });
    if (filter.from) qb.andWhere('a.at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.at < :to', { to: filter.to });
    const entries = await qb.limit(filter.limit ?? 10_000).getMany();
    // Rows written before a field was known to be secret are cleaned here.
    return entries.map((e) => Object.assign(e, { before: redact(e.before) as object | null, after: redact(e.after) as object | null }));
  }
}
