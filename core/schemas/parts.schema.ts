import { z } from 'zod';
import { idSchema } from './common.schema.js';
import { csvSeparatorSchema, EXPORT_FORMATS } from './export.schema.js';

/**
 * The part catalogue (docs/api.md "Part catalogue"). An entry is a part number's name and ideal cycle time for
 * every machine (no machine, no group), for the machines of one group, or for one machine. A machine sees, per
 * part number, its own entry, else its group's, else the one for every machine.
 */

/** Longest ideal cycle time anywhere (a year per part), as a job's. */
export const MAX_IDEAL_CYCLE_TIME_SECONDS = 31_536_000;
/** Rows an import may hold (a catalogue, not a history). */
export const MAX_PART_IMPORT_ROWS = 10_000;

/** Trimmed, 1..100 characters: what a label or barcode carries. */
export const partNumberSchema = z.string().trim().min(1).max(100);
const partNameSchema = z.string().trim().max(100);

/**
 * Seconds per part, kept to 12 significant digits: the job start converts an operator's unit to seconds and
 * rounds to as many (core/state/job-start-input.ts), so a catalogue time survives the trip through any unit.
 */
export const idealCycleTimeSecondsSchema = z
  .number()
  .positive()
  .max(MAX_IDEAL_CYCLE_TIME_SECONDS)
  .transform((x) => Number(x.toPrecision(12)));

export const partCreateSchema = z.strictObject({
  partNumber: partNumberSchema,
  name: partNameSchema.default(''),
  idealCycleTimeSeconds: idealCycleTimeSecondsSchema,
  /** The entry is for this machine only… */
  machineId: idSchema.nullable().default(null),
  /** …or for the machines of this group; neither: for every machine. */
  groupId: idSchema.nullable().default(null),
});
export const partUpdateSchema = z.strictObject({
  partNumber: partNumberSchema.optional(),
  name: partNameSchema.optional(),
  idealCycleTimeSeconds: idealCycleTimeSecondsSchema.optional(),
  machineId: idSchema.nullable().optional(),
  groupId: idSchema.nullable().optional(),
});
export type PartCreate = z.output<typeof partCreateSchema>;
export type PartUpdate = z.output<typeof partUpdateSchema>;

export const partSchema = z.object({
  id: z.number(),
  partNumber: z.string(),
  name: z.string(),
  idealCycleTimeSeconds: z.number(),
  machineId: z.number().nullable(),
  groupId: z.number().nullable(),
});
export type Part = z.infer<typeof partSchema>;

export const PART_SCOPES = ['machine', 'group', 'all'] as const;

/** A part as one machine sees it: the entry that applies to it. */
export const machinePartSchema = z.object({
  partId: z.number(),
  partNumber: z.string(),
  name: z.string(),
  idealCycleTimeSeconds: z.number(),
  /** Whose entry it is: the machine's own, its group's, or the one for every machine. */
  scope: z.enum(PART_SCOPES),
});
export type MachinePart = z.infer<typeof machinePartSchema>;

export const PART_FILE_FORMATS = EXPORT_FORMATS;
export const partFileFormatSchema = z.enum(PART_FILE_FORMATS);
export type PartFileFormat = z.infer<typeof partFileFormatSchema>;

/** `GET /api/v1/parts/export.{format}`: a path parameter, so an unknown format is the route table's 404. */
export const partExportParamsSchema = z.object({ format: partFileFormatSchema });
export const partExportQuerySchema = z.strictObject({ separator: csvSeparatorSchema.default('comma') });

/**
 * `POST /api/v1/parts/import`: the file in the JSON body (every v1 write is JSON): CSV as its text, xlsx as
 * base64. `dryRun` checks it and reports without writing. 2 MB of JSON hold a catalogue of thousands of rows.
 */
export const partImportSchema = z.strictObject({
  format: partFileFormatSchema,
  content: z.string().min(1).max(2_000_000),
  dryRun: z.boolean().default(false),
});
export type PartImport = z.output<typeof partImportSchema>;

/** One problem of an import: the spreadsheet's row number (the header is row 1), its column, in words. */
export const partImportErrorSchema = z.object({
  row: z.number(),
  column: z.string().nullable(),
  message: z.string(),
});
export type PartImportError = z.infer<typeof partImportErrorSchema>;

/**
 * The import's report. All or nothing: with any error, `imported` is false and nothing was written; a dry run
 * writes nothing either. The counts are what the rows without errors did (or would do).
 */
export const partImportReportSchema = z.object({
  imported: z.boolean(),
  dryRun: z.boolean(),
  /** Data rows read (blank rows not counted). */
  rows: z.number(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  /** Header cells that name no column of the catalogue (left alone). */
  ignoredColumns: z.array(z.string()),
  errors: z.array(partImportErrorSchema),
});
export type PartImportReport = z.infer<typeof partImportReportSchema>;
