import {
  activityDurationsQuerySchema,
  activityDurationsResponseSchema,
  dailyOeeResponseSchema,
  dailyProductionResponseSchema,
  EXPORT_DATASETS,
  exportParamsSchema,
  exportQuerySchema,
  MAX_PRODUCTION_LIST,
  productionListResponseSchema,
  scopedRangeQuerySchema,
} from '../../core/schemas/export.schema.js';
import { AppError } from '../../core/errors.js';
import { reasonKpisQuerySchema, reasonKpisResponseSchema } from '../../core/schemas/reason-kpis.schema.js';
import { EXPORT_RETRY_AFTER_SECONDS } from '../../services/exports/export.service.js';
import type { AuthContext } from '../auth/auth-context.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

/** The number of data rows of an export, sent before the file (the download's progress shows it). */
const ROW_COUNT_HEADER = 'X-Export-Rows';

const SCOPE = 'Scope: machineId, or groupId, or neither (the whole site).';

/** Exports (docs/api.md "Results") and the reads behind the analysis pages and tables (web-internal, free to evolve). */
export function registerResultRoutes(routes: RouteTable, deps: AppServices): void {
  const { reports, exports } = deps;

  routes.add({
    method: 'get',
    path: '/api/v1/export/{dataset}.{format}',
    access: 'signedIn',
    tag: 'results',
    summary:
      `Streams a dataset over [from, to) as CSV or Excel (.xlsx) with a header row in words with units (docs/exports.md); ` +
      `the X-Export-Rows response header gives the number of data rows. dataset: ${EXPORT_DATASETS.join(', ')}; format: csv, xlsx. ` +
      `timeline = the intervals of GET /machines/{id}/timeline; events = state events (corrections included) with at in the window; ` +
      `jobs = GET /jobs; production = GET /production; oee = one row per machine per bucket (bucket=hour|shift|day|week, default day) ` +
      `with every number of the OEE result (GET /oee?bucket per machine); oee-daily = the Daily OEE grid: a machine a row, a site-local day a column, then the whole range. ` +
      `xlsx has date cells (the site's wall clock) and number formats; CSV is UTF-8 with a byte-order mark, times as text in the site zone with their offset, ` +
      `durations in hours and ratios in percent; separator=semicolon gives ; between fields and a decimal comma. ${SCOPE}`,
    params: exportParamsSchema,
    query: exportQuerySchema,
    raw: true,
    handler: async ({ params, query, res, auth }) => {
      try {
        // The service writes the file to a Writable: the response, its headers sent first.
        await exports.export(params.dataset, params.format, query, callerOf(auth), (file) => {
          res.status(200);
          res.setHeader('Content-Type', file.contentType);
          res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
          res.setHeader(ROW_COUNT_HEADER, String(file.rowCount));
          return res;
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'rate_limited' && !res.headersSent)
          res.setHeader('Retry-After', String(EXPORT_RETRY_AFTER_SECONDS));
        throw err;
      }
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/production',
    access: 'signedIn',
    tag: 'results',
    summary: `Production records overlapping [from, to) (a point record when its instant lies in it), machine by machine, oldest first; at most ${MAX_PRODUCTION_LIST} (else 400: use the export). ${SCOPE}`,
    query: scopedRangeQuerySchema,
    response: productionListResponseSchema,
    handler: async ({ query }) => ({
      records: (await reports.productionRecords(query)).map((r) => ({
        id: Number(r.id),
        machineId: r.machineId,
        jobId: r.jobId,
        from: r.from.toISOString(),
        to: r.to.toISOString(),
        good: r.good,
        rejects: r.rejects,
        source: r.source,
      })),
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/activity-durations',
    access: 'signedIn',
    tag: 'results',
    summary:
      'Seconds per activity code over [from, to) (clipped to now; intervals clipped to the window), per machine (groupBy=machine, every machine of the scope) ' +
      `or per operator signed in at the time (groupBy=operator; operatorId null = nobody). Codes without time are left out. ${SCOPE}`,
    query: activityDurationsQuerySchema,
    response: activityDurationsResponseSchema,
    handler: ({ query }) => reports.activityDurations(query),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/daily-production',
    access: 'signedIn',
    tag: 'results',
    summary:
      'Good, reject and total counts per machine per site-local day over [from, to), pro-rated as OEE.md counts them (a span spread linearly), ' +
      `from the OEE calculation (GET /oee?bucket=day per machine); days are cut at the window's edges. ${SCOPE}`,
    query: scopedRangeQuerySchema,
    response: dailyProductionResponseSchema,
    handler: async ({ query }) => ({
      rows: (await reports.dailyRows(query)).map((d) => ({
        machineId: d.machine.id,
        date: d.date,
        from: d.result.from,
        to: d.result.to,
        goodCount: d.result.goodCount,
        rejectCount: d.result.rejectCount,
        totalCount: d.result.totalCount,
      })),
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/daily-oee',
    access: 'signedIn',
    tag: 'results',
    summary: `The OEE result (OEE.md) per machine per site-local day over [from, to): the rows of the oee-daily export as JSON (GET /oee?bucket=day per machine). ${SCOPE}`,
    query: scopedRangeQuerySchema,
    response: dailyOeeResponseSchema,
    handler: async ({ query }) => ({
      rows: (await reports.dailyRows(query)).map((d) => ({ machineId: d.machine.id, date: d.date, ...d.result })),
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/reasons',
    access: 'signedIn',
    tag: 'results',
    summary:
      'The reason KPIs (OEE.md "Reason KPIs") per machine and shift over [from, to): stop time in planned time (micro-stops left out), ' +
      'the part with a specific reason (not Down or No data) in seconds and percent, the stops that needed a reason, how many have one, ' +
      `and the median, p90 and mean seconds from a stop's end until its reason; the rows of the reasons export as JSON. ${SCOPE}`,
    query: reasonKpisQuerySchema,
    response: reasonKpisResponseSchema,
    handler: async ({ query }) => {
      const { machines } = await reports.scope(query);
      return { rows: await reports.reasonKpis(machines, query.from, query.to) };
    },
  });
}

/** Who holds an export slot: the user of a session, else the API key (kiosks and anonymous callers share one). */
function callerOf(auth: AuthContext): string {
  if (auth.userId !== null) return `user:${auth.userId}`;
  if (auth.apiKeyId !== null) return `key:${auth.apiKeyId}`;
  return `other:${auth.via}`;
}
