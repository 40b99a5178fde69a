import { verifyReportSchema, verifyRequestSchema } from '../../core/schemas/verify.schema.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

/** The verifier of docs/timeline-truth.md, for admins (the same as `npm run verify`). */
export function registerVerifyRoutes(routes: RouteTable, deps: AppServices): void {
  routes.add({
    method: 'post',
    path: '/api/v1/admin/verify',
    access: 'admin',
    tag: 'system',
    summary:
      "Recomputes every machine's timeline over [from, to) from its events, corrections and jobs, and every stored OEE roll-up starting in it, " +
      'and reports each difference (machine, time, stored vs recomputed). With repair: true, re-projects what differs and drops the roll-ups that differ, ' +
      'in one transaction, with an audit entry per machine. Safe to repeat.',
    body: verifyRequestSchema,
    response: verifyReportSchema,
    handler: ({ body, auth }) => deps.verify.run({ userId: auth.userId, apiKeyId: auth.apiKeyId }, body),
  });
}
