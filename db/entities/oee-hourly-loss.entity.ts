import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Category } from '../../core/schemas/setup.schema.js';
import { OeeHourlyEntity } from './oee-hourly.entity.js';

/** The `losses` of a stored hour or day (`oee_hourly`): seconds and occurrences per activity code. */
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

  // Deleting a stored row (invalidation) deletes its losses.
  @ManyToOne(() => OeeHourlyEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'machineId', referencedColumnName: 'machineId' },
    { name: 'hourStart', referencedColumnName: 'hourStart' },
    { name: 'hours', referencedColumnName: 'hours' },
  ])
  hour?: OeeHourlyEntity;

  @Column('double precision')
  seconds: number;

  @Column('int')
  occurrences: number;
}
