import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Stored OEE elements (docs/oee.md, `OeeElements` of core/oee) of one machine over closed clock hours
 * [hourStart, hourStart + hours): a cache of `computeElements`, so long ranges are sums of rows.
 * Two kinds of row: `hours` = 1 is one clock hour; `hours` = 23, 24 or 25 is one whole local day,
 * the sum of that day's hour rows (a year of 100 machines is then 36 500 rows to add, not 876 000).
 * Only periods that had ended when computed are stored; changes to a machine's history delete its
 * rows from the change onward (see services/oee/invalidation.ts). Columns are the additive
 * elements, so Postgres sums them; the per-code losses are in `oee_hourly_losses`.
 *
 * No foreign keys: they would double the cost of writing a cold year, rows exist only for machines
 * with history (which cannot be deleted), and rows and their losses are written and deleted together
 * by OeeRollupRepository.
 */
@Entity('oee_hourly')
export class OeeHourlyEntity {
  @PrimaryColumn('int')
  machineId: number;

  @PrimaryColumn('timestamptz')
  hourStart: Date;

  /** 1: a clock hour; 23–25: a local day starting at `hourStart`. */
  @PrimaryColumn('smallint')
  hours: number;

  @Column('double precision')
  calendarSeconds: number;

  @Column('double precision')
  plannedWindowSeconds: number;

  @Column('double precision')
  plannedShutdownSeconds: number;

  @Column('double precision')
  plannedProductionSeconds: number;

  @Column('double precision')
  runSeconds: number;

  @Column('double precision')
  overtimeSeconds: number;

  @Column('double precision')
  unplannedStopSeconds: number;

  @Column('double precision')
  plannedStopSeconds: number;

  @Column('double precision')
  smallStopSeconds: number;

  @Column('double precision')
  ratedRunSeconds: number;

  @Column('double precision')
  idealSeconds: number;

  @Column('double precision')
  fullyProductiveSeconds: number;

  /** Counts are fractional: a record over a span is spread pro rata over the hours it covers. */
  @Column('double precision')
  totalCount: number;

  @Column('double precision')
  goodCount: number;

  @Column('double precision')
  rejectCount: number;

  @Column('int')
  unplannedStopCount: number;
}
