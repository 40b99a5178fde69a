import type { DataSource, EntityManager } from 'typeorm';
import type { VersionedPattern } from '../../core/calendar/index.js';

export interface ScheduledMachine {
  id: number;
  endJobOnShiftEnd: boolean;
  pattern: VersionedPattern | null;
}

/** What the shift-boundary job reads and the watermark it keeps. */
export class SchedulerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Locks the marker for this transaction (one applier at a time across instances) and reads it. */
  async lockMarker(tx: EntityManager, key: string): Promise<Date | null> {
    const rows: { value: Date }[] = await tx.query(`SELECT value FROM scheduler_state WHERE key = $1 FOR UPDATE`, [key]);
    return rows[0]?.value ?? null;
  }

  async setMarker(tx: EntityManager, key: string, value: Date): Promise<void> {
    await tx.query(`INSERT INTO scheduler_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
      key,
      value,
    ]);
  }

  /** Active machines with a shift pattern (24/7 machines have no boundaries). */
  async machinesWithPatterns(): Promise<ScheduledMachine[]> {
    const rows: ({ id: number; endJobOnShiftEnd: boolean } & VersionedPattern)[] = await this.dataSource.query(
      `SELECT m.id, m."endJobOnShiftEnd", p.shifts, p.exceptions, p."effectiveFrom", p."earlierVersions" FROM machines m JOIN shift_patterns p ON p.id = m."shiftPatternId" WHERE m.active ORDER BY m.id`,
    );
    return rows.map(({ id, endJobOnShiftEnd, ...pattern }) => ({ id, endJobOnShiftEnd, pattern }));
  }
}
