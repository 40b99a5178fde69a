import { z } from 'zod';
import { scopedRangeQuerySchema } from './export.schema.js';

/** The longest window the reason KPIs are computed over (every shift of every machine is expanded). */
export const MAX_REASON_KPI_DAYS = 400;

/**
 * `GET /api/v1/reports/reasons` (docs/api.md "Results", docs/oee.md "Reason KPIs"): a scoped window. The check
 * runs also when a time did not parse (zod goes on to refinements), so it looks at parsed dates only.
 */
export const reasonKpisQuerySchema = scopedRangeQuerySchema.superRefine((q: { from: unknown; to: unknown }, ctx) => {
  if (!(q.from instanceof Date) || !(q.to instanceof Date)) return;
  if (q.to.getTime() - q.from.getTime() > MAX_REASON_KPI_DAYS * 86_400_000) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_REASON_KPI_DAYS} days after from` });
  }
});

/** One machine and shift (docs/oee.md "Reason KPIs"); seconds throughout, null where there is nothing to measure. */
export const reasonKpiRowSchema = z.object({
  machineId: z.number(),
  machineName: z.string(),
  /** The shift's name; null for an unnamed shift or a machine without a shift pattern (planned 24/7). */
  shift: z.string().nullable(),
  stopSeconds: z.number(),
  explainedSeconds: z.number(),
  unexplainedSeconds: z.number(),
  explainedPercent: z.number().nullable(),
  stopsOwing: z.number(),
  stopsExplained: z.number(),
  stopsUnexplained: z.number(),
  latencyMedianSeconds: z.number().nullable(),
  latencyP90Seconds: z.number().nullable(),
  latencyMeanSeconds: z.number().nullable(),
});
export type ReasonKpiRow = z.infer<typeof reasonKpiRowSchema>;
export const reasonKpisResponseSchema = z.object({ rows: z.array(reasonKpiRowSchema) });
