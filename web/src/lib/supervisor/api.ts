import type { z } from 'zod';
import type { auditResponseSchema, productionListRecordSchema } from '$core/schemas/export.schema.js';
import type { CorrectionPreview } from '$core/schemas/history-edit.schema.js';
import type { Job } from '$core/schemas/shop-floor.schema.js';
import { request, type Fetch, type Query } from '$lib/api';

/**
 * The supervisors' writes and reads of the machine page and the audit screen, all through the JSON
 * API (docs/api.md "Corrections of past data", "Jobs and production"). Types come from the routes'
 * schemas in core/schemas (type-only imports: zod stays out of the bundle).
 */

export type ProductionRecord = z.infer<typeof productionListRecordSchema>;
export type AuditResponse = z.infer<typeof auditResponseSchema>;
export type AuditEntry = AuditResponse['entries'][number];
export type { CorrectionPreview, Job };

type Counts = { good?: number; rejects?: number };

export const supervisor = {
  /** The machine's state now (POST /events), as a tablet or device sets it. */
  setState: (machineId: number, activityCodeId: number) =>
    request('POST', '/events', { body: { events: [{ machineId, activityCodeId }] } }),
  /** `at` in the past: a job that started late in the system (its counts since then become its own). */
  startJob: (machineId: number, body: { jobNumber: string; idealCycleTimeSeconds?: number | null; at?: string }) =>
    request<{ job: Job }>('POST', `/machines/${machineId}/jobs`, { body }),
  endJob: (machineId: number, body: Counts & { at?: string }) =>
    request<{ job: Job }>('POST', `/machines/${machineId}/jobs/current/end`, { body }),
  addPastJob: (
    body: Counts & {
      machineId: number;
      jobNumber: string;
      start: string;
      end: string;
      idealCycleTimeSeconds?: number | null;
      activityCodeId?: number;
      note?: string;
    },
  ) => request<{ job: Job }>('POST', '/jobs', { body }),
  editJob: (id: number, body: Record<string, unknown>) => request<{ job: Job }>('PATCH', `/jobs/${id}`, { body }),
  production: (f: Fetch, machineId: number, from: string, to: string) =>
    request<{ records: ProductionRecord[] }>('GET', '/production', { fetch: f, query: { machineId, from, to } }).then((r) => r.records),
  addProduction: (body: { machineId: number; good: number; rejects: number; at?: string; from?: string; to?: string; note?: string }) =>
    request<{ record: ProductionRecord }>('POST', '/production', { body }),
  editProduction: (id: number, body: { good?: number; rejects?: number; from?: string; to?: string; note?: string }) =>
    request<{ record: ProductionRecord }>('PATCH', `/production/${id}`, { body }),
  deleteProduction: (id: number) => request<void>('DELETE', `/production/${id}`),
  previewCorrection: (machineId: number, body: { from: string; to: string; activityCodeId: number }) =>
    request<CorrectionPreview>('POST', `/machines/${machineId}/corrections/preview`, { body }),
  audit: (f: Fetch, query: Query) => request<AuditResponse>('GET', '/audit', { fetch: f, query }),
};

/** Supervisors and admins edit history (core/roles.ts: the `supervisor` access rule). */
export function maySupervise(role: string | null | undefined): boolean {
  return role === 'supervisor' || role === 'admin';
}
