import type { Clock } from '../core/clock.js';
import { describeResourceFault, isDatabaseOutOfResources, pgCode } from './pg-errors.js';

/** How long health reports a resource fault after the last query that met it. */
const REPORT_FOR_MS = 60_000;

/**
 * Resource faults (SQLSTATE class 53: disk full and the like) seen on queries. `SELECT 1` still
 * answers on a full disk, so health cannot find them by asking: it reports what writes met, for a
 * minute after the last one.
 */
export class DatabaseFaults {
  private last: { code: string; at: Date } | null = null;

  constructor(private readonly clock: Clock) {}

  /** Every failed query passes here (the data source's logger). */
  note(err: unknown): void {
    if (isDatabaseOutOfResources(err)) this.last = { code: pgCode(err)!, at: this.clock.now() };
  }

  /** The fault to report now, or null. */
  current(): { code: string; reason: string } | null {
    if (!this.last || this.clock.now().getTime() - this.last.at.getTime() > REPORT_FOR_MS) return null;
    return {
      code: this.last.code,
      reason: `PostgreSQL is ${describeResourceFault(this.last.code)}: writes are refused (last at ${this.last.at.toISOString()})`,
    };
  }
}
