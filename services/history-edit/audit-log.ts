import { AUDIT_COLUMNS } from '../../core/audit-columns.js';
import type { ExportColumn } from '../../core/export-columns.js';
import type { AuditQuery } from '../../core/schemas/export.schema.js';
import type { EditContext } from './edit-context.js';

/** The audit log as a table in the columns of core/audit-columns.ts, for the CSV route. */
export interface AuditTable {
  columns: readonly ExportColumn[];
  rows: (string | number | Date | null)[][];
  timezone: string;
}

/** The audit log as the API and its CSV export read it. */
export class AuditLog {
  constructor(private readonly ctx: EditContext) {}

  /**
   * The audit log in the order asked for (`from`/`to` filter on when the change was made), as GET
   * /api/v1/audit answers it; `truncated` when more entries match than the limit.
   */
  async auditLog(filter: AuditQuery) {
    // One entry more than the limit tells whether there is more.
    const found = await this.ctx.repos.audit.list({ ...filter, limit: filter.limit + 1 });
    const entries = found.slice(0, filter.limit);
    return {
      truncated: found.length > filter.limit,
      entries: entries.map((e) => ({
        id: Number(e.id),
        at: e.at.toISOString(),
        userId: e.userId,
        apiKeyId: e.apiKeyId,
        action: e.action,
        entity: e.entity,
        entityId: e.entityId,
        machineId: e.machineId,
        before: e.before,
        after: e.after,
        note: e.note,
      })),
    };
  }

  /** The audit log with the names of users, API keys and machines, for `GET /api/v1/audit.csv`. */
  async auditTable(filter: AuditQuery): Promise<AuditTable & { truncated: boolean }> {
    const { entries, truncated } = await this.auditLog(filter);
    const ids = (pick: (e: (typeof entries)[number]) => number | null) => [...new Set(entries.map(pick).filter((id) => id !== null))];
    const names = await this.ctx.repos.audit.names({
      userIds: ids((e) => e.userId),
      apiKeyIds: ids((e) => e.apiKeyId),
      machineIds: ids((e) => e.machineId),
    });
    const who = (e: (typeof entries)[number]) =>
      e.userId !== null
        ? (names.users.get(e.userId) ?? `user ${e.userId}`)
        : e.apiKeyId !== null
          ? `API key ${names.apiKeys.get(e.apiKeyId) ?? e.apiKeyId}`
          : null;
    const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
    const rows = entries.map((e) => [
      e.id,
      new Date(e.at),
      who(e),
      e.userId,
      e.apiKeyId,
      e.action,
      e.entity,
      e.entityId,
      e.machineId,
      e.machineId === null ? null : (names.machines.get(e.machineId) ?? null),
      json(e.before),
      json(e.after),
      e.note,
    ]);
    return { columns: AUDIT_COLUMNS, rows, timezone: (await this.ctx.repos.site.get()).timezone, truncated };
  }
}
