import { z } from 'zod';
import type { ErrorIssue } from '../errors.js';
import type { JobStartInputType, jobNumberInputTypeSchema } from '../schemas/setup.schema.js';

/**
 * What an operator types when a job starts, in the machine's `jobStartInputType`, converted to the job's
 * ideal cycle time in seconds per part (docs/digitme2.md). Two front doors share one conversion:
 * - the new API (`job:start {jobNumber, input?}`), validated by `jobStartInputSchema`, numbers only;
 * - the DigitME2 tablet (`POST /android-start-job`), whose fields arrive as strings (`"30"`).
 */

export type JobNumberInputType = z.infer<typeof jobNumberInputTypeSchema>;

/** Input types that ask for one number. */
export type ValueInputType = Exclude<JobStartInputType, 'planned_qty_minutes' | 'no_cycle_time'>;

interface ValueConversion {
  /** The tablet's field title, exactly as the original sends it. */
  title: string;
  toSeconds: (x: number) => number;
}

const valueConversions: Record<ValueInputType, ValueConversion> = {
  cycle_time_seconds: { title: 'Ideal cycle time (sec)', toSeconds: (x) => x },
  cycle_time_minutes: { title: 'Ideal cycle time (min)', toSeconds: (x) => 60 * x },
  cycle_time_hours: { title: 'Ideal cycle time (hrs)', toSeconds: (x) => 3600 * x },
  parts_per_second: { title: 'Parts per second', toSeconds: (x) => 1 / x },
  parts_per_minute: { title: 'Parts per minute', toSeconds: (x) => 60 / x },
  parts_per_hour: { title: 'Parts per hour', toSeconds: (x) => 3600 / x },
};

function isValueInputType(type: JobStartInputType): type is ValueInputType {
  return type in valueConversions;
}

// z.number() already refuses NaN and ±Infinity.
const positiveNumberSchema = z.number().positive();

/**
 * The new API's job-start input, in the machine's `jobStartInputType`:
 * - `{ value?: number }` for the six one-number types (seconds, minutes or hours per part, or parts per
 *   second, minute or hour); `{}` (or no input at all) starts the job without an ideal cycle time;
 * - `{ plannedQuantity, plannedTimeMinutes }` for `planned_qty_minutes` (both or neither);
 * - anything (or nothing) for `no_cycle_time`: the job never has an ideal cycle time.
 * One object rather than a union, so a bad field gets a message that names it.
 */
export const jobStartInputSchema = z
  .strictObject({
    value: positiveNumberSchema
      .optional()
      .describe('The number the machine asks for, in the unit of its jobStartInputType (e.g. parts per hour)'),
    plannedQuantity: positiveNumberSchema.optional().describe('planned_qty_minutes only: parts planned, given with plannedTimeMinutes'),
    plannedTimeMinutes: positiveNumberSchema.optional().describe('planned_qty_minutes only: minutes planned for plannedQuantity parts'),
  })
  .superRefine((input, ctx) => {
    const hasQuantity = input.plannedQuantity !== undefined;
    const hasTime = input.plannedTimeMinutes !== undefined;
    if (input.value !== undefined && (hasQuantity || hasTime)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'give value, or plannedQuantity and plannedTimeMinutes, not both' });
    }
    if (hasQuantity && !hasTime) {
      ctx.addIssue({ code: 'custom', path: ['plannedTimeMinutes'], message: 'required with plannedQuantity' });
    }
    if (hasTime && !hasQuantity) {
      ctx.addIssue({ code: 'custom', path: ['plannedQuantity'], message: 'required with plannedTimeMinutes' });
    }
  })
  .describe("The ideal cycle time as the machine's jobStartInputType asks for it: {value} or {plannedQuantity, plannedTimeMinutes}");
export type JobStartInput = z.infer<typeof jobStartInputSchema>;

export type IdealCycleTimeResult =
  | { ok: true; idealCycleTimeSeconds: number | null }
  | { ok: false; status: 400; code: 'invalid_input'; message: string; issues: ErrorIssue[] };

/** The field names each front door uses, so issues name the field the client sent. */
interface FieldNames {
  value: string;
  plannedQuantity: string;
  plannedTimeMinutes: string;
}
const apiFields: FieldNames = { value: 'value', plannedQuantity: 'plannedQuantity', plannedTimeMinutes: 'plannedTimeMinutes' };
const tabletFields: FieldNames = { value: 'ideal_cycle_time', plannedQuantity: 'planned_quantity', plannedTimeMinutes: 'planned_time' };

interface RawInput {
  value?: unknown;
  plannedQuantity?: unknown;
  plannedTimeMinutes?: unknown;
}

/**
 * New API: `input` in the machine's input type (already validated by `jobStartInputSchema`). No input, or an
 * empty one, means no ideal cycle time. Input of the other shape (a `value` for a `planned_qty_minutes` machine,
 * or the reverse) is refused rather than dropped; input for a `no_cycle_time` machine is ignored.
 */
export function idealCycleTimeFromInput(type: JobStartInputType, input: JobStartInput | undefined): IdealCycleTimeResult {
  const raw: RawInput = input ?? {};
  if (type === 'planned_qty_minutes' && raw.value !== undefined) {
    return invalid([{ path: ['value'], message: 'this machine asks for plannedQuantity and plannedTimeMinutes' }]);
  }
  if (isValueInputType(type) && (raw.plannedQuantity !== undefined || raw.plannedTimeMinutes !== undefined)) {
    const field = raw.plannedQuantity !== undefined ? 'plannedQuantity' : 'plannedTimeMinutes';
    return invalid([{ path: [field], message: `this machine asks for value (${valueConversions[type].title})` }]);
  }
  return convert(type, raw, apiFields);
}

