import type { Request } from 'express';
import { z } from 'zod';
import { idParamsSchema } from '../../core/schemas/common.schema.js';
import {
  machinePartSchema,
  MAX_PART_IMPORT_ROWS,
  partCreateSchema,
  partExportParamsSchema,
  partExportQuerySchema,
  partImportReportSchema,
  partImportSchema,
  partSchema,
  partUpdateSchema,
} from '../../core/schemas/parts.schema.js';
import type { RouteTable } from '../http/route.js';
import type { AppServices } from '../../services/app-services.js';

const actorOf = (auth: { userId: number | null; apiKeyId: number | null }) => ({ userId: auth.userId, apiKeyId: auth.apiKeyId });

/** An operator tablet's own token (`tab_…`), which the authenticator does not know: checked by the parts service. */
const tabletToken = (req: Request): string | null => {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer tab_') ? header.slice(7).trim() : null;
};

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8; header=present',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/** The part catalogue of docs/api.md "Part catalogue": admins write, everyone signed in reads. */
export function registerPartRoutes(routes: RouteTable, deps: AppServices): void {
  const { parts } = deps;

  routes.add({
    method: 'get',
    path: '/api/v1/parts',
    access: 'signedIn',
    tag: 'setup',
    summary:
      'The part catalogue: every entry (for every machine: machineId and groupId null; for a group; for one machine), by part number',
    response: z.array(partSchema),
    handler: () => parts.list(),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/parts',
    access: 'admin',
    tag: 'setup',
    summary: 'Add a catalogue entry (409 when the part number already has one for that scope)',
    body: partCreateSchema,
    status: 201,
    response: partSchema,
    handler: ({ body, auth }) => parts.create(actorOf(auth), body),
  });
  routes.add({
    method: 'post',
    path: '/api/v1/parts/import',
    access: 'admin',
    tag: 'setup',
    summary:
      `Import catalogue entries from a file: {format: csv|xlsx, content (CSV text, or the xlsx in base64), dryRun?}. A header row names the columns ` +
      `(Part number, Part name, Ideal cycle time (s), Machine, Group: the export's); at most ${MAX_PART_IMPORT_ROWS} rows. All or nothing: any error ` +
      `and nothing is written; the report gives every error as {row (the header is row 1), column, message}. Entries are matched by part number and ` +
      `machine or group: new ones are created, changed ones updated, the others left as they are.`,
    body: partImportSchema,
    response: partImportReportSchema,
    handler: ({ body, auth }) => parts.import(actorOf(auth), body),
  });
  // Before /parts/{id}, which would otherwise take "export.csv" for an id.
  routes.add({
    method: 'get',
    path: '/api/v1/parts/export.{format}',
    access: 'signedIn',
    tag: 'setup',
    summary:
      'The whole catalogue as CSV or xlsx, in the columns the import reads (separator=semicolon: ; between fields and a decimal comma)',
    params: partExportParamsSchema,
    query: partExportQuerySchema,
    raw: true,
    handler: async ({ params, query, res }) => {
      const file = await parts.export(params.format, query.separator);
      res.status(200).setHeader('Content-Type', CONTENT_TYPES[params.format]);
      res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
      res.end(file.body);
    },
  });
  routes.add({
    method: 'get',
    path: '/api/v1/parts/{id}',
    access: 'signedIn',
    tag: 'setup',
    summary: 'One catalogue entry',
    params: idParamsSchema,
    response: partSchema,
    handler: ({ params }) => parts.get(params.id),
  });
  routes.add({
    method: 'patch',
    path: '/api/v1/parts/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Edit a catalogue entry',
    params: idParamsSchema,
    body: partUpdateSchema,
    response: partSchema,
    handler: ({ params, body, auth }) => parts.update(actorOf(auth), params.id, body),
  });
  routes.add({
    method: 'delete',
    path: '/api/v1/parts/{id}',
    access: 'admin',
    tag: 'setup',
    summary: 'Delete a catalogue entry (jobs keep their ideal cycle time)',
    params: idParamsSchema,
    status: 204,
    handler: ({ params, auth }) => parts.delete(actorOf(auth), params.id),
  });
  routes.add({
    method: 'get',
    path: '/api/v1/machines/{id}/parts',
    access: 'signedIn',
    tag: 'setup',
    summary:
      "The catalogue as this machine sees it: per part number, the machine's own entry, else its group's, else the one for every machine (scope says which)",
    params: idParamsSchema,
    response: z.array(machinePartSchema),
    anonymousWhen: {
      description: 'an operator tablet paired with this machine (Authorization: Bearer <tablet token>)',
      test: (req) => tabletToken(req) !== null,
    },
    handler: ({ params, auth, req }) =>
      auth.via === 'anonymous' ? parts.forTablet(tabletToken(req)!, params.id) : parts.forMachine(params.id),
  });
}
