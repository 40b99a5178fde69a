import { z } from 'zod';

export const idSchema = z.coerce.number().int().positive().max(2_147_483_647);
export const idParamsSchema = z.object({ id: idSchema });

/** ISO-8601 with an offset, e.g. 2026-11-24T09:00:00Z. Parsed to a Date. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const localDateSchema = z.iso.date();
export const hhmmSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (00:00–23:59)');
export const colourSchema = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'expected a colour #RRGGBB');

/** A name shown to people: trimmed, 1..100 characters. */
export const nameSchema = z.string().trim().min(1).max(100);

export const eventIdSchema = z.string().min(1).max(100);

const isDate = (v: unknown): v is Date => v instanceof Date && !Number.isNaN(v.getTime());

/**
 * `from` before `to` (or not after, when `allowEqual`). zod runs object refinements even when a field
 * already failed, so this only judges two real dates and leaves bad fields to their own issues.
 */
export function rangeOrdered(allowEqual = false) {
  return (value: { from?: unknown; to?: unknown }) =>
    !isDate(value.from) ||
    !isDate(value.to) ||
    (allowEqual ? value.from.getTime() <= value.to.getTime() : value.from.getTime() < value.to.getTime());
}
