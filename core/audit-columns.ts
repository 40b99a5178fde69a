/**
 * The columns of the audit-log CSV (`GET /api/v1/audit.csv`), in the column vocabulary of the
 * exports (core/export-columns.ts): the shared columns where the meaning is the same, and the
 * audit's own beside them. `before` and `after` are JSON text, as `GET /api/v1/audit` has them.
 */
import { COLUMNS, type ExportColumn } from './export-columns.js';

export const AUDIT_COLUMNS: readonly ExportColumn[] = [
  { key: 'auditEntryId', header: 'Audit entry ID', kind: 'id', width: 14 },
  { ...COLUMNS.at, header: 'Changed at' },
  { key: 'user', header: 'Changed by', kind: 'text', width: 18 },
  { key: 'userId', header: 'User ID', kind: 'id', width: 10 },
  { key: 'apiKeyId', header: 'API key ID', kind: 'id', width: 12 },
  { key: 'action', header: 'Action', kind: 'text', width: 20 },
  { key: 'entity', header: 'Entity', kind: 'text', width: 14 },
  { key: 'entityId', header: 'Entity ID', kind: 'text', width: 12 },
  COLUMNS.machineId,
  COLUMNS.machine,
  { key: 'before', header: 'Before (JSON)', kind: 'text', width: 40 },
  { key: 'after', header: 'After (JSON)', kind: 'text', width: 40 },
  { key: 'note', header: 'Note', kind: 'text', width: 30 },
];
