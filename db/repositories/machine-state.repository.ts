import type { DataSource } from 'typeorm';
import type { Category } from '../../core/schemas/setup.schema.js';

/** What a machine is doing now, from its open timeline interval, its running job and its tablet. */
export interface CurrentMachineState {
  machineId: number;
  activityCodeId: number | null;
  category: Category | null;
  since: Date | null;
  jobId: number | null;
  operatorId: number | null;
}

export class MachineStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  async current(machineIds?: number[]): Promise<Map<number, CurrentMachineState>> {
    const rows: {
      machineId: number;
      activityCodeId: number | null;
      category: Category | null;
      since: Date | null;
      jobId: number | null;
      operatorId: number | null;
    }[] = await this.dataSource.query(
      `SELECT m.id AS "machineId", ti."activityCodeId", ac.category, ti.start AS since, j.id AS "jobId", t."operatorId"
         FROM machines m
         LEFT JOIN timeline_intervals ti ON ti."machineId" = m.id AND ti."end" IS NULL
         LEFT JOIN activity_codes ac ON ac.id = ti."activityCodeId"
         LEFT JOIN jobs j ON j."machineId" = m.id AND j."end" IS NULL
         LEFT JOIN LATERAL (
           SELECT "operatorId" FROM tablets
            WHERE "machineId" = m.id AND "operatorId" IS NOT NULL
            ORDER BY "operatorSince" DESC LIMIT 1
         ) t ON true
        WHERE $1::int[] IS NULL OR m.id = ANY($1::int[])`,
      [machineIds ?? null],
    );
    return new Map(rows.map((r) => [r.machineId, r]));
  }
}
