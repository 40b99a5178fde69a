import type { DataSource } from 'typeorm';
import type { LiveJob, LiveOperator } from '../../core/realtime/live-events.js';
import type { Category } from '../../core/schemas/setup.schema.js';

/**
 * What a machine is doing now, from its open timeline interval, its running job and the tablet an
 * operator is signed in on; with the names a screen shows. `offShift` is not here: it depends on the
 * calendar and the time (services/machine-state.service.ts `isOffShift`).
 */
export interface CurrentMachineState {
  machineId: number;
  name: string;
  groupId: number | null;
  activityCodeId: number | null;
  category: Category | null;
  /** ISO time the current state began; null before the machine's first event. */
  since: string | null;
  jobId: number | null;
  operatorId: number | null;
  job: LiveJob | null;
  operator: LiveOperator | null;
}

export interface CurrentStateFilter {
  /** Only these machines. */
  machineIds?: number[];
  /** Only the machines of this group. */
  groupId?: number;
  /** Only active machines (the ones screens show). */
  activeOnly?: boolean;
}

/** The one current-state query: HTTP machine reads, `/live` snapshots and changes, tablets. */
export class MachineStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** In one statement, so a snapshot is one consistent read; ordered by name. */
  async list(filter: CurrentStateFilter = {}): Promise<CurrentMachineState[]> {
    const rows: {
      machineId: number;
      name: string;
      groupId: number | null;
      activityCodeId: number | null;
      category: Category | null;
      since: Date | null;
      jobId: number | null;
      jobNumber: string | null;
      jobStart: Date | null;
      idealCycleTimeSeconds: number | null;
      operatorId: number | null;
      operatorName: string | null;
    }[] = await this.dataSource.query(
      `SELECT m.id AS "machineId", m.name, m."groupId", ti."activityCodeId", ac.category, ti.start AS since,
              j.id AS "jobId", j."jobNumber", j.start AS "jobStart", j."idealCycleTimeSeconds",
              t."operatorId", u.username AS "operatorName"
         FROM machines m
         LEFT JOIN timeline_intervals ti ON ti."machineId" = m.id AND ti."end" IS NULL
         LEFT JOIN activity_codes ac ON ac.id = ti."activityCodeId"
         LEFT JOIN jobs j ON j."machineId" = m.id AND j."end" IS NULL
         LEFT JOIN LATERAL (
           SELECT "operatorId" FROM tablets
            WHERE "machineId" = m.id AND "operatorId" IS NOT NULL
            ORDER BY "operatorSince" DESC LIMIT 1
         ) t ON true
         LEFT JOIN users u ON u.id = t."operatorId"
        WHERE ($1::int[] IS NULL OR m.id = ANY($1::int[])) AND ($2::int IS NULL OR m."groupId" = $2) AND (m.active OR NOT $3)
        ORDER BY m.name, m.id`,
      [filter.machineIds ?? null, filter.groupId ?? null, filter.activeOnly ?? false],
    );
    return rows.map((r) => ({
      machineId: r.machineId,
      name: r.name,
      groupId: r.groupId,
      activityCodeId: r.activityCodeId,
      category: r.category,
      since: r.since === null ? null : new Date(r.since).toISOString(),
      jobId: r.jobId,
      operatorId: r.operatorId,
      job:
        r.jobId === null
          ? null
          : {
              id: r.jobId,
              jobNumber: r.jobNumber ?? '',
              start: new Date(r.jobStart!).toISOString(),
              idealCycleTimeSeconds: r.idealCycleTimeSeconds,
            },
      operator: r.operatorId === null ? null : { id: r.operatorId, name: r.operatorName ?? `#${r.operatorId}` },
    }));
  }

  /** The machines of these ids (all when omitted), by id. */
  async current(machineIds?: number[]): Promise<Map<number, CurrentMachineState>> {
    const rows = await this.list(machineIds ? { machineIds } : {});
    return new Map(rows.map((r) => [r.machineId, r]));
  }
}
