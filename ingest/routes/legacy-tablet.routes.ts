import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { z, ZodError } from 'zod';
import { AppError } from '../../core/errors.js';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import { tabletSchema } from '../../core/schemas/setup.schema.js';
import { legacyNetworkDescription, legacyRequestAdmitted } from '../../core/net/legacy-network.js';
import type { RouteTable } from '../http/route.js';
import { refuseDeepJson, textGuard } from '../http/text-guard.js';
import type { AppServices } from '../../services/app-services.js';
import { LEGACY_TABLET_POSTS, type LegacyReply, type LegacyTabletPost } from '../../services/legacy-tablet.service.js';

/**
 * The DigitME2 Android tablet app (MachineMonitoring 8.1, docs/digitme2.md "Tablet app"), at the root path.
 *
 * Access: the app sends no credentials; its `device_uuid` (a random UUID v4, registered on the first
 * `/check-state`, useful only once an admin pairs the tablet) is its credential, and operators still sign
 * in with their user id and PIN (rate-limited). Like the DigitME2 device route, these routes answer only
 * callers on the networks OEE_LEGACY_ANONYMOUS admits (`private`: loopback and private networks, the
 * default; `loopback`; `off`: DigitME2 tablets disabled). They are declared `public` so that a caller
 * elsewhere gets the app's own failure reply (`{"success": false, "reason": …}`, HTTP 200) rather than a
 * 401 the app cannot show.
 *
 * Replies: always HTTP 200 with a JSON object; business failures (unknown tablet, missing fields, nobody
 * signed in, no machine, refused commands, malformed bodies) are `{"success": false, "reason": "…"}`.
 * Bodies: JSON (any content type) or form-encoded; numbers may come as strings.
 */
export const LEGACY_TABLET_PATHS = ['/check-state', ...LEGACY_TABLET_POSTS.map((p) => `/${p}`)];

const numeric = z.union([z.string(), z.number()]);
const uuid = z.string().optional().describe('The random UUID the tablet made on first run');
const quantities = {
  quantity_good: numeric.optional().describe('Good parts, e.g. "10"'),
  rejects: numeric.optional().describe('Rejected parts, e.g. "0"'),
  device_uuid: uuid,
};
const codeBody = z.looseObject({ activity_code_id: numeric.optional().describe('An activity code id (a number)'), device_uuid: uuid });

const bodies: Record<LegacyTabletPost, z.ZodType<Record<string, unknown>>> = {
  'android-login': z.looseObject({
    user_id: numeric.optional().describe('The operator\'s user id, e.g. "3"'),
    password: numeric.optional().describe('The operator\'s PIN, e.g. "1234"'),
    device_uuid: uuid,
  }),
  'android-logout': z.looseObject({ device_uuid: uuid }),
  'android-start-job': z.looseObject({
    job_number: numeric.optional(),
    ideal_cycle_time: numeric.optional().describe("In the unit of the machine's job-start input type (the title of requested_data)"),
    planned_quantity: numeric.optional().describe('planned_qty_minutes machines'),
    planned_time: numeric.optional().describe('planned_qty_minutes machines: minutes'),
    device_uuid: uuid,
  }),
  'android-update': codeBody,
  'android-end-job': z.looseObject(quantities),
  'pausable-pause-job': z.looseObject({ device_uuid: uuid }),
  'pausable-android-update': codeBody,
  'pausable-resume-job': z.looseObject({
    downtime_reason: z.string().optional().describe('The description of the stop code picked'),
    notes: z.string().optional(),
    device_uuid: uuid,
  }),
  'android-update-quantity': z.looseObject(quantities),
};

const summaries: Record<LegacyTabletPost, string> = {
  'android-login': 'DigitME2 tablet: sign an operator in with user id and PIN (the machine state does not change)',
  'android-logout': 'DigitME2 tablet: sign the operator out (the job keeps running)',
  'android-start-job': 'DigitME2 tablet: start a job with the fields of requested_data',
  'android-update': "DigitME2 tablet: set the machine's activity code",
  'android-end-job': 'DigitME2 tablet: end the job, recording its good and rejected parts',
  'pausable-pause-job': 'DigitME2 tablet (pausable): pause the job (Down)',
  'pausable-android-update':
    "DigitME2 tablet (pausable): relabel the current stop from its start with the chosen stop code (a state event at the stop's start through the state-events write path)",
  'pausable-resume-job': "DigitME2 tablet (pausable): resume the job; non-empty notes go to the job's notes",
  'android-update-quantity': "DigitME2 tablet (running_total): record the parts made since the last count; answers the job's totals",
};

