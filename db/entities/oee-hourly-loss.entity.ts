import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Category } from '../../core/schemas/setup.schema.js';

/**
 * The `losses` of a stored hour or day (`oee_hourly`, same key): seconds and occurrences per
 * activity code. Written and deleted with their row (see OeeRollupRepository).
 */
@Entity('oee_hourly_losses')
export class OeeHourlyLossEntity {
  @PrimaryColumn('int')
  machineId: number;

  @PrimaryColumn('timestamptz')
  hourStart: Date;

  @PrimaryColumn('smallint')
  hours: number;

  @PrimaryColumn('int')
  activityCodeId: number;

  /** The code's category when the hour was computed (a category edit deletes every stored hour). */
  @PrimaryColumn('text')
  category: Category;

  @Column('double precision')
  seconds: number;

  @Column('int')
  occurrences: number;
}
