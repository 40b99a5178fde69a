import type { CountMode } from '../schemas/mqtt.schema.js';

/**
 * What one MQTT message says about one machine, before it is written: a state (an activity code), counts, a
 * death. The services turn these into calls of the same services HTTP uses.
 */
export interface Reading {
  /** When it happened; null: when it was received. */
  at: Date | null;
  /** The activity code, when the message carried a state with a value the mapping knows. */
  activityCodeId: number | null;
  /** The raw state value when the mapping does not know it (logged, nothing written). */
  unknownState: string | null;
  good: CountReading | null;
  rejects: CountReading | null;
}

export interface CountReading {
  mode: CountMode;
  value: number;
}

/**
 * The increment a count reading stands for. An increment is itself; a cumulative counter counts from the last
 * value seen (`last`, null when none: the first value only sets the baseline), and a value below the last is a
 * reset: the counter restarted from zero, so the whole value is new.
 */
export function countIncrement(reading: CountReading, last: number | null): { increment: number; next: number | null; reset: boolean } {
  if (reading.mode === 'increment') return { increment: Math.max(0, Math.trunc(reading.value)), next: last, reset: false };
  const value = Math.max(0, Math.trunc(reading.value));
  if (last === null) return { increment: 0, next: value, reset: false };
  if (value < last) return { increment: value, next: value, reset: true };
  return { increment: value - last, next: value, reset: false };
}

/** A time value: ISO-8601 text, or a number of seconds (below 1e11) or milliseconds since 1970; null when unreadable. */
export function readTime(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value < 1e11 ? value * 1000 : value);
  if (typeof value === 'string' && value.trim() !== '') {
    const asNumber = Number(value);
    if (Number.isFinite(asNumber)) return readTime(asNumber);
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : new Date(t);
  }
  return null;
}

/** A count value: a finite number ≥ 0 (or numeric text); null otherwise. */
export function readCount(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}

/** The state value as the code table keys it: numbers, booleans and text as text; anything else null. */
export function stateKey(value: unknown): string | null {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return null;
}