const replySchema = z.looseObject({ success: z.boolean(), reason: z.string().optional() });

export function registerLegacyTabletRoutes(routes: RouteTable, deps: AppServices): void {
  const service = deps.legacyTablet;
  const mode = deps.legacyAnonymous;
  const where = legacyNetworkDescription(mode);
  const refusedNetwork: LegacyReply = { success: false, reason: 'This server accepts DigitME2 tablets only on its local network' };
  const admitted = (req: Request) => legacyRequestAdmitted(req, mode);

  routes.add({
    method: 'get',
    path: '/check-state',
    access: 'public',
    tag: 'legacy',
    summary: `DigitME2 tablet: the screen to show (no_user, no_job with requested_data, active_job or paused); an unknown device_uuid registers a tablet. Callers accepted from ${where}.`,
    query: z.looseObject({ device_uuid: uuid }),
    response: z.looseObject({ workflow_type: z.string().optional(), state: z.string().optional() }),
    handler: ({ query, req }) => (admitted(req) ? service.checkState(query.device_uuid) : refusedNetwork),
  });
  for (const route of LEGACY_TABLET_POSTS) {
    routes.add({
      method: 'post',
      path: `/${route}`,
      access: 'public',
      tag: 'legacy',
      summary: `${summaries[route]}. Always 200; failures {"success": false, "reason"}. Callers accepted from ${where}.`,
      body: bodies[route],
      response: replySchema,
      handler: ({ body, req }) => (admitted(req) ? service.post(route, body) : refusedNetwork),
    });
  }

  routes.add({
    method: 'post',
    path: '/api/v1/tablets/{id}/logout',
    access: 'admin',
    tag: 'setup',
    summary:
      'Sign the operator out of a tablet (force logout); a DigitME2 tablet also gets {"action": "logout"} on its websocket. Audited.',
    params: idParamsSchema,
    response: tabletSchema,
    handler: async ({ params, auth }) => {
      await service.forceLogout({ userId: auth.userId, apiKeyId: auth.apiKeyId }, params.id);
      return deps.setup.getTablet(params.id);
    },
  });
}

const isForm = (req: { headers: Record<string, string | string[] | undefined> }) =>
  String(req.headers['content-type'] ?? '')
    .toLowerCase()
    .startsWith('application/x-www-form-urlencoded');

/** Mounted on LEGACY_TABLET_PATHS before the routes: bodies (JSON whatever the content type, or a form) and headers. */
export const legacyTabletBodies: RequestHandler[] = [
  (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    next();
  },
  express.urlencoded({ extended: false, limit: '16kb' }),
  express.json({ limit: '16kb', strict: false, type: (req) => !isForm(req), verify: refuseDeepJson }),
  textGuard,
];

/** Mounted on LEGACY_TABLET_PATHS after the routes: whatever went wrong, the app gets its failure reply. */
export const legacyTabletErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  let reason: string;
  const e = err as { type?: string; status?: number; message?: string } | undefined;
  if (err instanceof AppError)
    reason = err.issues?.[0] ? `${err.message}: ${err.issues[0].path.join('.') || 'body'} ${err.issues[0].message}` : err.message;
  else if (err instanceof ZodError)
    reason = `Invalid request: ${err.issues[0]?.path.join('.') ?? ''} ${err.issues[0]?.message ?? ''}`.trim();
  else if (e?.type === 'entity.parse.failed') reason = 'The body is not valid JSON';
  else if (e?.type === 'entity.too.large') reason = 'The body is too large';
  else if (typeof e?.status === 'number' && e.status < 500) reason = e.message ?? 'Bad request';
  else {
    req.log?.error({ err }, 'DigitME2 tablet request failed');
    reason = 'Server error; try again';
  }
  res.status(200).json({ success: false, reason });
};