/**
 * DigitME2 tablet: the `/android-start-job` body, whose numbers arrive as strings. Every cycle-time field the
 * tablet was asked for (`requestedJobStartData`) must be there (the app never sends an empty field); other keys
 * (`job_number`, `device_uuid`, …) are not looked at.
 */
export function idealCycleTimeFromTablet(type: JobStartInputType, body: Readonly<Record<string, unknown>>): IdealCycleTimeResult {
  const missing = cycleTimeKeys(type).filter((key) => body[key] === undefined || body[key] === null);
  if (missing.length > 0) return invalid(missing.map((key) => ({ path: [key], message: 'required' })));
  return convert(
    type,
    { value: body.ideal_cycle_time, plannedQuantity: body.planned_quantity, plannedTimeMinutes: body.planned_time },
    tabletFields,
  );
}

function convert(type: JobStartInputType, raw: RawInput, fields: FieldNames): IdealCycleTimeResult {
  if (type === 'no_cycle_time') return ok(null);

  if (type === 'planned_qty_minutes') {
    if (raw.plannedQuantity === undefined && raw.plannedTimeMinutes === undefined) return ok(null);
    const issues: ErrorIssue[] = [];
    const quantity = readPositive(raw.plannedQuantity, fields.plannedQuantity, issues);
    const minutes = readPositive(raw.plannedTimeMinutes, fields.plannedTimeMinutes, issues);
    if (quantity === null || minutes === null) return invalid(issues);
    return checked((minutes * 60) / quantity, fields.plannedTimeMinutes);
  }

  if (raw.value === undefined) return ok(null);
  const issues: ErrorIssue[] = [];
  const x = readPositive(raw.value, fields.value, issues);
  if (x === null) return invalid(issues);
  return checked(valueConversions[type].toSeconds(x), fields.value);
}

/** A decimal as an operator types it: "30", "0.5", ".5", "1e3". No hex, no "Infinity", no empty string. */
const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function readPositive(raw: unknown, field: string, issues: ErrorIssue[]): number | null {
  let x = Number.NaN;
  if (typeof raw === 'number') x = raw;
  else if (typeof raw === 'string' && decimalPattern.test(raw.trim())) x = Number(raw.trim());
  if (Number.isFinite(x) && x > 0) return x;
  issues.push({ path: [field], message: 'expected a number greater than 0' });
  return null;
}

/**
 * Extreme inputs can overflow to Infinity (1e-320 parts per second) or underflow to 0 (1e308 parts planned in
 * 1e-20 minutes); refuse them.
 * Rounding to 12 significant digits removes binary noise (1.1 min → 66 s, not 66.00000000000001) and
 * changes no value anyone typed.
 */
function checked(seconds: number, field: string): IdealCycleTimeResult {
  const tidy = Number(seconds.toPrecision(12));
  if (Number.isFinite(tidy) && tidy > 0) return ok(tidy);
  return invalid([{ path: [field], message: 'gives an ideal cycle time out of range' }]);
}

function ok(idealCycleTimeSeconds: number | null): IdealCycleTimeResult {
  return { ok: true, idealCycleTimeSeconds };
}

function invalid(issues: ErrorIssue[]): IdealCycleTimeResult {
  const message = issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  return { ok: false, status: 400, code: 'invalid_input', message, issues };
}

// What the tablet is asked for: `requested_data` of `/check-state` in state `no_job`.

/** One field of the tablet's data-entry screen. The app skips (and then crashes on) an item missing any key. */
export interface RequestedField {
  title: string;
  type: 'text' | 'number' | 'time';
  autofill: string | number;
}

/** The tablet's cycle-time keys per input type, in the order it shows them. */
export function cycleTimeKeys(type: JobStartInputType): string[] {
  if (type === 'no_cycle_time') return [];
  if (type === 'planned_qty_minutes') return ['planned_quantity', 'planned_time'];
  return ['ideal_cycle_time'];
}

/**
 * `requested_data` for a machine: `job_number` (typed as the machine's job number input type), then the
 * cycle-time field(s) of its input type. Key order is display order. `autofill` prefills the one-number
 * cycle-time field, as the original's `autofill_job_start_amount` did; like the original, 0 (or none) leaves it empty.
 */
export function requestedJobStartData(
  machine: { jobStartInputType: JobStartInputType; jobNumberInputType: JobNumberInputType },
  autofill?: number | null,
): Record<string, RequestedField> {
  const data: Record<string, RequestedField> = {
    job_number: { title: 'Job Number', type: machine.jobNumberInputType, autofill: '' },
  };
  const type = machine.jobStartInputType;
  if (type === 'planned_qty_minutes') {
    data.planned_quantity = { title: 'Planned quantity', type: 'number', autofill: '' };
    data.planned_time = { title: 'Planned time (min)', type: 'number', autofill: '' };
  } else if (isValueInputType(type)) {
    const prefill = autofill != null && Number.isFinite(autofill) && autofill > 0 ? autofill : '';
    data.ideal_cycle_time = { title: valueConversions[type].title, type: 'number', autofill: prefill };
  }
  return data;
}
