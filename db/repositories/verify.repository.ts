import type { DataSource, EntityManager } from 'typeorm';
import type { ProjectedInterval } from '../../core/state/timeline-projection.js';
import { ELEMENT_COLUMNS, HOUR_MS } from './oee-rollup.repository.js';

export type ElementColumn = (typeof ELEMENT_COLUMNS)[number];

export interface StoredRollupRow {
  machineId: number;
  hourStart: Date;
  hours: number;
  elements: Record<ElementColumn, number>;
  losses: { activityCodeId: number; category: string; seconds: number; occurrences: number }[];
}

/** The reads and repairs of the verifier (services/verify.service.ts). */
export class VerifyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Machines with any history: events, or timeline rows (which should not exist without events). */
  async machinesWithHistory(): Promise<number[]> {
    const rows: { id: number }[] = await this.dataSource.query(
      `SELECT DISTINCT "machineId" AS id FROM state_events UNION SELECT DISTINCT "machineId" FROM timeline_intervals ORDER BY id`,
    );
    return rows.map((r) => r.id);
  }

  /** A machine's stored intervals overlapping [from, to). */
  async storedIntervals(tx: EntityManager, machineId: number, from: Date, to: Date): Promise<ProjectedInterval[]> {
    const rows: { start: Date; end: Date | null; activityCodeId: number; jobId: number | null; operatorId: number | null }[] =
      await tx.query(
        `SELECT start, "end", "activityCodeId", "jobId", "operatorId" FROM timeline_intervals
        WHERE "machineId" = $1 AND start < $3 AND ("end" IS NULL OR "end" > $2) ORDER BY start`,
        [machineId, from, to],
      );
    return rows.map((r) => ({
      start: r.start.getTime(),
      end: r.end ? r.end.getTime() : null,
      activityCodeId: r.activityCodeId,
      jobId: r.jobId,
      operatorId: r.operatorId,
    }));
  }

  /** Stored roll-up rows (hours and days) starting in [from, to), with their losses. */
  async storedRollups(from: Date, to: Date): Promise<StoredRollupRow[]> {
    const rows: (Record<ElementColumn, number> & { machineId: number; hourStart: Date; hours: number })[] = await this.dataSource.query(
      `SELECT * FROM oee_hourly WHERE "hourStart" >= $1 AND "hourStart" < $2 ORDER BY "machineId", "hourStart", hours`,
      [from, to],
    );
    const losses: {
      machineId: number;
      hourStart: Date;
      hours: number;
      activityCodeId: number;
      category: string;
      seconds: number;
      occurrences: number;
    }[] = await this.dataSource.query(`SELECT * FROM oee_hourly_losses WHERE "hourStart" >= $1 AND "hourStart" < $2`, [from, to]);
    const key = (r: { machineId: number; hourStart: Date; hours: number }) => `${r.machineId}|${r.hourStart.getTime()}|${r.hours}`;
    const byRow = new Map<string, StoredRollupRow['losses']>();
    for (const l of losses) {
      const list = byRow.get(key(l)) ?? [];
      list.push({ activityCodeId: l.activityCodeId, category: l.category, seconds: Number(l.seconds), occurrences: Number(l.occurrences) });
      byRow.set(key(l), list);
    }
    return rows.map((r) => ({
      machineId: r.machineId,
      hourStart: r.hourStart,
      hours: Number(r.hours),
      elements: Object.fromEntries(ELEMENT_COLUMNS.map((c) => [c, Number(r[c])])) as Record<ElementColumn, number>,
      losses: byRow.get(key(r)) ?? [],
    }));
  }

  /**
   * Drops stored roll-ups in the caller's transaction (they are recomputed on the next read): the
   * given rows, and for each re-projected machine every row ending after its repair point less the
   * micro-stop margin (as OeeRollupRepository.invalidate does for a live change).
   */
  async dropRollups(
    tx: EntityManager,
    rows: { machineId: number; hourStart: Date; hours: number }[],
    reprojected: { machineId: number; from: Date }[],
  ): Promise<number> {
    const dropped: { n: number }[] = await tx.query(
      `WITH doomed AS (
         SELECT h."machineId", h."hourStart", h.hours FROM oee_hourly h
           JOIN unnest($1::int[], $2::timestamptz[], $3::smallint[]) AS k(m, s, n) ON h."machineId" = k.m AND h."hourStart" = k.s AND h.hours = k.n
         UNION
         SELECT h."machineId", h."hourStart", h.hours FROM oee_hourly h
           JOIN unnest($4::int[], $5::timestamptz[]) AS r(m, f) ON h."machineId" = r.m
           CROSS JOIN site_settings s
          WHERE s.id = 1 AND h."hourStart" + h.hours * interval '${HOUR_MS / 1000} seconds' > r.f - make_interval(secs => s."microStopSeconds")
       ), losses AS (
         DELETE FROM oee_hourly_losses l USING doomed d WHERE l."machineId" = d."machineId" AND l."hourStart" = d."hourStart" AND l.hours = d.hours
       ), gone AS (
         DELETE FROM oee_hourly h USING doomed d WHERE h."machineId" = d."machineId" AND h."hourStart" = d."hourStart" AND h.hours = d.hours RETURNING 1
       )
       SELECT count(*)::int AS n FROM gone`,
      [
        rows.map((r) => r.machineId),
        rows.map((r) => r.hourStart),
        rows.map((r) => r.hours),
        reprojected.map((r) => r.machineId),
        reprojected.map((r) => r.from),
      ],
    );
    return dropped[0]!.n;
  }
}
